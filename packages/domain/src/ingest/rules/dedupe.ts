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
  const rows = await db
    .selectFrom('audit_events')
    .select(['event_id', 'content_hash'])
    .where('tenant_id', '=', tenantId)
    .where(sql<boolean>`event_id = any(${eventIds}::uuid[])`)
    .execute();
  const stored = new Map(rows.map((row) => [row.event_id, row.content_hash]));
  // events whose rows retention removed are still known: dedupe holds forever
  const expired = await sql<{ event_id: string; content_hash: string }>`select event_id, encode(content_hash, 'hex') as content_hash
    from expired_events where tenant_id = ${tenantId} and event_id = any(${eventIds}::uuid[])`.execute(db);
  for (const row of expired.rows) if (!stored.has(row.event_id)) stored.set(row.event_id, row.content_hash);
  return stored;
}

export function dedupe(stored: TStoredContent, eventId: string, contentHash: string): TDedupeVerdict {
  const seen = stored.get(eventId);
  if (seen === undefined) return 'new';
  return seen === contentHash ? 'duplicate' : 'conflict';
}
