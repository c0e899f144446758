import { disableUser, setUserRole } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * What a change to an account does to the access it already holds. DESIGN (Access): only Admins
 * read the log, and an Admin signs in with a second factor; a session proves only what its sign-in
 * asked for (OWASP ASVS 3.7.1: re-authenticate when privileges change). A read token is the access
 * of the Admin who made it (PCI DSS 8.2.5: a leaver's access is revoked at once).
 */
let stack: TestStack;
let tenantId: string;

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Account changes'));
});
afterAll(() => stack?.close());

const list = (opts: { cookie?: string; apiKey?: string }) => trpc(stack, 'query', 'events.list', { limit: 5 }, opts);

async function tokenOf(admin: { cookie: string }, name: string): Promise<{ tokenId: string; token: string }> {
  const r = await trpc(stack, 'mutation', 'readTokens.create', { name }, { cookie: admin.cookie });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.data;
}

describe('a role change', () => {
  it("ends the user's sessions: a Cashier's password-only session does not become an Admin's", async () => {
    const cashier = await makeUser(stack, tenantId, 'CASHIER', 'Carl Cashier');
    const login = await trpc(stack, 'mutation', 'auth.login', { email: cashier.email, password: PASSWORD });
    // a Cashier signs in with the password alone
    expect(login.data).toMatchObject({ status: 'OK' });
    expect((await list({ cookie: login.cookie })).status).toBe(403);

    const changed = await setUserRole(stack.services.orm, tenantId, cashier.email, 'ADMIN');
    const after = await list({ cookie: login.cookie });
    expect(after.status).toBe(401);
    expect(after.data).toBeUndefined();
    expect(changed).toMatchObject({ role: 'ADMIN', previousRole: 'CASHIER', sessionsEnded: 1 });

    // signing in again as the Admin asks for the second factor first
    const again = await trpc(stack, 'mutation', 'auth.login', { email: cashier.email, password: PASSWORD });
    expect(again.data).toMatchObject({ status: 'TOTP_ENROLLMENT_REQUIRED' });
    expect(again.cookie).toBeUndefined();
  });

  it("from ADMIN revokes the read tokens the Admin made, and no other Admin's", async () => {
    const leaving = await signedInAdmin(stack, tenantId);
    const staying = await signedInAdmin(stack, tenantId);
    const theirs = await tokenOf(leaving, 'SIEM of the leaving Admin');
    const kept = await tokenOf(staying, 'SIEM of the other Admin');
    expect((await list({ apiKey: theirs.token })).status).toBe(200);

    const changed = await setUserRole(stack.services.orm, tenantId, leaving.email, 'MANAGER');
    expect((await list({ apiKey: theirs.token })).status).toBe(401);
    expect((await list({ cookie: leaving.cookie })).status).toBe(401);
    expect((await list({ apiKey: kept.token })).status).toBe(200);
    expect(changed.readTokensRevoked.map((t) => t.id)).toEqual([theirs.tokenId]);
    expect(changed.readTokensRevoked[0]!.revokedAt).not.toBeNull();
  });

  it('to the same role changes nothing', async () => {
    const admin = await signedInAdmin(stack, tenantId);
    const token = await tokenOf(admin, 'unchanged');
    const same = await setUserRole(stack.services.orm, tenantId, admin.email, 'ADMIN');
    expect((await list({ cookie: admin.cookie })).status).toBe(200);
    expect((await list({ apiKey: token.token })).status).toBe(200);
    expect(same).toMatchObject({ sessionsEnded: 0, readTokensRevoked: [] });
  });
});

describe('disabling an Admin', () => {
  it('ends their sessions and the read tokens they made; NDJSON pulls with them are refused', async () => {
    const leaving = await signedInAdmin(stack, tenantId);
    const first = await tokenOf(leaving, 'laptop');
    const second = await tokenOf(leaving, 'nightly export');
    expect((await list({ apiKey: first.token })).status).toBe(200);

    const disabled = await disableUser(stack.services.orm, tenantId, leaving.email);
    for (const t of [first, second]) {
      expect((await list({ apiKey: t.token })).status).toBe(401);
      const pull = await fetch(`${stack.baseUrl}/api/events.ndjson`, { headers: { authorization: `Bearer ${t.token}` } });
      expect(pull.status).toBe(401);
      await pull.body?.cancel();
    }
    expect(disabled.sessionsEnded).toBe(1);
    expect(disabled.readTokensRevoked.map((t) => t.id).sort()).toEqual([first.tokenId, second.tokenId].sort());
  });
});
