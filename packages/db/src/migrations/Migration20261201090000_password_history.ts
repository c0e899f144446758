import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Password history (PCI DSS v4 8.3.7): a new password must differ from the last four. The current
 * one is `users.password_hash`; this table keeps the argon2id hashes of the ones it replaced (the
 * three newest: the runtime deletes older rows as it inserts). Hashes only, never a password; no
 * log or event holds either. Row-level security like every tenant table: the runtime reads and
 * writes its tenant's rows only, and never updates one.
 */
export class Migration20261201090000_password_history extends Migration {
  override name = 'Migration20261201090000_password_history';

  override async up(): Promise<void> {
    this.addSql(`create table password_history (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      user_id uuid not null,
      password_hash text not null,
      replaced_at timestamptz not null default now(),
      primary key (tenant_id, id),
      foreign key (tenant_id, user_id) references users (tenant_id, id))`);
    this.addSql('create index password_history_user on password_history (tenant_id, user_id, replaced_at desc, id desc)');
    this.addSql('alter table password_history enable row level security');
    this.addSql('alter table password_history force row level security');
    this.addSql(`create policy password_history_tenant on password_history
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    this.addSql('revoke all on password_history from public');
    this.addSql(`grant select, insert, delete on password_history to ${APP_ROLE}`);
    this.addSql(
      `comment on table password_history is 'argon2id hashes of the passwords a user replaced (the newest three): with users.password_hash, the last four, which a new password must differ from (PCI DSS 8.3.7)'`,
    );
  }
}
