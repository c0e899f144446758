import { ALERT_DELIVERY_CAP, type TAlertRuleName, type TAlertRuleView, type TAlertView, type TAuditEventInput, type TEventsFilter } from '@modula/contracts';
import { sql, type Db } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { administrationEvent } from '../accounts/administration.ts';
import { readAlert } from './alert-views.ts';
import { shownWebhookUrl } from './alert-webhook-urls.ts';
import { WEBHOOK_RECIPIENT } from './alert-webhooks.ts';

/** An alert a rule found, before it is stored. */
export interface TAlertDraft {
  rule: TAlertRuleName;
  subject: string;
  subjectLabel: string | null;
  /** ISO: the start of the window no other alert of the rule and subject may start in (the unique key). */
  windowStart: string;
  firstAt: string;
  lastAt: string;
  count: number;
  seqs: number[];
  filter: TEventsFilter;
  details: Record<string, unknown>;
}

/** The actor of what the alerting does by itself. */
export const ALERTS_ACTOR = { type: 'SYSTEM', id: 'alerts', name: 'Alerts' } as const;
/** At most this many triggering seqs are kept on an alert and in its event (the count says how many there were). */
export const MAX_ALERT_SEQS = 100;

/**
 * Whether an alert of `rule` raised now is sent: the alerts of the rule sent within the cap's window
 * (held ones not counted) decide — the cap's last is LAST_SENT, those after it HELD, until the window
 * has room again. Evaluations of a tenant run one at a time (the cursor's lock), so the count is exact
 * for the count rules; a chain or gap alert raised beside one may let the cap be passed by one.
 */
async function holdFor(db: Db, tenantId: string, rule: TAlertRuleName): Promise<'LAST_SENT' | 'HELD' | null> {
  const sent = Number(
    (
      await sql<{ n: string }>`select count(*) as n from alerts where tenant_id = ${tenantId} and rule = ${rule}
        and raised_at > now() - make_interval(mins => ${ALERT_DELIVERY_CAP.minutes}::int) and hold is distinct from 'HELD'`.execute(db)
    ).rows[0]?.n ?? 0,
  );
  if (sent >= ALERT_DELIVERY_CAP.alerts) return 'HELD';
  return sent === ALERT_DELIVERY_CAP.alerts - 1 ? 'LAST_SENT' : null;
}

/**
 * Stores the alert and its deliveries (the tenant's enabled Admins unless the rule says otherwise,
 * the rule's own addresses, each alert webhook) in the caller's transaction — none for an alert
 * held by the storm cap. The unique key (tenant_id, rule, subject, window_start) makes a second
 * raise of the same alert a no-op, whoever runs it: undefined then.
 */
export async function insertAlert(db: Db, tenantId: string, rule: TAlertRuleView, draft: TAlertDraft): Promise<TAlertView | undefined> {
  const id = uuidv7();
  const hold = await holdFor(db, tenantId, draft.rule);
  const inserted = await sql<{ id: string }>`insert into alerts (tenant_id, id, rule, subject, subject_label, window_start, window_minutes,
      first_at, last_at, count, threshold, seqs, filter, details, hold)
    values (${tenantId}, ${id}, ${draft.rule}, ${draft.subject}, ${draft.subjectLabel}, ${draft.windowStart}::timestamptz, ${rule.windowMinutes},
      ${draft.firstAt}::timestamptz, ${draft.lastAt}::timestamptz, ${draft.count}, ${rule.threshold}, ${draft.seqs.slice(0, MAX_ALERT_SEQS)}::bigint[],
      ${JSON.stringify(draft.filter)}::jsonb, ${JSON.stringify(draft.details)}::jsonb, ${hold})
    on conflict (tenant_id, rule, subject, window_start) do nothing returning id`.execute(db);
  if (inserted.rows.length === 0) return undefined;
  if (hold === 'HELD') return readAlert(db, tenantId, id);

  const admins = rule.notifyAdmins
    ? (
        await sql<{ email: string }>`select lower(email) as email from users
          where tenant_id = ${tenantId} and role = 'ADMIN' and disabled_at is null order by email`.execute(db)
      ).rows.map((r) => r.email)
    : [];
  const emails = [...new Set([...admins, ...rule.emails.map((e) => e.toLowerCase())])];
  if (emails.length > 0)
    await sql`insert into alert_deliveries (tenant_id, alert_id, recipient, channel, target)
      values (${tenantId}, ${id}, 'email', 'EMAIL', ${emails.join(', ')})`.execute(db);
  // a webhook is named by its id; its URL, when it is its own credential, only by its display form
  const hooks = (await sql<{ id: string; url: string }>`select id, url from alert_webhooks where tenant_id = ${tenantId} order by id`.execute(db)).rows;
  for (const hook of hooks)
    await sql`insert into alert_deliveries (tenant_id, alert_id, recipient, channel, target)
      values (${tenantId}, ${id}, ${`${WEBHOOK_RECIPIENT}${hook.id}`}, 'WEBHOOK', ${shownWebhookUrl(hook.url)})`.execute(db);
  return readAlert(db, tenantId, id);
}

/** A sentence naming the alert, for its event's target label, the mail's subject and the viewer. */
export function alertSummary(alert: Pick<TAlertView, 'rule' | 'subject' | 'subjectLabel' | 'count' | 'windowMinutes' | 'details'>): string {
  const who = alert.subjectLabel ?? alert.subject;
  switch (alert.rule) {
    case 'LOGIN_FAILURES_ACCOUNT':
      return `${alert.count} failed sign-ins of ${who} within ${alert.windowMinutes} minutes`;
    case 'LOGIN_FAILURES_ADDRESS':
      return `${alert.count} failed sign-ins across ${String(alert.details.accounts ?? '?')} accounts from ${who} within ${alert.windowMinutes} minutes`;
    case 'BRANCH_FROZEN_REFUSALS':
      return `${alert.count} action${alert.count === 1 ? '' : 's'} refused at frozen branch ${who} within ${alert.windowMinutes} minutes`;
    case 'CHAIN_BROKEN':
      return `the hash chain failed verification${alert.details.brokenSeq ? ` at seq ${String(alert.details.brokenSeq)}` : ''}`;
    case 'DEVICE_GAP':
      return `${alert.count} event${alert.count === 1 ? '' : 's'} of device ${String(alert.details.deviceId ?? who)} still missing after ${alert.windowMinutes} minutes`;
  }
}

/**
 * The alert's own record in the tenant's log: ALERT_RAISED by the system, with what triggered it.
 * Its eventId is the alert's id, so recording it again (a retried job, the sweep) stores nothing more.
 */
export function alertRaisedEvent(tenantId: string, alert: TAlertView, triggeringEventIds: string[]): TAuditEventInput {
  return {
    ...administrationEvent(
      tenantId,
      'ALERT_RAISED',
      { ...ALERTS_ACTOR },
      { type: 'ALERT', id: alert.id, label: alertSummary(alert).slice(0, 200) },
      {
        metadata: {
          rule: alert.rule,
          subjectKind: alert.subjectKind,
          subject: alert.subject,
          windowStart: alert.windowStart,
          windowMinutes: alert.windowMinutes,
          firstAt: alert.firstAt,
          lastAt: alert.lastAt,
          count: alert.count,
          threshold: alert.threshold,
          ...(alert.held ? { held: true } : {}),
          ...(alert.lastBeforeHold ? { lastBeforeHold: true } : {}),
          seqs: alert.seqs,
          eventIds: triggeringEventIds,
          ...alert.details,
        },
      },
    ),
    eventId: alert.id,
    occurredAt: alert.raisedAt,
  };
}

/** The eventIds of the triggering seqs (for the ALERT_RAISED event). */
export async function eventIdsOf(db: Db, tenantId: string, seqs: number[]): Promise<string[]> {
  if (seqs.length === 0) return [];
  const rows = (
    await sql<{ event_id: string }>`select event_id from audit_events where tenant_id = ${tenantId} and seq = any(${seqs}::bigint[]) order by seq`.execute(db)
  ).rows;
  return rows.map((r) => r.event_id);
}
