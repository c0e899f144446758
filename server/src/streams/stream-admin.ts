import type { TStreamView } from '@modula/contracts';
import { administrationEvent, sessionActor, streamSettings, type TSession, type TStreamSettings } from '@modula/domain';
import { recordAdministration } from '../administration.ts';
import type { TServices } from '../context.ts';
import { userProvenance } from '../provenance.ts';

const SETTINGS = new WeakMap<TServices, TStreamSettings>();

/** The server's stream settings (server secret, SSRF policy, agents), made once per services. */
export function streamSettingsOf(services: TServices): TStreamSettings {
  let s = SETTINGS.get(services);
  if (!s) {
    s = streamSettings(services.config);
    SETTINGS.set(services, s);
  }
  return s;
}

export type TStreamAction = 'STREAM_CREATED' | 'STREAM_UPDATED' | 'STREAM_PAUSED' | 'STREAM_RESUMED' | 'STREAM_DELETED';

/** What a stream's record says of it: its target, never its credential. */
function described(stream: TStreamView) {
  return { name: stream.name, target: stream.target, status: stream.status };
}

/**
 * An Admin changed a log stream: recorded in the tenant's log after the change, with the stream's
 * target before and after (the credential is sealed in the database and never in an event).
 */
export async function recordStreamChange(
  services: TServices,
  session: TSession,
  action: TStreamAction,
  stream: TStreamView,
  sourceAddress: string | null,
  before?: TStreamView,
  /** What the views cannot show: whether the (never shown) credential, or a URL shown by its host alone, was replaced. */
  metadata?: { credentialChanged: boolean; urlChanged: boolean },
): Promise<void> {
  await recordAdministration(
    services,
    [
      administrationEvent(
        session.tenantId,
        action,
        sessionActor(session),
        { type: 'LOG_STREAM', id: stream.id, label: stream.name },
        {
          ...(before ? { before: described(before) } : {}),
          ...(action === 'STREAM_DELETED' ? { before: described(stream) } : { after: described(stream) }),
          context: { sessionId: session.sessionId },
          ...(metadata ? { metadata } : {}),
        },
      ),
    ],
    userProvenance(session.userId, sourceAddress),
  );
}
