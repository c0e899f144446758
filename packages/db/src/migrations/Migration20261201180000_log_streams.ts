import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Log streams (issue 16, item 2): a tenant's destinations (webhook, Splunk HEC, Datadog, S3), each
 * with its cursor — the last `seq` delivered — so that delivery resumes where it stopped after any
 * restart. The credential a destination needs (HMAC secret, HEC token, API key, S3 secret key) is
 * kept sealed (AES-256-GCM under a key derived from the server secret), never in `settings`.
 * Row-level security like every tenant table; the runtime reads, adds, deletes and updates the
 * columns it manages, nothing else. `stream_destinations_due` is the one cross-tenant read: the
 * worker's sweep learns which destinations have events to deliver (ids only).
 */
export class Migration20261201180000_log_streams extends Migration {
  override name = 'Migration20261201180000_log_streams';

  override async up(): Promise<void> {
    this.addSql(`create table stream_destinations (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      name text not null check (char_length(name) between 1 and 80),
      kind text not null check (kind in ('WEBHOOK', 'SPLUNK', 'DATADOG', 'S3')),
      settings jsonb not null,
      secret_sealed text,
      status text not null default 'ACTIVE' check (status in ('ACTIVE', 'PAUSED')),
      paused_reason text check (paused_reason in ('ADMIN', 'FAILURES')),
      cursor_seq bigint not null default 0 check (cursor_seq >= 0),
      consecutive_failures int not null default 0,
      next_attempt_at timestamptz,
      last_delivery_at timestamptz,
      last_delivered_received_at timestamptz,
      last_error text,
      last_error_at timestamptz,
      lease_token uuid,
      lease_until timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, name))`);
    // enabled, not forced (as quarantined_events): the runtime is confined to its tenant, while the
    // owner's stream_destinations_due below reads the active destinations of every tenant
    this.addSql('alter table stream_destinations enable row level security');
    this.addSql(`create policy stream_destinations_tenant on stream_destinations
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    this.addSql('revoke all on stream_destinations from public');
    this.addSql(`grant select, insert, delete on stream_destinations to ${APP_ROLE}`);
    this.addSql(`grant update (name, settings, secret_sealed, status, paused_reason, cursor_seq, consecutive_failures, next_attempt_at,
      last_delivery_at, last_delivered_received_at, last_error, last_error_at, lease_token, lease_until, updated_at) on stream_destinations to ${APP_ROLE}`);
    this.addSql(
      `comment on table stream_destinations is 'Log streams (issue 16): where a tenant''s events are delivered, with the cursor (last delivered seq); secret_sealed is AES-256-GCM under the server secret'`,
    );

    // chain_heads' row-level security is forced, also on this definer: it sets the tenant of each
    // destination in turn (transaction-local, restored at the end) to read that tenant's head.
    this.addSql(`create function stream_destinations_due(p_limit int) returns table (tenant_id uuid, id uuid)
      language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp as $$
      declare
        d record;
        head bigint;
        previous text := current_setting('app.tenant_id', true);
        n int := 0;
      begin
        for d in select distinct s.tenant_id as tid from stream_destinations s where s.status = 'ACTIVE' order by 1 loop
          perform set_config('app.tenant_id', d.tid::text, true);
          select h.seq into head from chain_heads h where h.tenant_id = d.tid;
          continue when head is null;
          for tenant_id, id in
            select s.tenant_id, s.id from stream_destinations s
             where s.tenant_id = d.tid and s.status = 'ACTIVE' and s.cursor_seq < head
               and (s.next_attempt_at is null or s.next_attempt_at <= now())
               and (s.lease_until is null or s.lease_until < now())
          loop
            return next;
            n := n + 1;
            if n >= p_limit then
              perform set_config('app.tenant_id', coalesce(previous, ''), true);
              return;
            end if;
          end loop;
        end loop;
        perform set_config('app.tenant_id', coalesce(previous, ''), true);
      end $$`);
    this.addSql(
      `comment on function stream_destinations_due(int) is 'Active log streams behind their tenant''s chain head and not waiting (backoff) nor held (lease): ids only, for the stream worker''s sweep'`,
    );
    this.addSql('revoke all on function stream_destinations_due(int) from public');
    this.addSql(`grant execute on function stream_destinations_due(int) to ${APP_ROLE}`);
  }
}
