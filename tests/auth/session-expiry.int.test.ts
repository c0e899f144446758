import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

let stack: TestStack;
let tenantId: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await startStack({
    worker: false,
    // idle 1.5 s, absolute 4 s; backoff of 1 s after 3 failures; Secure cookies
    env: { ...VIEWER_ENV, SESSION_IDLE_MINUTES: '0.025', SESSION_ABSOLUTE_HOURS: String(4 / 3600), LOGIN_BACKOFF_MS: '1000', COOKIE_SECURE: 'true' },
  });
  ({ tenantId } = await stack.createTenant('Expiry'));
});
afterAll(() => stack.close());

const me = (cookie: string) => trpc(stack, 'query', 'auth.me', undefined, { cookie });

describe('session expiry', () => {
  it('ends a session left idle longer than SESSION_IDLE_MINUTES', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    const { cookie } = await signInFirstTime(stack, user.email);
    expect((await me(cookie)).status).toBe(200);
    await sleep(1000);
    expect((await me(cookie)).status).toBe(200); // activity extends the idle expiry
    await sleep(1800);
    expect((await me(cookie)).code).toBe('UNAUTHORIZED');
  });

  it('ends an active session at SESSION_ABSOLUTE_HOURS whatever the activity', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    const { cookie } = await signInFirstTime(stack, user.email);
    const started = Date.now();
    while (Date.now() - started < 3000) {
      expect((await me(cookie)).status).toBe(200);
      await sleep(700);
    }
    await sleep(Math.max(0, 4300 - (Date.now() - started)));
    expect((await me(cookie)).code).toBe('UNAUTHORIZED');
  });

  it('sends the cookie with Secure when COOKIE_SECURE is set', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    const res = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    expect(res.setCookie.find((c) => c.startsWith('modula_session='))).toMatch(/; Secure/i);
  });
});

describe('backoff', () => {
  it('makes the account wait a doubling delay after 3 failures (TOO_MANY_REQUESTS), then lets it in', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    for (let i = 0; i < 3; i++) expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: 'wrong password!' })).code).toBe('UNAUTHORIZED');
    const early = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    expect(early.code).toBe('TOO_MANY_REQUESTS');
    expect(early.body.error.message).toMatch(/try again in \d+ s/);
    await sleep(1100);
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD })).data).toEqual({ status: 'OK' });
  });
});
