import { WEBHOOK_SIGNATURE_HEADER, type TAlertView, type TAlertWebhookBody } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import type { TMail } from '../exports/export-mail.ts';
import { guardedAgents, postBody } from '../streams/stream-http.ts';
import type { TTargetPolicy } from '../streams/target-guard.ts';
import { signWebhook } from '../streams/webhook-signature.ts';
import { alertMail } from './alert-mail.ts';
import { readAlert } from './alert-views.ts';
import { WEBHOOK_RECIPIENT, webhookSecretOf } from './alert-webhooks.ts';

export interface TAlertDeliverySettings {
  /** Null without SMTP_URL: a mail delivery then fails for good at once (nothing to retry). */
  mailer: { send(mail: TMail): Promise<unknown> } | null;
  origin: string;
  serverSecret: Buffer;
  policy: TTargetPolicy;
  timeoutMs: number;
  agents: ReturnType<typeof guardedAgents>;
}

export interface TDeliveryOutcome {
  sent: number;
  failed: number;
  /** Deliveries still to try: the job retries them with backoff. */
  pending: number;
}

interface Pending {
  recipient: string;
  channel: 'EMAIL' | 'WEBHOOK';
  target: string;
}

/** What a failure is called in the alert's delivery state: a message, never a credential (no URL query, no secret). */
function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`.slice(0, 300);
}

/** The webhook's body: the alert as the viewer shows it, without its delivery state. */
export function alertWebhookBody(tenantId: string, alert: TAlertView): string {
  const { deliveries: _d, acknowledgedAt: _a, acknowledgedBy: _b, ...rest } = alert;
  const body: TAlertWebhookBody = { type: 'alert', tenantId, alert: rest };
  return JSON.stringify(body);
}

/**
 * Delivers one alert to each of its recipients not yet served (mail: one message to all its
 * addresses; each webhook: a signed POST), recording each attempt on the alert. A failure leaves
 * the delivery PENDING for the job's next attempt, or FAILED on the last (`final`): the alert itself
 * is never lost — it is stored and in the log whatever its delivery does.
 */
export async function deliverAlert(orm: Orm, s: TAlertDeliverySettings, tenantId: string, alertId: string, final: boolean): Promise<TDeliveryOutcome> {
  const found = await withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const alert = await readAlert(db, tenantId, alertId);
    const pending = (
      await sql<Pending>`select recipient, channel, target from alert_deliveries
        where tenant_id = ${tenantId} and alert_id = ${alertId} and state = 'PENDING' order by recipient`.execute(db)
    ).rows;
    const tenant = (await sql<{ name: string }>`select name from tenants where id = ${tenantId}`.execute(db)).rows[0];
    return alert ? { alert, pending, tenantName: tenant?.name ?? tenantId } : undefined;
  });
  const outcome: TDeliveryOutcome = { sent: 0, failed: 0, pending: 0 };
  if (!found) return outcome;
  for (const d of found.pending) {
    let error: string | null = null;
    let permanent = false;
    try {
      if (d.channel === 'EMAIL') {
        if (!s.mailer) {
          permanent = true;
          throw new Error('SMTP_URL is not set: alerts cannot be mailed');
        }
        await s.mailer.send(alertMail(found.alert, found.tenantName, s.origin, d.target));
      } else {
        const hook = await webhookSecretOf(orm, s.serverSecret, tenantId, d.recipient.slice(WEBHOOK_RECIPIENT.length));
        if (!hook) {
          permanent = true;
          throw new Error('the webhook was removed');
        }
        const body = alertWebhookBody(tenantId, found.alert);
        const answer = await postBody(
          hook.url,
          {
            'content-type': 'application/json',
            [WEBHOOK_SIGNATURE_HEADER]: signWebhook(hook.secret, body, Math.floor(Date.now() / 1000)),
            'Modula-Alert-Id': found.alert.id,
          },
          body,
          { timeoutMs: s.timeoutMs, policy: s.policy, agents: s.agents },
        );
        if (answer.status < 200 || answer.status >= 300) throw new Error(`HTTP ${answer.status}`);
      }
    } catch (err) {
      error = describe(err);
    }
    const state = error === null ? 'SENT' : permanent || final ? 'FAILED' : 'PENDING';
    await withTenant(orm, tenantId, (em) =>
      sql`update alert_deliveries set state = ${state}, attempts = attempts + 1, last_error = ${error},
          delivered_at = ${state === 'SENT' ? sql`now()` : sql`null`}, updated_at = now()
        where tenant_id = ${tenantId} and alert_id = ${alertId} and recipient = ${d.recipient}`.execute(dbOf(em)),
    );
    if (state === 'SENT') outcome.sent += 1;
    else if (state === 'FAILED') outcome.failed += 1;
    else outcome.pending += 1;
  }
  return outcome;
}

/** The delivery settings of a worker: the installation's stream policy (http, private addresses) applies to alert webhooks too. */
export function alertDeliverySettings(opts: Omit<TAlertDeliverySettings, 'agents'>): TAlertDeliverySettings {
  return { ...opts, agents: guardedAgents(opts.policy) };
}
