import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { needsReseal as webhookNeedsReseal } from '../alerts/alert-webhook-urls.ts';
import { resealWebhookUrls } from '../alerts/alert-webhooks.ts';
import { allTenantIds } from '../integrity/checkpoints.ts';
import { resealStoredUrls } from './stream-destinations.ts';
import { displayUrl, needsReseal } from './stream-urls.ts';

type TSweepLog = { warn(fields: Record<string, unknown>, msg: string): void };

/**
 * What an error says, with each URL in it cut to its display form: the rows swept hold URLs that
 * are their own credential, and an error about one (a driver's, a parser's) may quote it.
 */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => displayUrl(url));
}

/**
 * Seals, in every tenant, the stream and alert-webhook URLs still stored in clear: by an earlier
 * version, or before a URL with a path or query counted as a possible credential (review F §4).
 * Reads seal them lazily too, but an idle tenant's rows would wait for a read that may not come.
 * Run by a worker once its server secret is the database's; rows changed meanwhile are left to the
 * lazy reseal (each rewrite checks the row is still what was read). Each row in a transaction of its
 * own, and a failure (a tenant's rows that cannot be read, a row that cannot be sealed) is said in
 * `log` by tenant and row id and passed over: one bad row must not leave every later tenant's URLs in
 * clear. Never the URL: the message of a failure is cut to display forms. Answers how many it
 * sealed, and how many failed.
 */
export async function sealUrlsStoredInClear(orm: Orm, serverSecret: Buffer, log: TSweepLog): Promise<{ streams: number; webhooks: number; failed: number }> {
  const sealed = { streams: 0, webhooks: 0, failed: 0 };
  const failed = (fields: Record<string, unknown>, err: unknown) => {
    sealed.failed++;
    log.warn(
      { ...fields, reason: reasonOf(err) },
      'could not seal a URL stored in clear: it stays in clear until it is read, and is tried again at the next start',
    );
  };
  for (const tenantId of await allTenantIds(orm)) {
    let rows: { streams: { id: string; settings: unknown }[]; webhooks: { id: string; url: string }[] };
    try {
      rows = await withTenant(orm, tenantId, async (em) => ({
        streams: (await sql<{ id: string; settings: unknown }>`select id, settings from stream_destinations where tenant_id = ${tenantId}`.execute(dbOf(em)))
          .rows,
        webhooks: (await sql<{ id: string; url: string }>`select id, url from alert_webhooks where tenant_id = ${tenantId}`.execute(dbOf(em))).rows,
      }));
    } catch (err) {
      failed({ tenantId }, err);
      continue;
    }
    for (const row of rows.streams) {
      try {
        if (!needsReseal(row.settings)) continue;
        await withTenant(orm, tenantId, (em) => resealStoredUrls(dbOf(em), { serverSecret }, tenantId, [row]));
        sealed.streams++;
      } catch (err) {
        failed({ tenantId, streamId: row.id }, err);
      }
    }
    for (const row of rows.webhooks) {
      try {
        if (!webhookNeedsReseal(row.url)) continue;
        await withTenant(orm, tenantId, (em) => resealWebhookUrls(dbOf(em), serverSecret, tenantId, [row]));
        sealed.webhooks++;
      } catch (err) {
        failed({ tenantId, alertWebhookId: row.id }, err);
      }
    }
  }
  return sealed;
}
