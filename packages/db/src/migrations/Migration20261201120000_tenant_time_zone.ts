import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Issue 13, item 7: exports an auditor can hand in.
 * - `tenants.time_zone`: the IANA zone a tenant's exports show local times in (`cli tenant
 *   set-time-zone`), UTC until set. The runtime may change this one column of its own tenant (the
 *   tenants_self policy), nothing else of the row.
 * - `exports.mailed_at`: when the pack's link was mailed to the Admin who asked (SMTP_URL), so a
 *   retried mail job sends it once.
 */
export class Migration20261201120000_tenant_time_zone extends Migration {
  override name = 'Migration20261201120000_tenant_time_zone';

  override async up(): Promise<void> {
    this.addSql(`alter table tenants add column time_zone text not null default 'UTC' check (char_length(time_zone) between 1 and 64)`);
    this.addSql(
      `comment on column tenants.time_zone is 'IANA time zone of the tenant (e.g. Europe/Madrid): exports show local times in it beside UTC; set with cli tenant set-time-zone'`,
    );
    this.addSql(`grant update (time_zone) on tenants to ${APP_ROLE}`);
    this.addSql('alter table exports add column mailed_at timestamptz');
    this.addSql(
      `comment on column exports.mailed_at is 'When the link to the ready pack was mailed to the Admin who asked for it (SMTP_URL); null when not (yet) mailed'`,
    );
  }
}
