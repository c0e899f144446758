import { APP_ROLE } from '@modula/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { untilStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

let stack: TestStack;
let tenantA: string;
let tenantB: string;

/** The whole table as a superuser sees it (RLS hides rows from the others outside a tenant). */
async function snapshot(): Promise<string> {
  const db = await connect(stack.databaseSuperuserUrl);
  const r = await db.query("select md5(string_agg(t::text, '|' order by tenant_id, seq)) as digest, count(*) as n from audit_events t");
  await db.end();
  return `${r.rows[0].n}:${r.rows[0].digest}`;
}

beforeAll(async () => {
  stack = await startStack();
  tenantA = (await stack.createTenant('A')).tenantId;
  tenantB = (await stack.createTenant('B')).tenantId;
  const events = [makeEvent(tenantA), makeEvent(tenantA), makeEvent(tenantB)];
  await stack.caller.ingest.batch({ events });
  await untilStored(stack, tenantA, [events[0]!.eventId, events[1]!.eventId]);
  await untilStored(stack, tenantB, [events[2]!.eventId]);
});
afterAll(() => stack.close());

const ATTEMPTS = [
  ['UPDATE', `update audit_events set outcome = 'SUCCESS', reason = null`],
  ['DELETE', 'delete from audit_events'],
  ['TRUNCATE', 'truncate audit_events'],
  ['TRUNCATE CASCADE', 'truncate audit_events cascade'],
] as const;

describe('the audit table is append-only in PostgreSQL itself', () => {
  for (const [role, url] of [
    ['the runtime role', 'runtime'],
    ['the owner', 'owner'],
    ['a superuser', 'superuser'],
  ] as const) {
    for (const [op, statement] of ATTEMPTS) {
      it(`${op} is refused for ${role}, and nothing changes`, async () => {
        const db = await connect({ superuser: stack.databaseSuperuserUrl, owner: stack.databaseOwnerUrl, runtime: stack.config.DATABASE_URL }[url]);
        try {
          const before = await snapshot();
          await db.query('begin');
          if (role === 'the runtime role') await db.query(`set local role ${APP_ROLE}`);
          // with the tenant set the rows are visible, so the attempt is real (not an empty match under RLS)
          await db.query(`select set_config('app.tenant_id', $1, true)`, [tenantA]);
          expect((await db.query('select count(*)::int as n from audit_events')).rows[0].n).toBeGreaterThan(0);
          await expect(db.query(statement)).rejects.toThrow(role === 'the runtime role' ? /permission denied|append-only/ : /append-only/);
          await db.query('rollback');
          expect(await snapshot()).toBe(before);
          expect(before.startsWith('3:')).toBe(true);
        } finally {
          await db.end();
        }
      });
    }
  }
});

describe('row-level security isolates tenants in the database', () => {
  it('the runtime role sees only the tenant set in its transaction, and nothing when none is set', async () => {
    const db = await connect(stack.config.DATABASE_URL);
    try {
      const count = async (tenant: string | null) => {
        await db.query('begin');
        await db.query(`set local role ${APP_ROLE}`);
        if (tenant) await db.query(`select set_config('app.tenant_id', $1, true)`, [tenant]);
        const r = await db.query('select count(*)::int as n, count(distinct tenant_id)::int as tenants from audit_events');
        await db.query('commit');
        return r.rows[0];
      };
      expect(await count(tenantA)).toEqual({ n: 2, tenants: 1 });
      expect(await count(tenantB)).toEqual({ n: 1, tenants: 1 });
      expect(await count(null)).toEqual({ n: 0, tenants: 0 });
      // a transaction-local setting does not leak to the next transaction on the same connection
      expect(await count(null)).toEqual({ n: 0, tenants: 0 });
    } finally {
      await db.end();
    }
  });

  it("the runtime role cannot write into another tenant's log", async () => {
    const db = await connect(stack.config.DATABASE_URL);
    try {
      await db.query('begin');
      await db.query(`set local role ${APP_ROLE}`);
      await db.query(`select set_config('app.tenant_id', $1, true)`, [tenantA]);
      await expect(
        db.query(`insert into freeze_transitions (tenant_id, seq, branch_id, occurred_at, frozen) values ($1, 99, null, now(), true)`, [tenantB]),
      ).rejects.toThrow(/row-level security/);
      await db.query('rollback');
      await db.query('begin');
      await db.query(`set local role ${APP_ROLE}`);
      await db.query(`select set_config('app.tenant_id', $1, true)`, [tenantA]);
      // the chain head is not even writable for the runtime: it moves only through advance_chain_head
      await expect(db.query(`insert into chain_heads (tenant_id, seq, hash, updated_at) values ($1, 99, 'x', now())`, [tenantA])).rejects.toThrow(
        /permission denied/,
      );
      await db.query('rollback');
    } finally {
      await db.end();
    }
  });
});
