import type { TEventStatus } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';

/**
 * What the database knows of these events: STORED (with seq, and outcome unless retention removed it;
 * `conflict` when another content sent under the id was quarantined since) or QUARANTINED.
 */
export async function findStoredStatuses(orm: Orm, tenantId: string, eventIds: string[]): Promise<Map<string, TEventStatus>> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const statuses = new Map<string, TEventStatus>();
    const quarantined = await sql<{ event_id: string; reason: string }>`
      select distinct on (event_id) event_id, reason from quarantined_events
      where tenant_id = ${tenantId} and event_id = any(${eventIds}::uuid[]) and replayed_at is null
      order by event_id, quarantined_at desc`.execute(db);
    for (const q of quarantined.rows) statuses.set(q.event_id, { eventId: q.event_id, state: 'QUARANTINED', reason: q.reason as TEventStatus['reason'] });
    // removed by retention: stored once, at that seq (the row and its outcome are in the archive pack)
    const expired = await sql<{ event_id: string; seq: string }>`
      select event_id, seq from expired_events where tenant_id = ${tenantId} and event_id = any(${eventIds}::uuid[])`.execute(db);
    for (const e of expired.rows) statuses.set(e.event_id, { eventId: e.event_id, state: 'STORED', seq: Number(e.seq) });
    const stored = await sql<{ event_id: string; seq: string; outcome: string; reason: string | null }>`
      select event_id, seq, outcome, reason from audit_events where tenant_id = ${tenantId} and event_id = any(${eventIds}::uuid[])`.execute(db);
    for (const s of stored.rows) {
      // a quarantine of the same id after it was stored is another content sent under it
      const conflicted = statuses.get(s.event_id)?.reason === 'DUPLICATE_CONFLICT';
      statuses.set(s.event_id, {
        eventId: s.event_id,
        state: 'STORED',
        seq: Number(s.seq),
        outcome: s.outcome as TEventStatus['outcome'],
        ...(s.reason ? { reason: s.reason as TEventStatus['reason'] } : {}),
        ...(conflicted ? { conflict: 'DUPLICATE_CONFLICT' as const } : {}),
      });
    }
    return statuses;
  });
}
