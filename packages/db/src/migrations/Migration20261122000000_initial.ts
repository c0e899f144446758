import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * The whole schema of the audit log. Written by hand rather than generated: row-level security,
 * immutability triggers and privileges are the point of this schema, and no generator emits them.
 */
export class Migration20261122000000_initial extends Migration {
  override name = 'Migration20261122000000_initial';

  override async up(): Promise<void> {
    // The runtime works as this role (set per transaction), whoever logs in: it cannot update,
    // delete or truncate the log, and row-level security applies to it.
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = '${APP_ROLE}') then create role ${APP_ROLE} nologin; end if;
    end $$`);
    this.addSql(`grant ${APP_ROLE} to current_user`);
    this.addSql(`grant usage on schema public to ${APP_ROLE}`);

    this.addSql(`create table tenants (
      id uuid primary key,
      name text not null check (length(name) between 1 and 200),
      created_at timestamptz not null default now())`);

    this.addSql(`create table api_keys (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      key_hash bytea not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      primary key (tenant_id, id),
      unique (tenant_id, key_hash))`);

    this.addSql(`create table users (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      email text not null,
      name text,
      role text not null check (role in ('ADMIN', 'MANAGER', 'CASHIER')),
      password_hash text not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, email))`);

    this.addSql(`create table branches (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      name text not null,
      status text not null check (status in ('ACTIVE', 'FROZEN')),
      provisioned_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (tenant_id, id))`);

    // Which tenant owns a branch id: a small reference table (replicated on every node under
    // Citus). The runtime reaches it only through the two functions below.
    this.addSql(`create table branch_directory (
      branch_id uuid primary key,
      tenant_id uuid not null references tenants(id))`);

    this.addSql(`create table chain_heads (
      tenant_id uuid primary key references tenants(id),
      seq bigint not null,
      hash text not null,
      updated_at timestamptz not null)`);

    this.addSql(`create table audit_events (
      tenant_id uuid not null references tenants(id),
      seq bigint not null check (seq >= 1),
      id uuid not null,
      event_id uuid not null,
      branch_id uuid,
      module text not null,
      action text not null,
      description text not null,
      outcome text not null check (outcome in ('SUCCESS', 'REJECTED', 'FAILED')),
      reason text,
      claimed_outcome text not null,
      actor_type text not null check (actor_type in ('USER', 'SYSTEM')),
      actor_id text,
      actor_role text,
      actor_name text,
      entity_type text,
      entity_id text,
      entity_label text,
      occurred_at timestamptz not null,
      received_at timestamptz not null,
      ip text,
      session_id text,
      device_id text,
      device_seq bigint,
      offline boolean,
      before jsonb,
      after jsonb,
      metadata jsonb,
      redacted_paths text[] not null,
      content_hash text not null,
      prev_hash text not null,
      hash text not null,
      primary key (tenant_id, seq),
      unique (tenant_id, event_id),
      unique (tenant_id, id))`);
    this.addSql('create index audit_events_by_time on audit_events (tenant_id, occurred_at desc, seq desc)');

    // Freeze state at any instant = the latest transition at or before it (whatever order the
    // events arrived in). Derived from stored BRANCH_/TENANT_(UN)FROZEN events; branch_id null = the tenant.
    this.addSql(`create table freeze_transitions (
      tenant_id uuid not null references tenants(id),
      seq bigint not null,
      branch_id uuid,
      occurred_at timestamptz not null,
      frozen boolean not null,
      primary key (tenant_id, seq))`);
    this.addSql('create index freeze_transitions_by_scope on freeze_transitions (tenant_id, branch_id, occurred_at)');

    this.addSql(`create table quarantined_events (
      tenant_id uuid not null,
      id uuid not null,
      event_id uuid not null,
      reason text not null,
      detail text not null,
      content_hash text not null,
      payload jsonb not null,
      received_at timestamptz not null,
      quarantined_at timestamptz not null default now(),
      replayed_at timestamptz,
      primary key (tenant_id, id),
      unique (tenant_id, event_id, content_hash))`);

    // Append-only, for every role: the owner and superusers included (a superuser who disables
    // the triggers is caught by the hash chain instead).
    this.addSql(`create function refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
      end $$`);
    for (const table of ['audit_events', 'freeze_transitions']) {
      this.addSql(`create trigger ${table}_no_update_delete before update or delete on ${table} for each row execute function refuse_change()`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function refuse_change()`);
    }

    // Row-level security: a transaction sees only the tenant it set (set_config(..., true)); one
    // that forgot sees nothing. FORCE makes the owner obey it too, for the tables that hold a
    // tenant's records. The operator's tables (tenants, quarantine) stay readable by the owner
    // across tenants for the CLI and metrics; the runtime role is confined on them as well.
    const tenantScoped = ['api_keys', 'users', 'branches', 'chain_heads', 'audit_events', 'freeze_transitions', 'quarantined_events'];
    const operatorTables = new Set(['quarantined_events']);
    for (const table of tenantScoped) {
      this.addSql(`alter table ${table} enable row level security`);
      if (!operatorTables.has(table)) this.addSql(`alter table ${table} force row level security`);
      this.addSql(`create policy ${table}_tenant on ${table}
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    }
    this.addSql('alter table tenants enable row level security');
    this.addSql(`create policy tenants_self on tenants
      using (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);

    this.addSql(`create function claim_branch(p_branch uuid) returns boolean
      language plpgsql security definer set search_path = public as $$
      declare
        v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
        v_owner uuid;
      begin
        if v_tenant is null then raise exception 'app.tenant_id is not set'; end if;
        insert into branch_directory (branch_id, tenant_id) values (p_branch, v_tenant) on conflict (branch_id) do nothing;
        select tenant_id into v_owner from branch_directory where branch_id = p_branch;
        return v_owner = v_tenant;
      end $$`);
    this.addSql(`comment on function claim_branch(uuid) is 'Records the current tenant as owner of a branch id; false when another tenant owns it'`);
    this.addSql(`create function foreign_branches(p_ids uuid[]) returns setof uuid
      language sql stable security definer set search_path = public as $$
        select branch_id from branch_directory
        where branch_id = any(p_ids) and tenant_id <> nullif(current_setting('app.tenant_id', true), '')::uuid
      $$`);
    this.addSql(`comment on function foreign_branches(uuid[]) is 'Of the given branch ids, those owned by another tenant (without saying which)'`);

    this.addSql(`create function open_quarantine_count() returns bigint
      language sql stable security definer set search_path = public as $$
        select count(*) from quarantined_events where replayed_at is null
      $$`);

    this.addSql(`revoke all on all tables in schema public from public`);
    this.addSql(`revoke all on function claim_branch(uuid), foreign_branches(uuid[]), open_quarantine_count() from public`);
    this.addSql(`grant execute on function claim_branch(uuid), foreign_branches(uuid[]), open_quarantine_count() to ${APP_ROLE}`);
    this.addSql(`grant select, insert on tenants, audit_events, freeze_transitions to ${APP_ROLE}`);
    this.addSql(`grant select, insert, update on api_keys, users, branches, chain_heads, quarantined_events to ${APP_ROLE}`);
  }
}
