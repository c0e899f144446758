import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Sign-in, sessions and accounts probed as an attacker and a careless user (OWASP ASVS v4 chapters 2
 * and 3): refusals are audit data too (DESIGN: "including attempts that were refused"; PCI DSS
 * 10.2.1.4, invalid logical access attempts).
 */
let stack: TestStack;
let tenantId: string;
let admin: Awaited<ReturnType<typeof signedInAdmin>>;

const query = <T>(text: string, params: unknown[] = []) => queryRows<T>(stack.databaseSuperuserUrl, text, params);

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Adversarial sign-in'));
  admin = await signedInAdmin(stack, tenantId);
});
afterAll(() => stack?.close());

/** The events of one actor as an Admin reads them, once `count` have arrived. */
async function eventsOf(actorId: string, count: number): Promise<any[]> {
  return eventually(async () => {
    const res = await trpc(stack, 'query', 'events.list', { actorIds: [actorId], limit: 50 }, { cookie: admin.cookie });
    return (res.data?.items.length ?? 0) >= count ? (res.data.items as any[]) : undefined;
  });
}

describe('a Manager or Cashier at an Admin procedure', () => {
  it('is refused FORBIDDEN, and the refusal is an event of the tenant (once per session and procedure)', async () => {
    const manager = await makeUser(stack, tenantId, 'MANAGER', 'Mo Manager');
    const { cookie } = await signInFirstTime(stack, manager.email);
    for (let i = 0; i < 3; i++) expect((await trpc(stack, 'query', 'events.list', {}, { cookie })).code).toBe('FORBIDDEN');
    expect((await trpc(stack, 'mutation', 'readTokens.create', { name: 'exfil' }, { cookie })).code).toBe('FORBIDDEN');

    const items = await eventsOf(manager.userId, 4); // LOGIN_SUCCESS, TWO_FACTOR_ENABLED and the two refusals
    const denied = items.filter((e) => e.outcome === 'REJECTED');
    expect(denied).toHaveLength(2);
    for (const e of denied) {
      expect(e).toMatchObject({
        action: 'AUDIT_LOG_VIEWED',
        outcome: 'REJECTED',
        reason: 'PERMISSION_DENIED',
        actor: { id: manager.userId, role: 'MANAGER' },
        context: { ip: '127.0.0.1' },
      });
      expect(e.context.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(denied.map((e) => e.metadata.procedure).sort()).toEqual(['events.list', 'readTokens.create']);
  });

  it('a Cashier (password only) reading the log is recorded as well', async () => {
    const cashier = await makeUser(stack, tenantId, 'CASHIER', 'Cy Cashier');
    const { cookie } = await signInFirstTime(stack, cashier.email);
    expect((await trpc(stack, 'query', 'integrity.verify', {}, { cookie })).code).toBe('FORBIDDEN');
    const items = await eventsOf(cashier.userId, 2);
    expect(items.find((e) => e.outcome === 'REJECTED')).toMatchObject({
      action: 'AUDIT_LOG_VIEWED',
      reason: 'PERMISSION_DENIED',
      actor: { id: cashier.userId, role: 'CASHIER' },
      metadata: { procedure: 'integrity.verify' },
    });
  });
});

describe('a Manager at the plain HTTP read routes (export downloads, the NDJSON pull)', () => {
  it('is refused 403, and each refusal is an event of the tenant, naming the route', async () => {
    const manager = await makeUser(stack, tenantId, 'MANAGER', 'Max Downloader');
    const { cookie } = await signInFirstTime(stack, manager.email);
    const exportId = '01a23d33-3caa-73f0-94e1-81512eb9f16d';
    for (const path of [`/exports/${exportId}/file`, `/exports/${exportId}/manifest`, '/api/events.ndjson']) {
      expect((await fetch(`${stack.baseUrl}${path}`, { headers: { cookie } })).status).toBe(403);
    }
    const items = await eventsOf(manager.userId, 5); // LOGIN_SUCCESS, TWO_FACTOR_ENABLED and the three refusals
    const denied = items.filter((e) => e.outcome === 'REJECTED');
    expect(denied.map((e) => e.metadata.procedure).sort()).toEqual([
      'GET /api/events.ndjson',
      'GET /exports/:exportId/file',
      'GET /exports/:exportId/manifest',
    ]);
    for (const e of denied)
      expect(e).toMatchObject({ action: 'AUDIT_LOG_VIEWED', reason: 'PERMISSION_DENIED', actor: { id: manager.userId, role: 'MANAGER' } });
  });
});

describe('a refused password change', () => {
  it('for the policy (right current password, weak new one) is a PASSWORD_CHANGED REJECTED VALIDATION_FAILED, without the password', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER', 'Pat Password');
    const { cookie } = await signInFirstTime(stack, user.email);
    const weak = 'password1234';
    const res = await trpc(stack, 'mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: weak }, { cookie });
    expect(res.code).toBe('BAD_REQUEST');
    const reused = await trpc(stack, 'mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: PASSWORD }, { cookie });
    expect(reused.code).toBe('BAD_REQUEST');

    const items = await eventsOf(user.userId, 3); // LOGIN_SUCCESS and the two refusals
    const refused = items.filter((e) => e.action === 'PASSWORD_CHANGED');
    expect(refused).toHaveLength(2);
    for (const e of refused) {
      expect(e).toMatchObject({ outcome: 'REJECTED', reason: 'VALIDATION_FAILED', actor: { id: user.userId }, metadata: { channel: 'viewer' } });
      expect(e.context.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof e.metadata.problem).toBe('string');
    }
    const leaks = await query('select seq from audit_events where audit_events::text like $1 or audit_events::text like $2', [`%${weak}%`, `%${PASSWORD}%`]);
    expect(leaks).toEqual([]);
  });

  it('while its lock holds (10 wrong current passwords) is still recorded: one LOGIN_FAILED LOCKED per window with the attempts', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER', 'Sam Stolen-Session');
    const { cookie } = await signInFirstTime(stack, user.email);
    const attempt = (currentPassword: string) =>
      trpc(stack, 'mutation', 'auth.changePassword', { currentPassword, newPassword: 'plum Vivid 87 harbor' }, { cookie });
    for (let i = 0; i < 10; i++) expect((await attempt(`wrong guess ${i}`)).code).toBe('UNAUTHORIZED');
    for (let i = 0; i < 3; i++) expect((await attempt(PASSWORD)).code).toBe('TOO_MANY_REQUESTS');

    const items = await eventsOf(user.userId, 12); // LOGIN_SUCCESS, 10 wrong passwords, the refusals while locked
    const locked = items.filter((e) => e.metadata.failure === 'LOCKED');
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ action: 'LOGIN_FAILED', outcome: 'FAILED', metadata: { step: 'PASSWORD_CHANGE', attempts: 1 } });
    expect(locked[0].context.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
