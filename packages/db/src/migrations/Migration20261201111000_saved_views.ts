import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Saved views (issue 13, item 3): an Admin's named filters of the log, their own (listed, saved
 * and deleted by that Admin only). Row-level security like every tenant table; the runtime reads,
 * adds, replaces the filter of and deletes its tenant's rows, nothing else. Saving and deleting one
 * is recorded in the tenant's log (AUDIT_VIEW_SAVED / AUDIT_VIEW_DELETED) by the server.
 */
export class Migration20261201111000_saved_views extends Migration {
  override name = 'Migration20261201111000_saved_views';

  override async up(): Promise<void> {
    this.addSql(`create table saved_views (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      user_id uuid not null,
      name text not null check (char_length(name) between 1 and 80),
      view jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, user_id, name),
      foreign key (tenant_id, user_id) references users (tenant_id, id))`);
    this.addSql('alter table saved_views enable row level security');
    this.addSql('alter table saved_views force row level security');
    this.addSql(`create policy saved_views_tenant on saved_views
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    this.addSql('revoke all on saved_views from public');
    this.addSql(`grant select, insert, delete on saved_views to ${APP_ROLE}`);
    this.addSql(`grant update (view, updated_at) on saved_views to ${APP_ROLE}`);
    this.addSql(`comment on table saved_views is 'Named filters of the log, each of one Admin (issue 13); the view is the viewer''s filter as JSON'`);
  }
}
