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
// scheme and host lower-cased and a default port dropped, as a WHATWG URL's `host` (displayUrl); a
// bare origin, a display form already and what is not a URL at all ('[REDACTED]') are matched apart
const SCHEME = `'^[A-Za-z][A-Za-z0-9+.-]*://'`;
const SHOWN_DELIVERY_TARGETS = `update alert_deliveries d
  set target = coalesce(p.scheme || '://' || case p.scheme when 'https' then regexp_replace(p.host, ':443$', '')
      when 'http' then regexp_replace(p.host, ':80$', '') else p.host end || '/[REDACTED]', '[REDACTED]')
  from (select tenant_id, alert_id, recipient,
          lower(substring(target from '^([A-Za-z][A-Za-z0-9+.-]*)://')) as scheme,
          lower(regexp_replace(substring(target from '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)'), '^.*@', '')) as host
        from alert_deliveries
        where channel = 'WEBHOOK' and target !~ (${SCHEME} || '[^/?#@]*/?$') and target !~ (${SCHEME} || '[^/?#@]*/\\[REDACTED\\]$')) p
  where d.tenant_id = p.tenant_id and d.alert_id = p.alert_id and d.recipient = p.recipient`;

export class Migration20261203100000_delivery_targets_shown extends Migration {
  override name = 'Migration20261203100000_delivery_targets_shown';

  override async up(): Promise<void> {
    this.addSql('alter table alert_deliveries no force row level security');
    this.addSql(SHOWN_DELIVERY_TARGETS);
    this.addSql('alter table alert_deliveries force row level security');
  }
}
