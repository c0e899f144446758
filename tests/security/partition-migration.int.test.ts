import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedChain } from '../../bench/export-figures.ts';
import { databaseMigratedTo, type TMigratedDatabase } from '../../testing/migrated-database.ts';

/**
 * Migration20261201160000_partition_by_tenant converts the log in place: a database migrated up to
 * the migration before it, filled with rows, then migrated on — every row still there with the same
 * hashes, and the same indexes, policies, triggers and grants on the (now partitioned) parent.
 */
const BEFORE = 'Migration20261201140000_export_pack_store';
let db: TMigratedDatabase;
const tenants: string[] = [];

const catalogue = async () =>
  (
    await db.su.query(`select
      (select array_agg(indexname::text order by indexname) from pg_indexes where tablename = 'audit_events') as indexes,
      (select array_agg(tgname::text order by tgname) from pg_trigger where tgrelid = 'audit_events'::regclass and not tgisinternal) as triggers,
      (select array_agg(polname::text order by polname) from pg_policy where polrelid = 'audit_events'::regclass) as policies,
      (select array_agg(conname::text order by conname) from pg_constraint where conrelid = 'audit_events'::regclass) as constraints,
      (select relacl::text from pg_class where oid = 'audit_events'::regclass) as acl,
      (select relforcerowsecurity from pg_class where oid = 'audit_events'::regclass) as forced,
      (select array_agg(indexname::text order by indexname) from pg_indexes where tablename = 'audit_event_search') as search_indexes`)
  ).rows[0];
const digest = async () =>
  (
    await db.su.query(`select tenant_id, count(*)::int as n, md5(string_agg(hash || prev_hash || content_hash, '' order by seq)) as h,
      (select count(*)::int from audit_event_search s where s.tenant_id = e.tenant_id) as search
    from audit_events e group by tenant_id order by tenant_id`)
  ).rows;

beforeAll(async () => {
  db = await databaseMigratedTo(BEFORE);
  for (const n of [3_000, 5_000]) {
    // a tenant row as that schema has it (today's createTenant writes columns added since)
    const tenantId = randomUUID();
    await db.su.query('insert into tenants (id, name) values ($1, $2)', [tenantId, `Before partitions ${n}`]);
    tenants.push(tenantId);
    await seedChain(db.superuserUrl, tenantId, n);
  }
  // seedChain skips the triggers: give the search table its rows as the trigger would
  await db.su.query('insert into audit_event_search select tenant_id, seq, description, entity_label, actor_name from audit_events');
}, 60_000);
afterAll(() => db?.drop());

describe('the log and its search table are partitioned in place, rows included', () => {
  it('keeps every row and hash, and every index, trigger, policy, constraint and grant of the parent', async () => {
    const before = { rows: await digest(), catalogue: await catalogue() };
    expect(before.rows.map((r: { n: number }) => r.n)).toEqual(expect.arrayContaining([3_000, 5_000]));
    await db.owner.migrator.up();
    const after = { rows: await digest(), catalogue: await catalogue() };
    expect(after.rows).toEqual(before.rows);
    expect(after.catalogue).toEqual(before.catalogue);
    const kinds = (await db.su.query(`select relname, relkind from pg_class where relname in ('audit_events', 'audit_event_search') order by 1`)).rows;
    expect(kinds).toEqual([
      { relname: 'audit_event_search', relkind: 'p' },
      { relname: 'audit_events', relkind: 'p' },
    ]);
    // rows sit in the partition of their tenant's hash, and nothing is left of the old heap table
    const left = await db.su.query(`select count(*)::int as n from pg_class where relname like '%unpartitioned%' or relname like 'old\\_%'`);
    expect(left.rows[0].n).toBe(0);
    const spread = await db.su.query('select count(distinct tableoid)::int as n from audit_events where tenant_id = $1', [tenants[0]]);
    expect(spread.rows[0].n).toBe(1);
  }, 60_000);
});
