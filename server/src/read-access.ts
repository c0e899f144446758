import { administrationEvent, canonicalJson, readTokenActor, sha256Hex, type TReadTokenHolder, type TSession } from '@modula/domain';
import { isIP } from 'node:net';
import { recordAdministration, recordLogViewed } from './administration.ts';
import type { TServices } from './context.ts';
import { readTokenCredential } from './provenance.ts';
import { recordOnce } from './record-once.ts';

/** Who reads the log: an Admin's session (the viewer) or a tenant's read token (a machine, issue 16). */
export type TReader = { kind: 'session'; session: TSession } | { kind: 'token'; token: TReadTokenHolder };

/** What a read asked for, as recorded: the procedure (or HTTP route) and its filter without paging. */
export interface TReadRequest {
  procedure:
    | 'events.list'
    | 'events.get'
    | 'events.ndjson'
    | 'events.timeline'
    | 'insights.failedLogins'
    | 'devices.gaps'
    | 'actors.list'
    | 'exports.create'
    | 'exports.get'
    | 'exports.download';
  filter: Record<string, unknown>;
}

/** A token's uses are recorded once per token, procedure and filter within this many seconds. */
const TOKEN_USE_WINDOW_SECONDS = 3600;

/**
 * Records a read before its answer goes out (DESIGN rule 8). A session reading the log leaves
 * AUDIT_LOG_VIEWED once per session and filter, as before issue 16 (once per session, procedure and
 * input for an entry, the timeline, suspicious sign-ins, device gaps and the people); a token leaves READ_TOKEN_USED
 * once per token, procedure and filter per hour (a puller that pages or polls is one use an hour,
 * a new filter is a new use), with the filter in metadata and the client's address in context.ip.
 * If the record cannot be queued the read fails (503) rather than go unrecorded.
 */
export async function recordRead(services: TServices, reader: TReader, read: TReadRequest, sourceAddress: string | null): Promise<void> {
  if (reader.kind === 'session') {
    if (read.procedure === 'events.list' || read.procedure === 'events.ndjson') await recordLogViewed(services, reader.session, read.filter, sourceAddress);
    // a session's exports are recorded by their own events (AUDIT_EXPORT_CREATED, _DOWNLOADED)
    else if (!read.procedure.startsWith('exports.')) await recordLogViewed(services, reader.session, read.filter, sourceAddress, read.procedure);
    return;
  }
  const { token } = reader;
  const key = `${services.config.QUEUE_PREFIX}:token-used:${token.tokenId}:${sha256Hex(canonicalJson(read))}`;
  const ip = sourceAddress && isIP(sourceAddress) ? sourceAddress : null;
  await recordOnce(services.redis, key, TOKEN_USE_WINDOW_SECONDS, () =>
    recordAdministration(
      services,
      [
        administrationEvent(
          token.tenantId,
          'READ_TOKEN_USED',
          readTokenActor(token),
          { type: 'READ_TOKEN', id: token.tokenId, label: token.name },
          { metadata: { procedure: read.procedure, filter: read.filter }, ...(ip ? { context: { ip } } : {}) },
        ),
      ],
      { credential: readTokenCredential(token.tokenId), sourceAddress: ip },
    ),
  );
}
