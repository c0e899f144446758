import { Migration } from '@mikro-orm/migrations';

/**
 * An alert's webhook deliveries name the webhook's URL in `alert_deliveries.target` for Admins to
 * read; the POST itself goes to the URL of `alert_webhooks` (sealed), found by `recipient`. Versions
 * before review F wrote the whole URL there, and one whose path or query is its credential (a
 * Slack, Google Chat, Mattermost or self-made webhook) stayed in clear in every delivery row. Only
 * its display form belongs there, scheme, host and a marker (alert-webhook-urls.ts, stream-urls.ts
 * displayUrl), and that needs no server secret, so it is written here once for every tenant: a
 * bare origin is left as it is. The runtime may not rewrite a target (its grant is the delivery
 * state); the owner does, with the table's forced row-level security lifted for this transaction.
 */
const SHOWN_DELIVERY_TARGETS = `update alert_deliveries
  set target = coalesce(
    substring(target from '^[A-Za-z][A-Za-z0-9+.-]*://') ||
      regexp_replace(substring(target from '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)'), '^.*@', '') || '/[REDACTED]',
    '[REDACTED]')
  where channel = 'WEBHOOK' and target !~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#@]*/?$' and target not like '%/[REDACTED]'`;

export class Migration20261203100000_delivery_targets_shown extends Migration {
  override name = 'Migration20261203100000_delivery_targets_shown';

  override async up(): Promise<void> {
    this.addSql('alter table alert_deliveries no force row level security');
    this.addSql(SHOWN_DELIVERY_TARGETS);
    this.addSql('alter table alert_deliveries force row level security');
  }
}
