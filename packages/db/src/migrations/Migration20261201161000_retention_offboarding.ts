import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, MAINTENANCE_ROLE } from '../roles.ts';

const TENANT_POLICY = `using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`;

/**
 * Issue 14, items 4-5: retention per tenant and offboarding.
 *
 * - `tenants.retention_days`: null keeps the log for the whole subscription (spec §9's default).
 * - `chain_anchors`: where a tenant's chain now starts once a prefix expired — the signed checkpoint
 *   at the cut (and its Merkle frontier), and the signed manifest of the archive pack that holds
 *   the removed events. verify-chain starts from the newest anchor. Append-only.
 * - `tenant_tombstones`: what an offboarded tenant leaves: the signed tombstone. Append-only; no
 *   row-level security (the tenant is gone; the tombstone names nothing but ids and hashes).
 * - `modula_audit_maintenance`: NOLOGIN, granted to the owner (and to a dedicated login an
 *   operator may create); it holds EXECUTE on `remove_tenant_rows` and nothing else.
 * - `remove_tenant_rows`: the ONE way rows leave the log. SECURITY DEFINER (runs as the owner),
 *   pinned search_path; refuses unless the prefix ends at a signed checkpoint whose hash is the
 *   stored one and a READY archive pack (sha256 and signature as recorded) covers exactly the rows
 *   it removes; offboarding also needs the pack to reach the chain head and a tombstone.
 * - `refuse_change` lets a DELETE through only inside that function (its frame on the PL/pgSQL
 *   stack, the transaction-local `modula.removing_tenant` it sets, and the table owner as the
 *   current user): the runtime, the maintenance role outside the function and the owner running
 *   SQL by hand are refused as before; UPDATE and TRUNCATE are refused for everyone.
 */
export class Migration20261201161000_retention_offboarding extends Migration {
  override name = 'Migration20261201161000_retention_offboarding';

  override async up(): Promise<void> {
    this.addSql('alter table tenants add column retention_days integer check (retention_days is null or retention_days >= 1)');
    this.addSql(
      `comment on column tenants.retention_days is 'Events received more than this many days ago expire (archived, then removed as a chain prefix); null keeps them for the subscription'`,
    );
    this.addSql(`grant update (retention_days) on tenants to ${APP_ROLE}`);
    this.addSql(`create table chain_anchors (
      tenant_id uuid not null,
      seq bigint not null check (seq >= 1),
      hash text not null,
      checkpoint jsonb not null,
      frontier text[] not null,
      archive_export_id uuid not null,
      archive_sha256 text not null,
      archive_manifest jsonb not null,
      removed bigint not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, seq))`);
    this.addSql(`create table tenant_tombstones (
      tenant_id uuid primary key,
      tombstone jsonb not null,
      created_at timestamptz not null default now())`);
    for (const t of ['chain_anchors', 'tenant_tombstones']) {
      this.addSql(`create trigger ${t}_no_update_delete before update or delete on ${t} for each row execute function refuse_change()`);
      this.addSql(`create trigger ${t}_no_truncate before truncate on ${t} for each statement execute function refuse_change()`);
      this.addSql(`revoke all on ${t} from public`);
      this.addSql(`grant select on ${t} to ${APP_ROLE}`);
    }
    this.addSql('alter table chain_anchors enable row level security');
    this.addSql('alter table chain_anchors force row level security');
    this.addSql(`create policy chain_anchors_tenant on chain_anchors ${TENANT_POLICY}`);

    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = '${MAINTENANCE_ROLE}') then
        create role ${MAINTENANCE_ROLE} nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
      end if;
    end $$`);
    this.addSql(`grant ${MAINTENANCE_ROLE} to current_user`);
    this.addSql(REFUSE_CHANGE);
    this.addSql(REMOVE_TENANT_ROWS);
    this.addSql('revoke all on function remove_tenant_rows(uuid, bigint, jsonb, jsonb) from public');
    this.addSql(`grant execute on function remove_tenant_rows(uuid, bigint, jsonb, jsonb) to ${MAINTENANCE_ROLE}`);
  }
}

const REFUSE_CHANGE = `
create or replace function refuse_change() returns trigger language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  ctx text;
begin
  if tg_op = 'DELETE' and coalesce(current_setting('modula.removing_tenant', true), '') <> '' then
    get diagnostics ctx = pg_context;
    if ctx ~ E'\\nPL/pgSQL function remove_tenant_rows\\\\(uuid,bigint,jsonb,jsonb\\\\) line [0-9]+ at (SQL statement|EXECUTE)'
       and current_user = (select relowner::regrole::text from pg_class where oid = tg_relid) then
      return old;
    end if;
  end if;
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end $$`;

export const REMOVE_TENANT_ROWS = `
create function remove_tenant_rows(p_tenant uuid, p_through_seq bigint, p_archive jsonb, p_tombstone jsonb default null) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  from_seq bigint;
  cut_hash text;
  cp record;
  head record;
  n bigint;
  tbl text;
  pending text[];
  left_over text[];
begin
  perform set_config('app.tenant_id', p_tenant::text, true);
  select coalesce(max(seq), 0) + 1 into from_seq from chain_anchors where tenant_id = p_tenant;
  if p_tombstone is null then
    if p_through_seq < from_seq then
      raise exception 'events up to % are already removed (the chain starts at %)', p_through_seq, from_seq using errcode = 'check_violation';
    end if;
    select hash into cut_hash from audit_events where tenant_id = p_tenant and seq = p_through_seq;
  else
    select seq, hash into head from chain_heads where tenant_id = p_tenant;
    if coalesce(head.seq, 0) <> p_through_seq then
      raise exception 'offboarding must cover the whole chain: the head is %, not %', coalesce(head.seq, 0), p_through_seq using errcode = 'check_violation';
    end if;
    cut_hash := coalesce(head.hash, repeat('0', 64));
    if p_tombstone->>'tenantId' <> p_tenant::text or p_tombstone->>'finalHash' <> cut_hash or (p_tombstone->>'toSeq')::bigint <> p_through_seq
       or p_tombstone->>'packSha256' <> p_archive->>'sha256' or coalesce(p_tombstone->>'signature', '') = '' then
      raise exception 'the tombstone does not state this tenant''s final chain and pack' using errcode = 'check_violation';
    end if;
  end if;
  if cut_hash is null then
    raise exception 'no event % of tenant %', p_through_seq, p_tenant using errcode = 'check_violation';
  end if;
  select * into cp from checkpoints where tenant_id = p_tenant and seq = p_through_seq and hash = cut_hash order by created_at desc limit 1;
  if not found then
    raise exception 'no signed checkpoint of tenant % at seq % with its chain hash', p_tenant, p_through_seq using errcode = 'check_violation';
  end if;
  if not exists (select 1 from exports where tenant_id = p_tenant and id = (p_archive->>'exportId')::uuid and status = 'READY'
        and sha256 = p_archive->>'sha256' and signature = p_archive->>'signature')
     or p_archive->>'tenantId' <> p_tenant::text
     or coalesce((p_archive->'chainRange'->>'toSeq')::bigint, 0) <> p_through_seq
     or (p_through_seq >= from_seq and (p_archive->'chainRange'->>'fromSeq')::bigint <> from_seq)
     or (p_archive->>'rows')::bigint <> greatest(p_through_seq - from_seq + 1, 0)
     or (p_archive->'checkpoint'->>'seq')::bigint <> p_through_seq or p_archive->'checkpoint'->>'hash' <> cut_hash then
    raise exception 'no archive pack of tenant % holds exactly events % to %', p_tenant, from_seq, p_through_seq using errcode = 'check_violation';
  end if;

  perform set_config('modula.removing_tenant', p_tenant::text, true);
  if p_tombstone is null then
    insert into chain_anchors (tenant_id, seq, hash, checkpoint, frontier, archive_export_id, archive_sha256, archive_manifest, removed)
      values (p_tenant, p_through_seq, cut_hash, p_archive->'checkpoint', cp.frontier, (p_archive->>'exportId')::uuid, p_archive->>'sha256', p_archive,
        p_through_seq - from_seq + 1);
    delete from audit_event_search where tenant_id = p_tenant and seq <= p_through_seq;
    delete from audit_events where tenant_id = p_tenant and seq <= p_through_seq;
    get diagnostics n = row_count;
    perform set_config('modula.removing_tenant', '', true);
    return jsonb_build_object('removed', n, 'fromSeq', from_seq, 'toSeq', p_through_seq, 'anchorHash', cut_hash);
  end if;

  insert into tenant_tombstones (tenant_id, tombstone) values (p_tenant, p_tombstone);
  -- every table with a tenant_id (partitions through their parent), children before parents:
  -- a table whose rows others still reference is tried again on the next pass
  select array_agg(c.relname::text order by c.relname) into pending from pg_class c join pg_namespace s on s.oid = c.relnamespace
    where s.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'tenant_tombstones'
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped);
  n := 0;
  while cardinality(pending) > 0 loop
    left_over := '{}';
    foreach tbl in array pending loop
      begin
        execute format('delete from %I where tenant_id = $1', tbl) using p_tenant;
      exception when foreign_key_violation then
        left_over := left_over || tbl;
      end;
    end loop;
    if cardinality(left_over) = cardinality(pending) then
      raise exception 'cannot remove the rows of tenant % from %: other rows reference them', p_tenant, left_over;
    end if;
    pending := left_over;
  end loop;
  delete from tenants where id = p_tenant;
  perform set_config('modula.removing_tenant', '', true);
  return jsonb_build_object('removed', p_through_seq, 'fromSeq', from_seq, 'toSeq', p_through_seq, 'anchorHash', cut_hash);
end $$`;
