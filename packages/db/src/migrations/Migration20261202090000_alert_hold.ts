import { Migration } from '@mikro-orm/migrations';

/**
 * Alert storms across subjects (issue 16): one alert per rule, subject and window still lets a
 * compromised ingest key invent a thousand accounts and mail the Admins a thousand times. `hold`
 * is HELD on an alert raised after its rule already sent ALERT_DELIVERY_CAP alerts within the cap's
 * window — stored, recorded as ALERT_RAISED and shown like any other, but sent to nobody — and
 * LAST_SENT on the last one sent before that (its mail says what follows).
 */
export class Migration20261202090000_alert_hold extends Migration {
  override name = 'Migration20261202090000_alert_hold';

  override async up(): Promise<void> {
    this.addSql(`alter table alerts add column hold text check (hold in ('LAST_SENT', 'HELD'))`);
    this.addSql('create index alerts_by_rule_raised on alerts (tenant_id, rule, raised_at desc)');
    this.addSql(
      `comment on column alerts.hold is 'HELD: raised after its rule sent ALERT_DELIVERY_CAP alerts within the cap''s window (recorded and shown, not mailed or posted); LAST_SENT: the last sent before'`,
    );
  }
}
