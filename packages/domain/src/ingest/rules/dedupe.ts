import type { TAcceptedEvent, TAuditEventInput, TRole } from '@modula/contracts';
import { AUDIT_EVENT_RECORD_SELECT, sql, type Db, type TAuditEventRecordRow } from '@modula/db';
import { normalizeEvent } from '../accept.ts';
import { contentHashOf, type TCanonicalMembers } from '../event-row.ts';
import { redactEvent } from '../redaction.ts';

/**
 * DESIGN rule 4, dedupe forever on (tenant_id, event_id): a resend with the same content hash is
 * a no-op; the same id with different content is a conflict (quarantined; the first stays).
 * Read under the chain-head lock, so a re-run of a job finds its own events stored.
 */
export type TDedupeVerdict = 'new' | 'duplicate' | 'conflict';

/** Content hash of each event id already stored (or stored earlier in this batch). */
export type TStoredContent = Map<string, string>;

export const DUPLICATE_CONFLICT_DETAIL = 'this eventId was already stored with different content';

export async function loadStoredContent(db: Db, tenantId: string, eventIds: string[]): Promise<TStoredContent> {
  // one round trip per batch: the log, and the events whose rows retention removed (dedupe holds forever)
  const { rows } = await sql<{ event_id: string; content_hash: string; expired: boolean }>`
    select event_id, content_hash, false as expired from audit_events where tenant_id = ${tenantId} and event_id = any(${eventIds}::uuid[])
    union all
    select event_id, encode(content_hash, 'hex'), true from expired_events where tenant_id = ${tenantId} and event_id = any(${eventIds}::uuid[])`.execute(db);
  const stored: TStoredContent = new Map();
  for (const row of rows) if (!row.expired) stored.set(row.event_id, row.content_hash);
  for (const row of rows) if (row.expired && !stored.has(row.event_id)) stored.set(row.event_id, row.content_hash);
  return stored;
}

/**
 * `earlier`: the hashes the same event had under an earlier version's normalisation, asked only when
 * the stored hash differs (rare), so that a resend stays a resend across the upgrade.
 */
export function dedupe(stored: TStoredContent, eventId: string, contentHash: string, earlier: () => string[] = () => []): TDedupeVerdict {
  const seen = stored.get(eventId);
  if (seen === undefined) return 'new';
  return seen === contentHash || earlier().includes(seen) ? 'duplicate' : 'conflict';
}

/** Before 2026-12-03 an empty context was kept, and hashed: an event without one was also stored as `context: {}`. */
export function earlierContentHashes(event: TAcceptedEvent, members: TCanonicalMembers): string[] {
  return event.context === undefined ? [contentHashOf({ ...event, context: {} }, members)] : [];
}

/**
 * The content hash of an event whatever paths were redacted: what a resend is compared by when the
 * stored row was redacted by other rules than today's (the paths are where, not what).
 */
export function pathlessContentHash(event: TAcceptedEvent): string {
  return contentHashOf({ ...event, redactedPaths: [] });
}

/**
 * For the events stored in the log whose resend hashes otherwise: the stored content redacted again
 * by today's rules (pathlessContentHash). An event stored before a redaction rule existed (a PIN
 * under a key name, a card number's grouping) holds that value as sent, and was hashed so; redacted
 * now, its resend hashes otherwise and would be taken for a conflict, though what the log keeps of
 * both is the same. Asked only for mismatches (rare), in one query. Rows retention removed keep no
 * content: those stay conflicts.
 */
export async function storedHashesUnderTodaysRules(db: Db, tenantId: string, eventIds: string[]): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const { rows } = await sql<TAuditEventRecordRow>`select ${AUDIT_EVENT_RECORD_SELECT} from audit_events
    where tenant_id = ${tenantId} and event_id = any(${eventIds}::uuid[])`.execute(db);
  return new Map(
    rows.map((row) => {
      const { event, redactedPaths } = redactEvent(sentEventOf(row));
      return [row.eventId, pathlessContentHash(normalizeEvent({ ...event, redactedPaths }))];
    }),
  );
}

/** The event as its sender sent it, from its row: the claimed outcome, without the reason of a denial the service made. */
function sentEventOf(row: TAuditEventRecordRow): TAuditEventInput {
  // a null column is a member the sender left out
  const present = <K extends string, V>(key: K, value: V | null): { [P in K]?: V } => (value === null ? {} : ({ [key]: value } as { [P in K]: V }));
  const actor =
    row.actorType === 'USER'
      ? { type: 'USER' as const, id: row.actorId ?? '', ...present('role', row.actorRole as TRole | null), ...present('name', row.actorName) }
      : { type: 'SYSTEM' as const, ...present('id', row.actorId), ...present('name', row.actorName) };
  const context = {
    ...present('ip', row.ip),
    ...present('sessionId', row.sessionId),
    ...present('deviceId', row.deviceId),
    ...present('deviceSeq', row.deviceSeq === null ? null : Number(row.deviceSeq)),
    ...present('offline', row.offline),
  };
  return {
    eventId: row.eventId,
    tenantId: row.tenantId,
    ...present('branchId', row.branchId),
    action: row.action as TAuditEventInput['action'],
    outcome: row.claimedOutcome as TAuditEventInput['outcome'],
    ...(row.outcome === row.claimedOutcome ? present('reason', row.reason as TAuditEventInput['reason'] | null) : {}),
    actor,
    ...(row.entityType === null ? {} : { entity: { type: row.entityType, id: row.entityId ?? '', ...present('label', row.entityLabel) } }),
    occurredAt: row.occurredAt,
    ...present('before', row.before),
    ...present('after', row.after),
    ...present('metadata', row.metadata),
    ...(Object.keys(context).length > 0 ? { context } : {}),
  };
}
