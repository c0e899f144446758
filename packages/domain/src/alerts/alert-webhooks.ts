import type { TAlertWebhookView } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../app-error.ts';
import { decryptSecret, encryptSecret } from '../auth/server-keys.ts';
import { newWebhookSecret } from '../streams/webhook-signature.ts';
import { checkTargetUrl, type TTargetPolicy } from '../streams/target-guard.ts';
import { isShownForm, needsReseal, sendableWebhookUrl, shownWebhookUrl, storedWebhookUrl } from './alert-webhook-urls.ts';

/** How alert_deliveries.recipient names a webhook: `webhook:<id>`. */
export const WEBHOOK_RECIPIENT = 'webhook:';

/** The purpose of the key that seals alert webhook secrets (derived from the server secret). */
const SEAL_PURPOSE = 'alert-webhook-secret';

interface Row {
  id: string;
  url: string;
  created_at: string;
}
// a URL that is its own credential is shown as its display form (alert-webhook-urls.ts)
const view = (r: Row): TAlertWebhookView => ({ id: r.id, url: shownWebhookUrl(r.url), createdAt: r.created_at });
const CREATED_AT = sql.raw(`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`);

/**
 * Lazy reseal: a credential URL an earlier version stored in clear is rewritten sealed. The runtime
 * may not UPDATE alert_webhooks, so the row is deleted and inserted again as it was (same id, secret
 * and created_at; deliveries name the webhook by id), and only if its URL is still the one read.
 */
export async function resealWebhookUrls(db: Db, serverSecret: Buffer, tenantId: string, rows: { id: string; url: string }[]): Promise<void> {
  for (const r of rows) {
    if (!needsReseal(r.url)) continue;
    const gone = (
      await sql<{ secret_sealed: string; created_at: Date }>`delete from alert_webhooks where tenant_id = ${tenantId} and id = ${r.id} and url = ${r.url}
        returning secret_sealed, created_at`.execute(db)
    ).rows[0];
    if (gone)
      await sql`insert into alert_webhooks (tenant_id, id, url, secret_sealed, created_at)
        values (${tenantId}, ${r.id}, ${storedWebhookUrl(serverSecret, r.url)}, ${gone.secret_sealed}, ${gone.created_at})`.execute(db);
  }
}

/**
 * The tenant's alert webhooks, oldest first; a URL that is its own credential shown as its display
 * form. Given the server secret, one an earlier version stored in clear is sealed now (lazy reseal).
 */
export function listAlertWebhooks(orm: Orm, tenantId: string, serverSecret?: Buffer): Promise<TAlertWebhookView[]> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const rows = (await sql<Row>`select id, url, ${CREATED_AT} from alert_webhooks where tenant_id = ${tenantId} order by created_at, id`.execute(db)).rows;
    if (serverSecret) await resealWebhookUrls(db, serverSecret, tenantId, rows);
    return rows.map(view);
  });
}

/**
 * Adds a webhook that receives every alert of the tenant: its URL checked as log streams check
 * theirs (https unless allowed, no private address unless allowed), its signing secret sealed, and
 * its URL too when the URL is its own credential (alert-webhook-urls.ts). Answers the secret when
 * this call generated it: shown this once.
 */
export async function addAlertWebhook(
  orm: Orm,
  serverSecret: Buffer,
  policy: TTargetPolicy,
  tenantId: string,
  input: { url: string; secret?: string | undefined },
): Promise<{ webhook: TAlertWebhookView; signingSecret?: string }> {
  const url = checkTargetUrl(input.url, policy).toString();
  if (isShownForm(url)) throw new AppError('VALIDATION_FAILED', 'this is the form a webhook URL is shown in, not one to post to: give the URL itself');
  const secret = input.secret ?? newWebhookSecret();
  const id = uuidv7();
  const row = await withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    // a sealed URL is sealed anew each time, so (tenant_id, url) no longer finds the same URL twice:
    // adds of a tenant take turns, and each compares its URL with the URLs already kept
    await sql`select pg_advisory_xact_lock(hashtextextended(${`modula-audit:alert-webhooks:${tenantId}`}, 0))`.execute(db);
    const kept = (await sql<{ id: string; url: string }>`select id, url from alert_webhooks where tenant_id = ${tenantId}`.execute(db)).rows;
    await resealWebhookUrls(db, serverSecret, tenantId, kept);
    if (kept.some((k) => k.url === url || opensTo(serverSecret, k.url) === url)) return undefined;
    const rows = (
      await sql<Row>`insert into alert_webhooks (tenant_id, id, url, secret_sealed)
        values (${tenantId}, ${id}, ${storedWebhookUrl(serverSecret, url)}, ${encryptSecret(serverSecret, secret, SEAL_PURPOSE)})
        on conflict (tenant_id, url) do nothing
        returning id, url, ${CREATED_AT}`.execute(db)
    ).rows;
    return rows[0];
  });
  if (!row) throw new AppError('CONFLICT', 'this URL already receives the alerts');
  return { webhook: view(row), ...(input.secret ? {} : { signingSecret: secret }) };
}

/** The URL a kept webhook posts to; undefined when it cannot be opened (sealed under another server secret). */
function opensTo(serverSecret: Buffer, stored: string): string | undefined {
  try {
    return sendableWebhookUrl(serverSecret, stored);
  } catch {
    return undefined;
  }
}

export async function removeAlertWebhook(orm: Orm, tenantId: string, id: string): Promise<TAlertWebhookView> {
  const row = await withTenant(orm, tenantId, async (em) => {
    const rows = (
      await sql<Row>`delete from alert_webhooks where tenant_id = ${tenantId} and id = ${id}
        returning id, url, ${CREATED_AT}`.execute(dbOf(em))
    ).rows;
    return rows[0];
  });
  if (!row) throw new AppError('NOT_FOUND', 'no such alert webhook');
  return view(row);
}

/**
 * The URL and signing secret of one webhook, both unsealed for a delivery (never logged, never
 * returned to a caller); a URL an earlier version stored in clear is sealed now (lazy reseal).
 */
export async function webhookSecretOf(orm: Orm, serverSecret: Buffer, tenantId: string, id: string): Promise<{ url: string; secret: string } | undefined> {
  const row = await withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const found = (
      await sql<{ url: string; secret_sealed: string }>`select url, secret_sealed from alert_webhooks where tenant_id = ${tenantId} and id = ${id}`.execute(db)
    ).rows[0];
    if (found) await resealWebhookUrls(db, serverSecret, tenantId, [{ id, url: found.url }]);
    return found;
  });
  return row ? { url: sendableWebhookUrl(serverSecret, row.url), secret: openAlertWebhookSecret(serverSecret, row.secret_sealed) } : undefined;
}

/** A webhook's signing secret, opened (throws under another server secret). */
export function openAlertWebhookSecret(serverSecret: Buffer, sealed: string): string {
  return decryptSecret(serverSecret, sealed, SEAL_PURPOSE);
}
