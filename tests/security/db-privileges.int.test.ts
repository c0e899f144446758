import { loadConfig } from '@modula/config';
import { APP_ROLE } from '@modula/db';
import { createServices } from '@modula/server';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent, provisionBranch } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * The moves of SQL run by the service itself (an injection, a bad dependency), from the runtime's
 * own connection and role: DESIGN "Storage" — security-definer functions pin search_path with
 * pg_temp last, the chain head moves only through a function that checks the rows, the runtime
 * changes only a quarantine row's status, and a tenant's count is its own.
 */
let stack: TestStack;
let tenantA: string;
let tenantB: string;
const branchOfB = uuidv7();

beforeAll(async () => {
  stack = await startStack();
  tenantA = (await stack.createTenant('A')).tenantId;
  tenantB = (await stack.createTenant('B')).tenantId;
  await ingestStored(stack, tenantB, [provisionBranch(tenantB, branchOfB)]);
  await ingestStored(stack, tenantA, [makeEvent(tenantA), makeEvent(tenantA)]);
});
afterAll(() => stack.close());

/** A transaction on the runtime's own connection, as the runtime role, with the tenant set. */
async function asRuntime<T>(tenantId: string, fn: (db: pg.Client) => Promise<T>, before?: (db: pg.Client) => Promise<unknown>): Promise<T> {
  const db = await connect(stack.config.DATABASE_URL);
  try {
    await before?.(db);
    await db.query('begin');
    await db.query(`set local role ${APP_ROLE}`);
    await db.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    return await fn(db);
  } finally {
    await db.query('rollback').catch(() => {});
    await db.end();
  }
}

describe('security-definer functions cannot be fooled by a temporary table', () => {
  it("a temporary branch_directory does not let a tenant claim another tenant's branch", async () => {
    const claimed = await asRuntime(
      tenantA,
      async (db) => (await db.query('select claim_branch($1) as mine', [branchOfB])).rows[0].mine,
      async (db) => {
        // made before the role switch, by the login itself, when it may: a shadow naming A as the owner
        await db.query('create temp table branch_directory (branch_id uuid primary key, tenant_id uuid)').catch(() => {});
        await db.query('insert into branch_directory values ($1, $2)', [branchOfB, tenantA]).catch(() => {});
      },
    );
    expect(claimed).toBe(false);
  });

  it('every security-definer function of the schema has search_path pg_catalog, public, pg_temp', async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const rows = (
        await db.query(`select p.proname, p.proconfig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.prosecdef order by 1`)
      ).rows;
      expect(rows.length).toBeGreaterThan(5);
      for (const r of rows) expect([r.proname, r.proconfig]).toEqual([r.proname, ['search_path=pg_catalog, public, pg_temp']]);
    } finally {
      await db.end();
    }
  });

  it('the runtime role may not create temporary tables', async () => {
    await expect(asRuntime(tenantA, (db) => db.query('create temp table t_shadow (x int)'))).rejects.toThrow(/permission denied/);
  });
});

describe('the chain head moves only over rows that are there and link', () => {
  it('refuses a direct update of chain_heads', async () => {
    await expect(asRuntime(tenantA, (db) => db.query(`update chain_heads set seq = seq + 10 where tenant_id = $1`, [tenantA]))).rejects.toThrow(
      /permission denied/,
    );
  });

  it('refuses to advance the head past rows that are missing, or to a hash that is not stored', async () => {
    await asRuntime(tenantA, async (db) => {
      const head = (await db.query('select seq, hash from lock_chain_head($1)', [tenantA])).rows[0];
      await expect(db.query('select advance_chain_head($1, $2, $3)', [tenantA, Number(head.seq) + 5, head.hash])).rejects.toThrow(/rows between/);
    });
    await asRuntime(tenantA, async (db) => {
      const head = (await db.query('select seq, hash from lock_chain_head($1)', [tenantA])).rows[0];
      await expect(db.query('select advance_chain_head($1, $2, $3)', [tenantA, Number(head.seq), 'f'.repeat(64)])).rejects.toThrow(/not after the head/);
    });
  });

  it("refuses to advance another tenant's head", async () => {
    await expect(asRuntime(tenantA, (db) => db.query('select advance_chain_head($1, 1, $2)', [tenantB, 'a'.repeat(64)]))).rejects.toThrow(
      /not the current tenant/,
    );
  });
});

describe('quarantine and counts', () => {
  it("changes a quarantine row's status but never the event it keeps", async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    const id = uuidv7();
    try {
      await db.query(
        `insert into quarantined_events (tenant_id, id, event_id, reason, detail, content_hash, payload, received_at)
        values ($1, $2, $3, 'UNKNOWN_BRANCH', 'test', 'h', '{"after":{"total":10}}', now())`,
        [tenantA, id, uuidv7()],
      );
    } finally {
      await db.end();
    }
    await expect(asRuntime(tenantA, (c) => c.query(`update quarantined_events set payload = '{"after":{"total":0.01}}' where id = $1`, [id]))).rejects.toThrow(
      /permission denied/,
    );
    await expect(asRuntime(tenantA, (c) => c.query(`update quarantined_events set content_hash = 'x' where id = $1`, [id]))).rejects.toThrow(
      /permission denied/,
    );
    const updated = await asRuntime(tenantA, async (c) => (await c.query('update quarantined_events set replayed_at = now() where id = $1', [id])).rowCount);
    expect(updated).toBe(1);
  });

  it("open_quarantine_count() counts the caller's tenant only", async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      for (const t of [tenantB, tenantB, tenantB]) {
        await db.query(
          `insert into quarantined_events (tenant_id, id, event_id, reason, detail, content_hash, payload, received_at)
          values ($1, $2, $3, 'UNKNOWN_BRANCH', 'test', 'h', '{}', now())`,
          [t, uuidv7(), uuidv7()],
        );
      }
      const own = Number((await db.query(`select count(*) as n from quarantined_events where tenant_id = $1 and replayed_at is null`, [tenantA])).rows[0].n);
      const counted = await asRuntime(tenantA, async (c) => Number((await c.query('select open_quarantine_count() as n')).rows[0].n));
      expect(counted).toBe(own);
    } finally {
      await db.end();
    }
  });
});

describe('only the owner publishes signing keys', () => {
  // a key the runtime could add would let an injection sign a rewritten log that the database vouches for
  const forged = (keyId: string): [string, string[]] => [`insert into signing_keys (key_id, algorithm, public_key) values ($1, 'Ed25519', 'forged')`, [keyId]];

  it("the runtime's own connection cannot insert into signing_keys, as its role or after RESET ROLE", async () => {
    for (const how of ['login', 'role', 'reset'] as const) {
      const db = await connect(stack.config.DATABASE_URL);
      try {
        await db.query('begin');
        if (how !== 'login') await db.query(`set local role ${APP_ROLE}`);
        if (how === 'reset') await db.query('reset role');
        await expect(db.query(...forged(`ed25519-forged-${how}`)), how).rejects.toThrow(/permission denied for table signing_keys/);
      } finally {
        await db.query('rollback').catch(() => {});
        await db.end();
      }
    }
  });

  it('the runtime still reads them', async () => {
    const listed = await asRuntime(tenantA, async (db) => (await db.query('select key_id from signing_keys')).rows);
    expect(listed.length).toBeGreaterThanOrEqual(0);
  });
});

describe("the runtime's own login cannot undo the database's protections", () => {
  const ATTACKS = [
    ["disable the audit table's triggers", 'alter table audit_events disable trigger user'],
    ['switch off forced row-level security', 'alter table audit_events no force row level security'],
    ['replace the function the triggers call', `create or replace function refuse_change() returns trigger language plpgsql as $$ begin return new; end $$`],
    ['grant itself pg_execute_server_program (a shell)', 'grant pg_execute_server_program to current_user'],
    ['create a role', 'create role intruder login'],
    ['read a file of the server', `select pg_read_file('postgresql.conf')`],
  ] as const;
  for (const [what, statement] of ATTACKS) {
    it(`after RESET ROLE, it cannot ${what}`, async () => {
      const db = await connect(stack.config.DATABASE_URL);
      try {
        await db.query('begin');
        await db.query(`set local role ${APP_ROLE}`);
        await db.query('reset role');
        await expect(db.query(statement)).rejects.toThrow(/permission denied|must be owner|must have admin option|must be superuser/);
      } finally {
        await db.query('rollback').catch(() => {});
        await db.end();
      }
    });
  }

  it('the server refuses to start when its DATABASE_URL is the owner or a superuser', async () => {
    for (const url of [stack.databaseOwnerUrl, stack.databaseSuperuserUrl]) {
      await expect(createServices(loadConfig({ ...stack.env, DATABASE_URL: url }))).rejects.toThrow(/least-privileged login/);
    }
  });
});
