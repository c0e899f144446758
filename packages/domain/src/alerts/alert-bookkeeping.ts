import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import type { TRaisedAlert } from './alert-evaluate.ts';
import { eventIdsOf } from './alert-raise.ts';
import { readAlert } from './alert-views.ts';

/** The alert's ALERT_RAISED is queued for the log and its delivery job added. */
export async function markAlertRecorded(orm: Orm, tenantId: string, alertId: string): Promise<void> {
  await withTenant(orm, tenantId, (em) =>
    sql`update alerts set recorded_at = now() where tenant_id = ${tenantId} and id = ${alertId} and recorded_at is null`.execute(dbOf(em)),
  );
}

/**
 * Alerts stored more than `graceSeconds` ago whose record and delivery were never queued (a worker
 * that died between its commit and the queue): the sweep queues them again. Their ALERT_RAISED has
 * the alert's id as eventId, so one that did reach the log is not stored twice.
 */
export async function unrecordedAlerts(orm: Orm, tenantId: string, graceSeconds: number): Promise<TRaisedAlert[]> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const ids = (
      await sql<{ id: string }>`select id from alerts where tenant_id = ${tenantId} and recorded_at is null
        and raised_at < now() - make_interval(secs => ${graceSeconds}::int) order by raised_at limit 100`.execute(db)
    ).rows;
    const out: TRaisedAlert[] = [];
    for (const { id } of ids) {
      const alert = await readAlert(db, tenantId, id);
      if (alert) out.push({ alert, eventIds: await eventIdsOf(db, tenantId, alert.seqs) });
    }
    return out;
  });
}

/** Whether the tenant has stored events its alert evaluation has not read yet. */
export async function alertsBehind(orm: Orm, tenantId: string): Promise<boolean> {
  return withTenant(orm, tenantId, async (em) => {
    const row = (
      await sql<{ behind: boolean }>`select coalesce((select seq from chain_heads where tenant_id = ${tenantId}), 0)
        > coalesce((select seq from alert_cursors where tenant_id = ${tenantId}), 0) as behind`.execute(dbOf(em))
    ).rows[0];
    return row?.behind ?? false;
  });
}
