import type { TAlertWebhookView } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../app-error.ts';
import { decryptSecret, encryptSecret } from '../auth/server-keys.ts';
import { newWebhookSecret } from '../streams/webhook-signature.ts';
import { checkTargetUrl, type TTargetPolicy } from '../streams/target-guard.ts';

/** The purpose of the key that seals alert webhook secrets (derived from the server secret). */
const SEAL_PURPOSE = 'alert-webhook-secret';

interface Row {
  id: string;
  url: string;
  created_at: string;
}
const view = (r: Row): TAlertWebhookView => ({ id: r.id, url: r.url, createdAt: r.created_at });

export function listAlertWebhooks(orm: Orm, tenantId: string): Promise<TAlertWebhookView[]> {
  return withTenant(orm, tenantId, async (em) =>
    (
      await sql<Row>`select id, url, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
        from alert_webhooks where tenant_id = ${tenantId} order by created_at, id`.execute(dbOf(em))
    ).rows.map(view),
  );
}

/**
 * Adds a webhook that receives every alert of the tenant: its URL checked as log streams check
 * theirs (https unless allowed, no private address unless allowed), its signing secret sealed.
 * Answers the secret when this call generated it: shown this once.
 */
export async function addAlertWebhook(
  orm: Orm,
  serverSecret: Buffer,
  policy: TTargetPolicy,
  tenantId: string,
  input: { url: string; secret?: string | undefined },
): Promise<{ webhook: TAlertWebhookView; signingSecret?: string }> {
  const url = checkTargetUrl(input.url, policy).toString();
  const secret = input.secret ?? newWebhookSecret();
  const id = uuidv7();
  const row = await withTenant(orm, tenantId, async (em) => {
    const rows = (
      await sql<Row>`insert into alert_webhooks (tenant_id, id, url, secret_sealed)
        values (${tenantId}, ${id}, ${url}, ${encryptSecret(serverSecret, secret, SEAL_PURPOSE)})
        on conflict (tenant_id, url) do nothing
        returning id, url, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`.execute(dbOf(em))
    ).rows;
    return rows[0];
  });
  if (!row) throw new AppError('CONFLICT', 'this URL already receives the alerts');
  return { webhook: view(row), ...(input.secret ? {} : { signingSecret: secret }) };
}

export async function removeAlertWebhook(orm: Orm, tenantId: string, id: string): Promise<TAlertWebhookView> {
  const row = await withTenant(orm, tenantId, async (em) => {
    const rows = (
      await sql<Row>`delete from alert_webhooks where tenant_id = ${tenantId} and id = ${id}
        returning id, url, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`.execute(dbOf(em))
    ).rows;
    return rows[0];
  });
  if (!row) throw new AppError('NOT_FOUND', 'no such alert webhook');
  return view(row);
}

/** The signing secret of one webhook, unsealed for a delivery (never logged, never returned to a caller). */
export async function webhookSecretOf(orm: Orm, serverSecret: Buffer, tenantId: string, id: string): Promise<{ url: string; secret: string } | undefined> {
  const row = await withTenant(
    orm,
    tenantId,
    async (em) =>
      (
        await sql<{ url: string; secret_sealed: string }>`select url, secret_sealed from alert_webhooks where tenant_id = ${tenantId} and id = ${id}`.execute(
          dbOf(em),
        )
      ).rows[0],
  );
  return row ? { url: row.url, secret: decryptSecret(serverSecret, row.secret_sealed, SEAL_PURPOSE) } : undefined;
}
