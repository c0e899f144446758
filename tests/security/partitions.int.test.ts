import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * The partitioned log (issue 14, item 3) keeps what the heap had: tenant isolation on the parent and
 * on every partition, immutability on every partition (TRUNCATE included: statement triggers are not
 * cloned), dedupe of (tenant_id, event_id), and reads pruned to one partition's index.
 */
let stack: TestStack;
let su: pg.Client;
let a: string;
let b: string;

beforeAll(async () => {
  stack = await startStack();
  su = await connect(stack.databaseSuperuserUrl);
  ({ tenantId: a } = await stack.createTenant('A'));
  ({ tenantId: b } = await stack.createTenant('B'));
  for (const t of [a, b])
    await ingestStored(
      stack,
      t,
      Array.from({ length: 20 }, () => makeEvent(t)),
    );
}, 60_000);
afterAll(async () => {
  await su.end();
  await stack.close();
});

async function attempt(url: string, text: string): Promise<string | null> {
  const c = await connect(url);
  try {
    await c.query(text);
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await c.end();
  }
}

const partitionOf = async (tenantId: string) =>
  (await su.query<{ p: string }>('select tableoid::regclass::text as p from audit_events where tenant_id = $1 limit 1', [tenantId])).rows[0]!.p;

describe('audit_events partitioned by HASH (tenant_id)', () => {
  it('has 16 partitions, each with row-level security enabled and forced, the row trigger and its own TRUNCATE refusal', async () => {
    const parts = await queryRows<{ relname: string; rls: boolean; forced: boolean; triggers: string[] }>(
      stack.databaseSuperuserUrl,
      `select c.relname, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
        array(select tgname::text from pg_trigger where tgrelid = c.oid order by 1) as triggers
      from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_events'::regclass order by 1`,
    );
    expect(parts).toHaveLength(16);
    for (const p of parts) {
      expect(p).toMatchObject({ rls: true, forced: true });
      expect(p.triggers).toEqual(expect.arrayContaining(['audit_events_no_update_delete', `${p.relname}_no_truncate`]));
    }
  });

  it('cross-tenant read denied: the runtime sees only its tenant through the parent, and cannot open a partition at all', async () => {
    const c = await connect(stack.env.DATABASE_URL!);
    try {
      await c.query('begin');
      await c.query(`select set_config('app.tenant_id', $1, true)`, [a]);
      const seen = await c.query<{ n: number }>('select count(*)::int as n from audit_events where tenant_id = $1', [b]);
      expect(seen.rows[0]!.n).toBe(0);
      const own = await c.query<{ n: number }>('select count(*)::int as n from audit_events where tenant_id = $1', [a]);
      expect(own.rows[0]!.n).toBe(20);
      await c.query('rollback');
    } finally {
      await c.end();
    }
    expect(await attempt(stack.env.DATABASE_URL!, `select * from ${await partitionOf(b)}`)).toMatch(/permission denied/);
    // the owner, too, obeys the policy on a partition read directly (forced): no tenant set, no rows
    const c2 = await connect(stack.databaseOwnerUrl);
    try {
      expect((await c2.query(`select count(*)::int as n from ${await partitionOf(b)}`)).rows[0].n).toBe(0);
    } finally {
      await c2.end();
    }
  });

  it('UPDATE, DELETE and TRUNCATE of a partition are refused, for the owner too', async () => {
    const p = await partitionOf(a);
    const set = `select set_config('app.tenant_id', '${a}', true);`;
    expect(await attempt(stack.databaseOwnerUrl, `begin; ${set} update ${p} set description = 'x'`)).toMatch(/append-only: UPDATE refused/);
    expect(await attempt(stack.databaseOwnerUrl, `begin; ${set} delete from ${p}`)).toMatch(/append-only: DELETE refused/);
    expect(await attempt(stack.databaseOwnerUrl, `truncate ${p}`)).toMatch(/append-only: TRUNCATE refused/);
    expect(await attempt(stack.databaseOwnerUrl, 'truncate audit_events')).toMatch(/append-only: TRUNCATE refused/);
    expect(await attempt(stack.env.DATABASE_URL!, `truncate ${p}`)).toMatch(/permission denied/);
    const [r] = await queryRows<{ n: number }>(stack.databaseSuperuserUrl, 'select count(*)::int as n from audit_events where tenant_id = $1', [a]);
    expect(r!.n).toBe(20);
  });

  it('dedupe holds across the partitioned table: the same (tenant_id, event_id) under another seq is refused', async () => {
    await su.query('begin');
    try {
      await su.query('create temp table again on commit drop as select * from audit_events where tenant_id = $1 and seq = 1', [a]);
      await su.query('update again set seq = 999, id = gen_random_uuid()');
      await expect(su.query('insert into audit_events select * from again')).rejects.toThrow(
        /duplicate key value violates unique constraint .*tenant_id_event_id_key/,
      );
    } finally {
      await su.query('rollback');
    }
  });

  it("a tenant's first page reads one partition, by index", async () => {
    const c = await connect(stack.env.DATABASE_URL!);
    try {
      await c.query('begin');
      await c.query(`select set_config('app.tenant_id', $1, true)`, [a]);
      await c.query('set local enable_seqscan = off');
      const plan = (await c.query(`explain select seq from audit_events where tenant_id = '${a}' order by occurred_at desc, seq desc limit 50`)).rows
        .map((r) => r['QUERY PLAN'] as string)
        .join('\n');
      await c.query('rollback');
      expect(plan).toMatch(/Index (Only )?Scan using \S+ on audit_events_p\d\d/);
      expect(plan.match(/audit_events_p\d\d/g)!.every((p) => p === plan.match(/audit_events_p\d\d/)![0])).toBe(true);
    } finally {
      await c.end();
    }
  });
});
