import { ALERT_SUBJECT_OF, type TAlertRuleName, type TAlertsListInput, type TAlertView, type TEventsFilter } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { AppError } from '../app-error.ts';
import { shownWebhookUrl } from './alert-webhook-urls.ts';
import { WEBHOOK_RECIPIENT } from './alert-webhooks.ts';

const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

interface AlertRow {
  id: string;
  rule: TAlertRuleName;
  subject: string;
  subject_label: string | null;
  window_start: string;
  window_minutes: number;
  first_at: string;
  last_at: string;
  count: number;
  threshold: number;
  seqs: string[];
  filter: TEventsFilter;
  details: Record<string, unknown>;
  raised_at: string;
  hold: 'LAST_SENT' | 'HELD' | null;
  recorded_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

interface DeliveryRow {
  alert_id: string;
  channel: 'EMAIL' | 'WEBHOOK';
  recipient: string;
  target: string;
  state: 'PENDING' | 'SENT' | 'FAILED';
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
}

const ALERT_COLUMNS = sql`a.id, a.rule, a.subject, a.subject_label, ${iso('a.window_start')} as window_start, a.window_minutes,
  ${iso('a.first_at')} as first_at, ${iso('a.last_at')} as last_at, a.count, a.threshold, a.seqs::text[] as seqs, a.filter, a.details,
  ${iso('a.raised_at')} as raised_at, a.hold, ${iso('a.recorded_at')} as recorded_at, ${iso('a.acknowledged_at')} as acknowledged_at, a.acknowledged_by`;

/** The alerts' rows with their deliveries, as view objects (the whitelisting mapper). */
async function viewsOf(db: Db, tenantId: string, rows: AlertRow[]): Promise<TAlertView[]> {
  if (rows.length === 0) return [];
  const deliveries = (
    await sql<DeliveryRow>`select alert_id, channel, recipient, target, state, attempts, last_error, ${iso('delivered_at')} as delivered_at
      from alert_deliveries where tenant_id = ${tenantId} and alert_id = any(${rows.map((r) => r.id)}::uuid[]) order by channel, recipient`.execute(db)
  ).rows;
  return rows.map((r) => ({
    id: r.id,
    rule: r.rule,
    subjectKind: ALERT_SUBJECT_OF[r.rule],
    subject: r.subject,
    subjectLabel: r.subject_label,
    windowStart: r.window_start,
    windowMinutes: r.window_minutes,
    firstAt: r.first_at,
    lastAt: r.last_at,
    count: r.count,
    threshold: r.threshold,
    seqs: r.seqs.map(Number),
    filter: r.filter,
    details: r.details,
    raisedAt: r.raised_at,
    held: r.hold === 'HELD',
    lastBeforeHold: r.hold === 'LAST_SENT',
    deliveries: deliveries
      .filter((d) => d.alert_id === r.id)
      // a webhook URL that is its own credential, stored in clear by an earlier version: shown as its display form
      .map((d) => ({
        channel: d.channel,
        target: d.channel === 'WEBHOOK' ? shownWebhookUrl(d.target) : d.target,
        webhookId: d.recipient.startsWith(WEBHOOK_RECIPIENT) ? d.recipient.slice(WEBHOOK_RECIPIENT.length) : null,
        state: d.state,
        attempts: d.attempts,
        lastError: d.last_error,
        deliveredAt: d.delivered_at,
      })),
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
  }));
}

export async function readAlert(db: Db, tenantId: string, id: string): Promise<TAlertView | undefined> {
  const rows = (await sql<AlertRow>`select ${ALERT_COLUMNS} from alerts a where a.tenant_id = ${tenantId} and a.id = ${id}`.execute(db)).rows;
  return (await viewsOf(db, tenantId, rows))[0];
}

/** The tenant's alerts, newest first, with what triggered each and where it was delivered. */
export function listAlerts(orm: Orm, tenantId: string, input: TAlertsListInput = {}): Promise<TAlertView[]> {
  const limit = input.limit ?? 50;
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const rows = (
      await sql<AlertRow>`select ${ALERT_COLUMNS} from alerts a
        where a.tenant_id = ${tenantId} and (${input.rule ?? null}::text is null or a.rule = ${input.rule ?? null})
          and (${input.before ?? null}::uuid is null or (a.raised_at, a.id) < (select b.raised_at, b.id from alerts b where b.tenant_id = ${tenantId} and b.id = ${input.before ?? null}::uuid))
        order by a.raised_at desc, a.id desc limit ${limit}`.execute(db)
    ).rows;
    return viewsOf(db, tenantId, rows);
  });
}

export function getAlert(orm: Orm, tenantId: string, id: string): Promise<TAlertView> {
  return withTenant(orm, tenantId, async (em) => {
    const alert = await readAlert(dbOf(em), tenantId, id);
    if (!alert) throw new AppError('NOT_FOUND', 'no such alert');
    return alert;
  });
}

/** Marks an alert as seen by `by` (the first acknowledgement stays); answers it and whether this call acknowledged it. */
export function acknowledgeAlert(orm: Orm, tenantId: string, id: string, by: string): Promise<{ alert: TAlertView; changed: boolean }> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const changed = await sql`update alerts set acknowledged_at = now(), acknowledged_by = ${by}
      where tenant_id = ${tenantId} and id = ${id} and acknowledged_at is null`.execute(db);
    const alert = await readAlert(db, tenantId, id);
    if (!alert) throw new AppError('NOT_FOUND', 'no such alert');
    return { alert, changed: Number(changed.numAffectedRows ?? 0) > 0 };
  });
}
