import type { TAuditEventInput, TEventsFilter, TProvenance, TSavedView } from '@modula/contracts';
import { administrationEvent, canonicalJson, sessionActor, sha256Hex, type TSession } from '@modula/domain';
import { isIP } from 'node:net';
import { TRPCError } from '@trpc/server';
import type { TServices } from './context.ts';
import { ingestEvents } from './ingest-service.ts';
import { userProvenance } from './provenance.ts';
import { recordOnce } from './record-once.ts';

/** How long one session's reading of one filter counts as one reading (a session lasts at most this). */
const VIEWED_TTL_SECONDS = 24 * 3600;

/**
 * DESIGN rule 8, for what Admins do in the viewer: recorded through the same pipeline, before the
 * answer goes out; when it cannot be queued the request fails (503) rather than go unrecorded.
 * `provenance`: the Admin's or operator's credential and address.
 */
export async function recordAdministration(services: TServices, events: TAuditEventInput[], provenance: TProvenance): Promise<void> {
  const result = await ingestEvents(services, { kind: 'system' }, events, provenance);
  if (result.rejected.length > 0) {
    services.log.error({ rejected: result.rejected }, 'administrative event refused');
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'could not record this action in the audit log' });
  }
}

/**
 * Reading the log is recorded once per session and filter (PCI DSS 10.2.1.1), not once per page:
 * the first page of a filter in a session leaves AUDIT_LOG_VIEWED with the filter in its metadata.
 * Other reads of the log's content (an entry, the timeline, suspicious sign-ins, device gaps, the
 * people) say which `procedure` too, and are recorded once per session, procedure and input.
 */
export async function recordLogViewed(
  services: TServices,
  session: TSession,
  filter: Record<string, unknown>,
  sourceAddress: string | null,
  procedure?: string,
): Promise<void> {
  const what = procedure ? { procedure, filter } : filter;
  const key = `${services.config.QUEUE_PREFIX}:viewed:${session.sessionId}:${sha256Hex(canonicalJson(what))}`;
  await recordOnce(services.redis, key, VIEWED_TTL_SECONDS, () =>
    recordAdministration(
      services,
      [
        administrationEvent(session.tenantId, 'AUDIT_LOG_VIEWED', sessionActor(session), undefined, {
          metadata: procedure ? { procedure, filter } : { filter },
          context: { sessionId: session.sessionId },
        }),
      ],
      userProvenance(session.userId, sourceAddress),
    ),
  );
}

/**
 * A signed-in Manager or Cashier refused at an Admin procedure (PCI DSS 10.2.1.4, invalid logical
 * access attempts; DESIGN: refused attempts are recorded): the action it would have been,
 * AUDIT_LOG_VIEWED, REJECTED with PERMISSION_DENIED and the procedure in metadata. Once per session
 * and procedure, so a viewer that keeps asking does not flood the log; recorded before the refusal
 * goes out (503 if it cannot be).
 */
export async function recordAccessDenied(services: TServices, session: TSession, procedure: string, sourceAddress: string | null): Promise<void> {
  const key = `${services.config.QUEUE_PREFIX}:denied:${session.sessionId}:${sha256Hex(procedure)}`;
  await recordOnce(services.redis, key, VIEWED_TTL_SECONDS, () =>
    recordAdministration(
      services,
      [
        {
          ...administrationEvent(session.tenantId, 'AUDIT_LOG_VIEWED', sessionActor(session), undefined, {
            metadata: { procedure },
            context: { sessionId: session.sessionId, ...(sourceAddress && isIP(sourceAddress) ? { ip: sourceAddress } : {}) },
          }),
          outcome: 'REJECTED',
          reason: 'PERMISSION_DENIED',
        },
      ],
      userProvenance(session.userId, sourceAddress),
    ),
  );
}

/** An Admin saved or deleted one of their views of the log: recorded with the view, after the change. */
export async function recordViewChange(
  services: TServices,
  session: TSession,
  action: 'AUDIT_VIEW_SAVED' | 'AUDIT_VIEW_DELETED',
  view: TSavedView,
  sourceAddress: string | null,
): Promise<void> {
  await recordAdministration(
    services,
    [
      administrationEvent(
        session.tenantId,
        action,
        sessionActor(session),
        { type: 'SAVED_VIEW', id: view.id, label: view.name },
        {
          metadata: { view: view.view },
          context: { sessionId: session.sessionId },
        },
      ),
    ],
    userProvenance(session.userId, sourceAddress),
  );
}

/** The filter part of an events.list input: what the Admin asked to see, without paging. */
export function filterOf<T extends TEventsFilter & { cursor?: unknown; limit?: unknown; direction?: unknown }>(input: T): TEventsFilter {
  const { cursor: _c, limit: _l, direction: _d, ...filter } = input;
  return filter;
}
