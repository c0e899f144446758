import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Least privilege inside the database (issue "Least privilege…"):
 * - every security-definer function resolves names in pg_catalog, then public, and pg_temp last,
 *   so a temporary table named like a table it reads cannot shadow it;
 * - nobody but a superuser may create temporary objects;
 * - the chain head moves only through two functions: one that opens and locks it, one that advances
 *   it to a stored row after checking that every row in between is there and links to the one
 *   before (seq = head + 1, prev_hash = the head's hash, …);
 * - the runtime may change a quarantine row's status only, never the event it keeps;
 * - open_quarantine_count() counts the caller's tenant; operators' metrics get a bare total;
 * - the checkpoint scheduler lists tenant ids through a function instead of reading `tenants`.
 */
export class Migration20261201010000_least_privilege extends Migration {
  override name = 'Migration20261201010000_least_privilege';

  override async up(): Promise<void> {
    this.addSql(`create function lock_chain_head(p_tenant uuid) returns table (seq bigint, hash text)
      language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
      begin
        if p_tenant is distinct from nullif(current_setting('app.tenant_id', true), '')::uuid then
          raise exception 'lock_chain_head: % is not the current tenant', p_tenant;
        end if;
        insert into chain_heads (tenant_id, seq, hash, updated_at) values (p_tenant, 0, repeat('0', 64), now())
          on conflict (tenant_id) do nothing;
        return query select h.seq, h.hash from chain_heads h where h.tenant_id = p_tenant for update;
      end $$`);
    this.addSql(
      `comment on function lock_chain_head(uuid) is 'Opens (at seq 0, genesis hash) and locks the current tenant''s chain head for this transaction'`,
    );

    this.addSql(`create function advance_chain_head(p_tenant uuid, p_seq bigint, p_hash text) returns void
      language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
      declare
        v_head record;
        v_rows bigint;
        v_broken bigint;
      begin
        if p_tenant is distinct from nullif(current_setting('app.tenant_id', true), '')::uuid then
          raise exception 'advance_chain_head: % is not the current tenant', p_tenant;
        end if;
        select h.seq, h.hash into v_head from chain_heads h where h.tenant_id = p_tenant for update;
        if not found then raise exception 'advance_chain_head: no chain head for %', p_tenant; end if;
        if p_seq <= v_head.seq then
          raise exception 'advance_chain_head: seq % is not after the head (%)', p_seq, v_head.seq;
        end if;
        -- every row from head + 1 to p_seq is there once and links to the one before it
        select count(*), min(e.seq) filter (where e.prev_hash is distinct from e.prev_expected)
          into v_rows, v_broken
          from (select a.seq, a.prev_hash, coalesce(lag(a.hash) over (order by a.seq), v_head.hash) as prev_expected
                from audit_events a where a.tenant_id = p_tenant and a.seq > v_head.seq and a.seq <= p_seq) e;
        if v_rows <> p_seq - v_head.seq then
          raise exception 'advance_chain_head: % rows between seq % and %, expected %', v_rows, v_head.seq + 1, p_seq, p_seq - v_head.seq;
        end if;
        if v_broken is not null then
          raise exception 'advance_chain_head: event % does not link to the hash before it', v_broken;
        end if;
        if not exists (select 1 from audit_events a where a.tenant_id = p_tenant and a.seq = p_seq and a.hash = p_hash) then
          raise exception 'advance_chain_head: event % does not have hash %', p_seq, p_hash;
        end if;
        update chain_heads set seq = p_seq, hash = p_hash, updated_at = now() where tenant_id = p_tenant;
      end $$`);
    this.addSql(
      `comment on function advance_chain_head(uuid, bigint, text) is 'Moves the current tenant''s chain head to a stored row, only over rows that are all there and link'`,
    );

    this.addSql(`create or replace function open_quarantine_count() returns bigint
      language sql stable security definer set search_path = pg_catalog, public, pg_temp as $$
        select count(*) from quarantined_events
        where replayed_at is null and tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
      $$`);
    this.addSql(`create function quarantine_open_total() returns bigint
      language sql stable security definer set search_path = pg_catalog, public, pg_temp as $$
        select count(*) from quarantined_events where replayed_at is null
      $$`);
    this.addSql(
      `comment on function quarantine_open_total() is 'How many quarantined events wait for an operator, all tenants together (a number, for metrics)'`,
    );
    this.addSql(`create function tenant_ids() returns setof uuid
      language sql stable security definer set search_path = pg_catalog, public, pg_temp as $$
        select id from tenants order by id
      $$`);
    this.addSql(`comment on function tenant_ids() is 'Every tenant id, for the checkpoint scheduler (the runtime reads no tenant but the current one)'`);

    this.addSql(`revoke all on function lock_chain_head(uuid), advance_chain_head(uuid, bigint, text), quarantine_open_total(), tenant_ids() from public`);
    this.addSql(
      `grant execute on function lock_chain_head(uuid), advance_chain_head(uuid, bigint, text), quarantine_open_total(), tenant_ids() to ${APP_ROLE}`,
    );
    this.addSql(`revoke insert, update on chain_heads from ${APP_ROLE}`);
    this.addSql(`revoke update on quarantined_events from ${APP_ROLE}`);
    this.addSql(`grant update (reason, detail, quarantined_at, replayed_at) on quarantined_events to ${APP_ROLE}`);

    // after every function above exists: each security definer gets the safe search_path
    this.addSql(`do $$ declare f record; begin
        for f in select p.oid::regprocedure as sig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where n.nspname = 'public' and p.prosecdef loop
          execute format('alter function %s set search_path = pg_catalog, public, pg_temp', f.sig);
        end loop;
      end $$`);
    this.addSql(`do $$ begin execute format('revoke temporary on database %I from public', current_database()); end $$`);
  }
}
