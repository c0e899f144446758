import { sql, type Db } from '@modula/db';

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

export function dedupe(stored: TStoredContent, eventId: string, contentHash: string): TDedupeVerdict {
  const seen = stored.get(eventId);
  if (seen === undefined) return 'new';
  return seen === contentHash ? 'duplicate' : 'conflict';
}
