import { Migration } from '@mikro-orm/migrations';

/** Hash partitions per table: all exist from the start, so none has to be created ahead. */
export const TENANT_PARTITIONS = 16;

/**
 * Issue 14, item 3: `audit_events` and `audit_event_search` become tables partitioned by
 * HASH (tenant_id), 16 partitions each, converted in place with their rows.
 *
 * Why hash by tenant: every unique key of a partitioned table must contain the partition key.
 * Both keys that make the log what it is — (tenant_id, event_id), deduplicated forever, and
 * (tenant_id, seq), the gap-free chain — contain tenant_id and nothing else in common, so only a
 * scheme on tenant_id keeps them as real unique indexes. Range by time would need occurred_at or
 * received_at in both keys: dedupe would then hold only within one time slice (an offline till's
 * resend that lands in another month would be stored twice), and (tenant_id, seq) could repeat
 * across slices. Every read path starts with `tenant_id = $1`, so each query is pruned to one
 * partition and its existing index. Retention cuts a prefix of ONE tenant's chain, which is a
 * range of (tenant_id, seq) inside one partition, never a whole partition: a time-ranged
 * partition would hold every tenant's events of that month and could not be dropped for one.
 *
 * The conversion is generic: indexes, constraints, policies, triggers, grants and comments are
 * read from the catalogue and recreated on the new parent, so whatever earlier migrations added
 * comes along. On PostgreSQL 15, row triggers (refuse_change for UPDATE/DELETE) are cloned to
 * every partition; statement triggers are not, so each partition gets its own BEFORE TRUNCATE
 * refusal (TRUNCATE can name a partition), and the AFTER INSERT statement triggers that feed the
 * search table, event_actors, event_hour_counts and the login failure counts stay on the parent,
 * where inserts arrive (their transition table holds the rows of every partition). Row-level
 * security is enabled and forced on the parent and on every partition with the same policy; the
 * runtime is granted nothing on a partition, so it can reach rows only through the parent.
 */
export class Migration20261201160000_partition_by_tenant extends Migration {
  override name = 'Migration20261201160000_partition_by_tenant';

  override async up(): Promise<void> {
    this.addSql(PARTITION_FUNCTION);
    this.addSql(`select pg_temp_partition_by_tenant('audit_events', ${TENANT_PARTITIONS})`);
    this.addSql(`select pg_temp_partition_by_tenant('audit_event_search', ${TENANT_PARTITIONS})`);
    this.addSql('drop function pg_temp_partition_by_tenant(text, int)');
  }
}

// a helper for this migration only (dropped at its end); the name says so
const PARTITION_FUNCTION = `
create function pg_temp_partition_by_tenant(t text, modulus int) returns void
language plpgsql set search_path = public, pg_catalog as $fn$
declare
  old text := t || '_unpartitioned';
  r record;
  defs text[] := '{}';
  d text;
  part text;
  acl record;
  forced boolean;
  secured boolean;
begin
  select relrowsecurity, relforcerowsecurity into secured, forced from pg_class where oid = t::regclass;
  execute format('alter table %I rename to %I', t, old);
  -- forced row-level security would hide every row from the owner while they move
  execute format('alter table %I no force row level security', old);
  -- constraints first (primary key, unique, foreign keys, checks), then the other indexes
  for r in select conname, pg_get_constraintdef(oid) as def, contype from pg_constraint
      where conrelid = old::regclass and contype in ('p', 'u', 'f') order by contype desc loop
    defs := defs || format('alter table %I add constraint %I %s', t, r.conname, r.def);
  end loop;
  for r in select pg_get_indexdef(i.indexrelid) as def from pg_index i
      where i.indrelid = old::regclass and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid) loop
    defs := defs || replace(r.def, format(' ON public.%s ', old), format(' ON public.%s ', t));
  end loop;
  for r in select polname, polcmd, polpermissive, pg_get_expr(polqual, polrelid) as qual, pg_get_expr(polwithcheck, polrelid) as wcheck,
      array(select rolname from pg_roles where oid = any(polroles)) as roles, polroles from pg_policy where polrelid = old::regclass loop
    defs := defs || format('create policy %I on %I as %s for %s to %s %s %s', r.polname, t,
      case when r.polpermissive then 'permissive' else 'restrictive' end,
      case r.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
      case when r.polroles = '{0}' then 'public' else array_to_string(r.roles, ', ') end,
      coalesce('using (' || r.qual || ')', ''), coalesce('with check (' || r.wcheck || ')', ''));
  end loop;
  for r in select tgname, pg_get_triggerdef(oid) as def, tgtype from pg_trigger where tgrelid = old::regclass and not tgisinternal loop
    defs := defs || replace(replace(r.def, format(' ON public.%s ', old), format(' ON public.%s ', t)), format(' ON %s ', old), format(' ON public.%s ', t));
  end loop;

  -- drop the old names of constraints and indexes (they are schema-wide) by renaming the old table's
  for r in select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = old::regclass loop
    execute format('alter index %I rename to %I', r.relname, left('old_' || r.relname, 63));
  end loop;

  execute format('create table %I (like %I including defaults including constraints including comments including storage) partition by hash (tenant_id)', t, old);
  for i in 0 .. modulus - 1 loop
    part := format('%s_p%s', t, lpad(i::text, 2, '0'));
    execute format('create table %I partition of %I for values with (modulus %s, remainder %s)', part, t, modulus, i);
  end loop;
  -- rows move before any trigger exists on the new table: nothing is projected twice
  execute format('insert into %I select * from %I', t, old);
  -- privileges of the parent as they were (the runtime's SELECT/INSERT), none on the partitions
  for acl in select (aclexplode(relacl)).* from pg_class where oid = old::regclass loop
    if acl.grantee <> (select relowner from pg_class where oid = old::regclass) and acl.grantee <> 0 then
      execute format('grant %s on %I to %I', acl.privilege_type, t, (select rolname from pg_roles where oid = acl.grantee));
    end if;
  end loop;
  execute format('drop table %I', old);
  foreach d in array defs loop
    execute d;
  end loop;
  -- TRUNCATE may name a partition, and statement triggers are not cloned to partitions
  if exists (select 1 from pg_trigger where tgrelid = t::regclass and tgname = t || '_no_truncate') then
    for i in 0 .. modulus - 1 loop
      part := format('%s_p%s', t, lpad(i::text, 2, '0'));
      execute format('create trigger %I before truncate on %I for each statement execute function refuse_change()', part || '_no_truncate', part);
    end loop;
  end if;
  execute format('revoke all on %I from public', t);
  if secured then
    execute format('alter table %I enable row level security', t);
    if forced then execute format('alter table %I force row level security', t); end if;
    for i in 0 .. modulus - 1 loop
      part := format('%s_p%s', t, lpad(i::text, 2, '0'));
      execute format('alter table %I enable row level security', part);
      if forced then execute format('alter table %I force row level security', part); end if;
      for r in select polname, pg_get_expr(polqual, polrelid) as qual, pg_get_expr(polwithcheck, polrelid) as wcheck
          from pg_policy where polrelid = t::regclass loop
        execute format('create policy %I on %I %s %s', r.polname, part, coalesce('using (' || r.qual || ')', ''), coalesce('with check (' || r.wcheck || ')', ''));
      end loop;
    end loop;
  end if;
  for i in 0 .. modulus - 1 loop
    execute format('revoke all on %I from public', format('%s_p%s', t, lpad(i::text, 2, '0')));
  end loop;
  execute format('comment on table %I is %L', t, format('Partitioned by HASH (tenant_id) into %s partitions (all created up front); see README "Partitioned storage"', modulus));
end
$fn$`;
