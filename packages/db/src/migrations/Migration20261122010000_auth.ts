import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * The viewer's sign-in (TOTP, lockout, sessions), the sign-in directory, and the indexes of the
 * read API. Hand-written like the initial migration: RLS, grants and security-definer functions.
 */
export class Migration20261122010000_auth extends Migration {
  override name = 'Migration20261122010000_auth';

  override async up(): Promise<void> {
    // --- users: second factor and lockout state ---
    this.addSql(`alter table users
      add column totp_secret_enc text,
      add column totp_enrolled boolean not null default false,
      add column totp_last_step bigint,
      add column failed_attempts integer not null default 0,
      add column last_failed_at timestamptz,
      add column locked_until timestamptz`);
    this.addSql(`comment on column users.totp_secret_enc is 'TOTP secret, AES-256-GCM under the server secret; never logged'`);
    this.addSql(`comment on column users.totp_last_step is 'Last accepted TOTP time-step: a code of this step or earlier is refused (replay)'`);

    // --- sessions: only the SHA-256 of the token is stored ---
    this.addSql(`create table sessions (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      user_id uuid not null,
      token_hash bytea not null,
      ip text,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      idle_expires_at timestamptz not null,
      absolute_expires_at timestamptz not null,
      revoked_at timestamptz,
      primary key (tenant_id, id),
      unique (tenant_id, token_hash),
      foreign key (tenant_id, user_id) references users (tenant_id, id))`);
    this.addSql(`alter table sessions enable row level security`);
    this.addSql(`alter table sessions force row level security`);
    this.addSql(`create policy sessions_tenant on sessions
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    this.addSql(`revoke all on sessions from public`);
    this.addSql(`grant select, insert, update on sessions to ${APP_ROLE}`);

    // --- sign-in directory: an email names one account across all tenants. A reference table
    // (like branch_directory) that the runtime reaches only through the functions below. ---
    this.addSql(`create table user_directory (
      email text primary key check (email = lower(email)),
      tenant_id uuid not null references tenants(id),
      user_id uuid not null,
      foreign key (tenant_id, user_id) references users (tenant_id, id))`);
    this.addSql(`insert into user_directory (email, tenant_id, user_id)
      select distinct on (lower(email)) lower(email), tenant_id, id from users order by lower(email), created_at
      on conflict do nothing`);
    this.addSql(`revoke all on user_directory from public`);
    this.addSql(`create function find_sign_in(p_email text) returns table (tenant_id uuid, user_id uuid)
      language sql stable security definer set search_path = public as $$
        select d.tenant_id, d.user_id from user_directory d where d.email = lower(p_email)
      $$`);
    this.addSql(`comment on function find_sign_in(text) is 'Which tenant and user an email signs in as (sign-in names no tenant)'`);
    this.addSql(`create function claim_email(p_email text, p_user uuid) returns boolean
      language plpgsql security definer set search_path = public as $$
      declare
        v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
      begin
        if v_tenant is null then raise exception 'app.tenant_id is not set'; end if;
        insert into user_directory (email, tenant_id, user_id) values (lower(p_email), v_tenant, p_user) on conflict (email) do nothing;
        return found;
      end $$`);
    this.addSql(`comment on function claim_email(text, uuid) is 'Reserves an email for a user of the current tenant; false when any tenant already has it'`);
    this.addSql(`revoke all on function find_sign_in(text), claim_email(text, uuid) from public`);
    this.addSql(`grant execute on function find_sign_in(text), claim_email(text, uuid) to ${APP_ROLE}`);

    // --- read API indexes: every one leads with tenant_id and ends with the list order, so the
    // first page of a filter is an index scan that stops after `limit` rows ---
    const byFilter: Record<string, string> = {
      branch: 'branch_id',
      action: 'action',
      actor: 'actor_id',
      outcome: 'outcome',
      reason: 'reason',
      entity: 'entity_type, entity_id',
      session: 'session_id',
      module: 'module',
    };
    for (const [name, columns] of Object.entries(byFilter)) {
      this.addSql(`create index audit_events_by_${name} on audit_events (tenant_id, ${columns}, occurred_at desc, seq desc)`);
    }
    // search: ILIKE '%term%' over description, entity label and actor name through trigrams
    // (pg_trgm and btree_gin are trusted extensions: the database owner may create them)
    this.addSql('create extension if not exists pg_trgm');
    this.addSql('create extension if not exists btree_gin');
    this.addSql(`create index audit_events_search on audit_events using gin
      (tenant_id, description gin_trgm_ops, entity_label gin_trgm_ops, actor_name gin_trgm_ops)`);
  }
}
