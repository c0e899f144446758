import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { resealWebhookUrls } from '../alerts/alert-webhooks.ts';
import { allTenantIds } from '../integrity/checkpoints.ts';
import { resealStoredUrls } from './stream-destinations.ts';
import { needsReseal } from './stream-urls.ts';
import { needsReseal as webhookNeedsReseal } from '../alerts/alert-webhook-urls.ts';

/**
 * Seals, in every tenant, the stream and alert-webhook URLs still stored in clear: by an earlier
 * version, or before a URL with a path or query counted as a possible credential (review F §4).
 * Reads seal them lazily too, but an idle tenant's rows would wait for a read that may not come.
 * Run by a worker once its server secret is the database's; rows changed meanwhile are left to the
 * lazy reseal (each rewrite checks the row is still what was read). Answers how many it sealed.
 */
export async function sealUrlsStoredInClear(orm: Orm, serverSecret: Buffer): Promise<{ streams: number; webhooks: number }> {
  const sealed = { streams: 0, webhooks: 0 };
  for (const tenantId of await allTenantIds(orm)) {
    await withTenant(orm, tenantId, async (em) => {
      const db = dbOf(em);
      const streams = (
        await sql<{ id: string; settings: unknown }>`select id, settings from stream_destinations where tenant_id = ${tenantId}`.execute(db)
      ).rows.filter((r) => needsReseal(r.settings));
      await resealStoredUrls(db, { serverSecret }, tenantId, streams);
      const webhooks = (await sql<{ id: string; url: string }>`select id, url from alert_webhooks where tenant_id = ${tenantId}`.execute(db)).rows.filter((r) =>
        webhookNeedsReseal(r.url),
      );
      await resealWebhookUrls(db, serverSecret, tenantId, webhooks);
      sealed.streams += streams.length;
      sealed.webhooks += webhooks.length;
    });
  }
  return sealed;
}
