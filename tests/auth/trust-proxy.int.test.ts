import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * The IP recorded in sign-in events (and shown on the suspicious sign-ins screen) behind a load
 * balancer: X-Forwarded-For counts only from a proxy listed in TRUST_PROXY, never from a client.
 */
async function failedSignInIp(stack: TestStack, tenantId: string, adminCookie: string, forwardedFor: string): Promise<string> {
  const user = await makeUser(stack, tenantId, 'CASHIER');
  const res = await fetch(`${stack.baseUrl}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ email: user.email, password: 'wrong password' }),
  });
  expect(res.status).toBe(401);
  const [event] = await eventually(async () => {
    const list = await trpc(stack, 'query', 'events.list', { actorIds: [user.userId], actions: ['LOGIN_FAILED'] }, { cookie: adminCookie });
    return list.data?.items.length === 1 ? (list.data.items as { context: { ip: string } }[]) : undefined;
  });
  return event!.context.ip;
}

// The test client connects from 127.0.0.1, so that is the peer each case trusts or not.
describe.each([
  {
    trustProxy: '',
    what: 'no proxy trusted',
    cases: [{ forwardedFor: '203.0.113.50', expected: '127.0.0.1', why: 'ignores X-Forwarded-For (a client cannot forge its address)' }],
  },
  {
    trustProxy: '127.0.0.1/32',
    what: 'the peer is a trusted proxy',
    cases: [
      { forwardedFor: '203.0.113.50', expected: '203.0.113.50', why: 'records the client address the proxy forwards' },
      {
        forwardedFor: '6.6.6.6, 203.0.113.50',
        expected: '203.0.113.50',
        why: 'stops at the first untrusted hop: an address the client prepended is not believed',
      },
    ],
  },
  {
    trustProxy: '10.0.0.0/8',
    what: 'the peer is not among the listed proxies',
    cases: [{ forwardedFor: '203.0.113.50', expected: '127.0.0.1', why: 'ignores X-Forwarded-For from a peer outside the list' }],
  },
])('TRUST_PROXY=$trustProxy ($what)', ({ trustProxy, cases }) => {
  let stack: TestStack;
  let tenantId: string;
  let admin: Awaited<ReturnType<typeof signedInAdmin>>;
  beforeAll(async () => {
    stack = await startStack({ env: { ...VIEWER_ENV, TRUST_PROXY: trustProxy } });
    ({ tenantId } = await stack.createTenant('Behind a proxy'));
    admin = await signedInAdmin(stack, tenantId);
  });
  afterAll(() => stack?.close());

  it.each(cases)('X-Forwarded-For: $forwardedFor → $expected: $why', async ({ forwardedFor, expected }) => {
    await expect(failedSignInIp(stack, tenantId, admin.cookie, forwardedFor)).resolves.toBe(expected);
  });
});
