import type { TAcceptedEvent } from '@modula/contracts';
import { sql, type Db } from '@modula/db';
import { contentHashOf, type TCanonicalMembers } from '../event-row.ts';

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
