import { ZAcceptedEvent, type TAcceptedEvent } from '@modula/contracts';
import { dbOf, sql, type Orm } from '@modula/db';

export interface TQuarantineEntry {
  tenantId: string;
  id: string;
  eventId: string;
  reason: string;
  detail: string;
  receivedAt: string;
  quarantinedAt: string;
  replayedAt: string | null;
}

/** Operator view across tenants (the quarantine table is the owner's; the CLI connects as owner). */
export async function listQuarantine(orm: Orm, opts: { tenantId?: string; includeReplayed?: boolean; limit?: number }): Promise<TQuarantineEntry[]> {
  const db = dbOf(orm.em.fork());
  const r = await sql<{ tenant_id: string; id: string; event_id: string; reason: string; detail: string; received_at: Date; quarantined_at: Date; replayed_at: Date | null }>`
    select tenant_id, id, event_id, reason, detail, received_at, quarantined_at, replayed_at from quarantined_events
    where (${opts.tenantId ?? null}::uuid is null or tenant_id = ${opts.tenantId ?? null}::uuid)
      and (${opts.includeReplayed ?? false} or replayed_at is null)
    order by quarantined_at desc limit ${opts.limit ?? 100}`.execute(db);
  return r.rows.map((q) => ({
    tenantId: q.tenant_id, id: q.id, eventId: q.event_id, reason: q.reason, detail: q.detail,
    receivedAt: new Date(q.received_at).toISOString(), quarantinedAt: new Date(q.quarantined_at).toISOString(),
    replayedAt: q.replayed_at ? new Date(q.replayed_at).toISOString() : null,
  }));
}

/**
 * Takes quarantined events out for a replay: marks them replayed and returns their payloads,
 * grouped by tenant, for the caller to enqueue. A replay that fails again re-opens the row.
 */
export async function markReplayed(orm: Orm, opts: { tenantId?: string; ids?: string[]; reason?: string }): Promise<Map<string, TAcceptedEvent[]>> {
  const em = orm.em.fork();
  return em.transactional(async (tx) => {
    const r = await sql<{ tenant_id: string; payload: unknown }>`
      update quarantined_events set replayed_at = now()
      where replayed_at is null
        and (${opts.tenantId ?? null}::uuid is null or tenant_id = ${opts.tenantId ?? null}::uuid)
        and (${opts.ids ?? null}::uuid[] is null or id = any(${opts.ids ?? null}::uuid[]))
        and (${opts.reason ?? null}::text is null or reason = ${opts.reason ?? null}::text)
      returning tenant_id, payload`.execute(dbOf(tx));
    const byTenant = new Map<string, TAcceptedEvent[]>();
    for (const row of r.rows) {
      const event = ZAcceptedEvent.parse(row.payload);
      byTenant.set(row.tenant_id, [...(byTenant.get(row.tenant_id) ?? []), event]);
    }
    return byTenant;
  });
}
