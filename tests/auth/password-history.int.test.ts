import { APP_ROLE } from '@modula/db';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows } from '../../testing/database.ts';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 12, item 4 (PCI DSS v4 8.3.7): a new password must differ from the user's last four — the
 * current one and the three it replaced, whose argon2id hashes the database keeps (row-level
 * security like every tenant table). Over HTTP, against the real database.
 */
let stack: TestStack;
let tenantId: string;
let otherTenantId: string;

const query = <T>(text: string, params: unknown[] = []) => queryRows<T>(stack.databaseSuperuserUrl, text, params);

/** A transaction on the runtime's own connection, as the runtime role, with the tenant set (or none). */
async function asRuntime<T>(tenant: string | null, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = await connect(stack.config.DATABASE_URL);
  try {
    await db.query('begin');
    await db.query(`set local role ${APP_ROLE}`);
    if (tenant) await db.query(`select set_config('app.tenant_id', $1, true)`, [tenant]);
    return await fn(db);
  } finally {
    await db.query('rollback').catch(() => {});
    await db.end();
  }
}

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Password history'));
  ({ tenantId: otherTenantId } = await stack.createTenant('Another tenant'));
});
afterAll(() => stack?.close());

// P0 is the password the account was created with (testing/viewer.ts), then P1…P4 in turn
const P = [PASSWORD, 'plum Vivid 87 harbor', 'copper Lantern 52 meadow', 'quiet Falcon 19 orchard', 'amber Glacier 64 tunnel'] as const;

describe('password history (the last four passwords)', () => {
  let user: Awaited<ReturnType<typeof makeUser>>;
  let cookie: string;
  const change = async (currentPassword: string, newPassword: string) =>
    trpc(stack, 'mutation', 'auth.changePassword', { currentPassword, newPassword }, { cookie });

  beforeAll(async () => {
    user = await makeUser(stack, tenantId, 'CASHIER', 'Harriet History');
    cookie = (await signInFirstTime(stack, user.email)).cookie;
  });

  it('accepts a new password each time, and refuses every one of the last four, the current one included', async () => {
    for (let i = 1; i <= 4; i++) {
      const ok = await change(P[i - 1]!, P[i]!);
      expect({ i, ...ok.data }).toMatchObject({ i, status: 'OK' });
    }
    // the current one is P4; P1–P3 are the three it replaced
    const current = await change(P[4], P[4]);
    expect(current.code).toBe('BAD_REQUEST');
    expect(current.body.error.message).toMatch(/differ from the current one/);
    for (const old of [P[3], P[2], P[1]]) {
      const reused = await change(P[4], old);
      expect({ old, status: reused.status, code: reused.code }).toEqual({ old, status: 400, code: 'BAD_REQUEST' });
      expect(reused.body.error.message).toBe('the new password must differ from your last 4 passwords (PCI DSS 8.3.7); choose one you have not used before');
    }
    // still P4: nothing changed on a refusal
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: P[4] })).data).toEqual({ status: 'OK' });
  });

  it('accepts the fifth-oldest (the password before the last four), and the history then moves on', async () => {
    const back = await change(P[4], P[0]);
    expect(back.data).toMatchObject({ status: 'OK' });
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: P[0] })).data).toEqual({ status: 'OK' });
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: P[4] })).code).toBe('UNAUTHORIZED');
    // the last four are now P0 (current), P4, P3, P2: P1 has left the history and may come back
    expect((await change(P[0], P[2])).code).toBe('BAD_REQUEST');
    expect((await change(P[0], P[1])).data).toMatchObject({ status: 'OK' });
  });

  it('keeps argon2id hashes of the three replaced passwords only, and no password or hash in the log', async () => {
    const rows = await query<{ password_hash: string }>('select password_hash from password_history where tenant_id = $1 and user_id = $2', [
      tenantId,
      user.userId,
    ]);
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.password_hash).toMatch(/^\$argon2id\$/);
    const dump = (await query<{ t: string | null }>("select string_agg(p::text, '') as t from password_history p"))[0]!.t ?? '';
    for (const p of P) expect(dump).not.toContain(p);
    // the changes are in the log (PASSWORD_CHANGED), without any password or hash
    const events = await eventually(async () => {
      const r = await query<{ t: string }>(
        `select to_jsonb(e)::text as t from audit_events e where tenant_id = $1 and actor_id = $2 and action = 'PASSWORD_CHANGED'`,
        [tenantId, user.userId],
      );
      return r.length >= 6 ? r.map((x) => x.t).join('\n') : undefined;
    });
    for (const p of P) expect(events).not.toContain(p);
    expect(events).not.toContain('$argon2');
  });

  it("is confined to its tenant by row-level security: the runtime sees and deletes another tenant's rows not at all, and updates none", async () => {
    expect(await asRuntime(tenantId, async (c) => (await c.query('select count(*)::int as n from password_history')).rows[0].n)).toBe(3);
    expect(await asRuntime(otherTenantId, async (c) => (await c.query('select count(*)::int as n from password_history')).rows[0].n)).toBe(0);
    expect(await asRuntime(null, async (c) => (await c.query('select count(*)::int as n from password_history')).rows[0].n)).toBe(0);
    expect(await asRuntime(otherTenantId, async (c) => (await c.query('delete from password_history')).rowCount)).toBe(0);
    await expect(
      asRuntime(otherTenantId, (c) =>
        c.query(`insert into password_history (tenant_id, id, user_id, password_hash) values ($1, gen_random_uuid(), $2, 'x')`, [tenantId, user.userId]),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(asRuntime(tenantId, (c) => c.query(`update password_history set password_hash = 'x'`))).rejects.toThrow(/permission denied/);
  });
});
