import { totpCodeAt } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { previousStepCode } from '../../testing/totp.ts';

/**
 * Issue 12, item 3: sign-in abuse, played as an attacker would. Every client address comes from
 * X-Forwarded-For through a trusted proxy (TRUST_PROXY lists the test client's 127.0.0.1), so one
 * test can be many clients.
 */
const BEHIND_PROXY = { ...VIEWER_ENV, TRUST_PROXY: '127.0.0.1/32' };

interface TAnswer {
  status: number;
  code: string | undefined;
  message: string | undefined;
  data: any;
  setCookie: string[];
}

/** One auth.login attempt as the client at `ip`, with cookies if given (sent with the viewer's Origin, as a browser does). */
async function login(stack: TestStack, input: Record<string, unknown>, opts: { ip?: string; cookie?: string } = {}): Promise<TAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.ip) headers['x-forwarded-for'] = opts.ip;
  if (opts.cookie) {
    headers.cookie = opts.cookie;
    headers.origin = stack.baseUrl;
  }
  const res = await fetch(`${stack.baseUrl}/trpc/auth.login`, { method: 'POST', headers, body: JSON.stringify(input) });
  const body = (await res.json()) as any;
  return { status: res.status, code: body?.error?.data?.code, message: body?.error?.message, data: body?.result?.data, setCookie: res.headers.getSetCookie() };
}

/** What an attacker compares between two accounts. */
const seen = (a: TAnswer) => ({ status: a.status, code: a.code, message: a.message });

const query = <T>(stack: TestStack, text: string, params: unknown[] = []) => queryRows<T>(stack.databaseSuperuserUrl, text, params);

/** Waits until the ingest queue holds nothing to do, so every event a request queued is stored. */
async function drained(stack: TestStack): Promise<void> {
  await eventually(
    async () => {
      const c = await stack.services.ingestQueue.counts();
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0 ? true : undefined;
    },
    120_000,
    200,
  );
}

let unknownCounter = 0;
const unknownEmail = () => `nobody-${Date.now().toString(36)}-${unknownCounter++}@example.test`;

/** An Admin enrolled in TOTP from `ip`: the secret, and the cookies the enrolment answered with (session and, after this issue, the known device). */
async function enrolledAdmin(stack: TestStack, tenantId: string, ip: string) {
  const user = await makeUser(stack, tenantId, 'ADMIN', 'Targeted Admin');
  const first = await login(stack, { email: user.email, password: PASSWORD }, { ip });
  expect(first.data?.status).toBe('TOTP_ENROLLMENT_REQUIRED');
  const secret = first.data.secret as string;
  const confirmed = await trpc(stack, 'mutation', 'auth.confirmTotp', {
    enrollmentToken: first.data.enrollmentToken,
    code: await previousStepCode(secret),
  });
  expect(confirmed.data?.status).toBe('OK');
  const device = confirmed.setCookie.map((c) => /^((?:__Host-)?modula_device)=([^;]+)/.exec(c)).find((m) => m !== null);
  return { ...user, secret, deviceCookie: device ? `${device[1]}=${device[2]}` : undefined };
}

describe('no account oracle: a real and an unknown email are answered alike', () => {
  describe('with a backoff (doubling after 3 failures)', () => {
    let stack: TestStack;
    let tenantId: string;
    beforeAll(async () => {
      // 60 s, not the default 1 s: the real and the unknown email are asked one after the other, each
      // with a backoff window of its own, so a window ending between the two (a request slower than
      // 1 s on a loaded machine) answered them differently by timing alone (seen in a full local run)
      stack = await startStack({ env: { ...BEHIND_PROXY, LOGIN_BACKOFF_MS: '60000' } });
      ({ tenantId } = await stack.createTenant('Oracle, backoff'));
    });
    afterAll(() => stack?.close());

    it('gives the same status and message through the 15th wrong password in a row (the 4th was 429 for a real email only)', async () => {
      const real = await makeUser(stack, tenantId, 'ADMIN');
      const unknown = unknownEmail();
      const answers: { attempt: number; real: ReturnType<typeof seen>; unknown: ReturnType<typeof seen> }[] = [];
      for (let attempt = 1; attempt <= 15; attempt++) {
        const r = await login(stack, { email: real.email, password: `wrong password ${attempt}` }, { ip: '198.51.100.1' });
        const u = await login(stack, { email: unknown, password: `wrong password ${attempt}` }, { ip: '198.51.100.2' });
        answers.push({ attempt, real: seen(r), unknown: seen(u) });
      }
      for (const a of answers) expect({ attempt: a.attempt, ...a.unknown }).toEqual({ attempt: a.attempt, ...a.real });
      // the backoff did answer (so the comparison covered it), for both alike
      expect(answers[3]!.real.status).toBe(429);
    });
  });

  describe('without backoff (the lock after 10 failures)', () => {
    let stack: TestStack;
    let tenantId: string;
    beforeAll(async () => {
      stack = await startStack({ env: BEHIND_PROXY });
      ({ tenantId } = await stack.createTenant('Oracle, lock'));
    });
    afterAll(() => stack?.close());

    it('gives the same status and message through the 15th attempt, across the lock (11th on: 429 for both)', async () => {
      const real = await makeUser(stack, tenantId, 'CASHIER');
      const unknown = unknownEmail();
      for (let attempt = 1; attempt <= 15; attempt++) {
        // from the 11th attempt on, the real account is locked: even its right password is refused
        const password = attempt > 10 ? PASSWORD : `wrong password ${attempt}`;
        const r = await login(stack, { email: real.email, password }, { ip: '198.51.100.3' });
        const u = await login(stack, { email: unknown, password }, { ip: '198.51.100.4' });
        expect({ attempt, ...seen(u) }).toEqual({ attempt, ...seen(r) });
        expect({ attempt, status: r.status }).toEqual({ attempt, status: attempt > 10 ? 429 : 401 });
      }
    });

    it('counts unknown-email attempts in the metrics and the service log, and in no tenant log', async () => {
      const metric = async () => {
        const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith('audit_signin_unknown_account_total'));
        return line ? Number(line.split(' ').at(-1)) : undefined;
      };
      const before = (await metric()) ?? 0;
      const email = unknownEmail();
      for (let i = 0; i < 3; i++) await login(stack, { email, password: 'wrong password' }, { ip: '198.51.100.5' });
      expect(await metric()).toBe(before + 3);
      const rows = await query<{ n: string }>(stack, `select count(*) as n from audit_events where audit_events::text like $1`, [`%${email}%`]);
      expect(Number(rows[0]!.n)).toBe(0);
    });
  });
});

describe('per-address and global limits, before any account is looked up', () => {
  let stack: TestStack;
  let tenantId: string;
  beforeAll(async () => {
    stack = await startStack({ env: { ...BEHIND_PROXY, LOGIN_ADDRESS_LIMIT: '20', LOGIN_GLOBAL_LIMIT: '60' } });
    ({ tenantId } = await stack.createTenant('Limits'));
  });
  afterAll(() => stack?.close());

  it('answers 429 to an address over its limit, the same for a real account (even with its right password) and an unknown one', async () => {
    const real = await makeUser(stack, tenantId, 'CASHIER');
    const ip = '203.0.113.10';
    // password spraying: one guess per account, many accounts, one address
    for (let i = 0; i < 20; i++) expect((await login(stack, { email: unknownEmail(), password: 'Spring2026!' }, { ip })).status).toBe(401);
    const r = await login(stack, { email: real.email, password: PASSWORD }, { ip });
    const u = await login(stack, { email: unknownEmail(), password: PASSWORD }, { ip });
    expect(r.status).toBe(429);
    expect(r.code).toBe('TOO_MANY_REQUESTS');
    expect(seen(u)).toEqual(seen(r));
    // another address is not concerned, and the account itself was not locked by the address's attempts
    expect((await login(stack, { email: real.email, password: PASSWORD }, { ip: '203.0.113.11' })).data).toEqual({ status: 'OK' });
  });

  it('answers 429 once the whole service passes its global limit, from any address, for any account', async () => {
    const real = await makeUser(stack, tenantId, 'CASHIER');
    // a distributed attack: each address stays far below its own limit
    const spread = Array.from({ length: 70 }, (_, i) => login(stack, { email: unknownEmail(), password: 'Spring2026!' }, { ip: `192.0.2.${i + 1}` }));
    const statuses = (await Promise.all(spread)).map((a) => a.status);
    expect(statuses).toContain(429);
    const r = await login(stack, { email: real.email, password: PASSWORD }, { ip: '192.0.2.200' });
    const u = await login(stack, { email: unknownEmail(), password: PASSWORD }, { ip: '192.0.2.201' });
    expect(r.status).toBe(429);
    expect(seen(u)).toEqual(seen(r));
  });
});

describe('2,000 attempts on a real Admin’s email from many addresses', () => {
  let stack: TestStack;
  let tenantId: string;
  let admin: Awaited<ReturnType<typeof enrolledAdmin>>;
  const attackStartedAt = Date.now();
  beforeAll(async () => {
    stack = await startStack({ env: { ...BEHIND_PROXY, LOGIN_GLOBAL_LIMIT: '100000' } });
    ({ tenantId } = await stack.createTenant('Targeted'));
    admin = await enrolledAdmin(stack, tenantId, '10.9.8.7');
    // 200 addresses × 10 wrong passwords, 50 at a time
    const jobs = Array.from(
      { length: 2000 },
      (_, i) => () => login(stack, { email: admin.email, password: `guess ${i}` }, { ip: `172.16.${Math.floor(i / 10) % 256}.${(i % 10) + 1}` }),
    );
    for (let i = 0; i < jobs.length; i += 50) await Promise.all(jobs.slice(i, i + 50).map((j) => j()));
    await drained(stack);
  }, 300_000);
  afterAll(() => stack?.close());

  it('writes at most a handful of events to the tenant’s log: the 10 failures that locked, then the refusals counted in one', async () => {
    const rows = await query<{ metadata: Record<string, unknown> }>(
      stack,
      `select metadata from audit_events where tenant_id = $1 and actor_id = $2 and action = 'LOGIN_FAILED' order by seq`,
      [tenantId, admin.userId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(11);
    expect(rows.length).toBeLessThanOrEqual(12);
    expect(rows.slice(0, 10).every((r) => r.metadata.failure === 'BAD_PASSWORD')).toBe(true);
    // the refusals while locked are one event with their count, not one event each
    const refused = rows.slice(10).reduce((n, r) => n + Number(r.metadata.attempts ?? 0), 0);
    expect(rows[10]!.metadata.failure).toBe('LOCKED');
    expect(refused).toBeGreaterThanOrEqual(1);
  });

  it('locked the account for 30 minutes from the 10th failure: the attempts while locked did not extend it', async () => {
    const [row] = await query<{ locked_until: Date; failed_attempts: number }>(stack, 'select locked_until, failed_attempts from users where id = $1', [
      admin.userId,
    ]);
    const lockedUntil = new Date(row!.locked_until).getTime();
    expect(lockedUntil).toBeGreaterThan(attackStartedAt + 30 * 60_000 - 1000);
    // the 10th failure came within the first seconds of the attack, long before its end
    expect(lockedUntil).toBeLessThan(attackStartedAt + 30 * 60_000 + 60_000);
  });

  it('keeps a new client out while locked, even with the right password and code', async () => {
    const res = await login(stack, { email: admin.email, password: PASSWORD, totp: totpCodeAt(admin.secret) }, { ip: '10.1.1.1' });
    expect(res.status).toBe(429);
  });

  it('lets the Admin in from the browser that signed in before (its known-device cookie), though the account is locked for everyone else', async () => {
    expect(admin.deviceCookie).toBeDefined();
    const res = await login(stack, { email: admin.email, password: PASSWORD, totp: totpCodeAt(admin.secret) }, { ip: '10.9.8.7', cookie: admin.deviceCookie });
    expect(res.data).toEqual({ status: 'OK' });
    // the refusals not written yet come with the account's next event: every one of the 2,000 attempts is in the log, counted
    await drained(stack);
    const rows = await query<{ metadata: Record<string, unknown> }>(
      stack,
      `select metadata from audit_events where tenant_id = $1 and actor_id = $2 and action = 'LOGIN_FAILED'`,
      [tenantId, admin.userId],
    );
    const failures = rows.filter((r) => r.metadata.failure === 'BAD_PASSWORD').length;
    const refusals = rows.filter((r) => r.metadata.failure === 'LOCKED').reduce((n, r) => n + Number(r.metadata.attempts), 0);
    // 1,990 refused attempts of the attack and the new client's one above
    expect({ failures, refusals, events: rows.length }).toEqual({ failures: 10, refusals: 1991, events: 12 });
    const lockedRows = rows.filter((r) => r.metadata.failure === 'LOCKED');
    expect(Math.max(...lockedRows.map((r) => Number(r.metadata.addresses)))).toBeGreaterThan(150);
  });

  it('lets the Admin in from anywhere once the lock has passed, though attempts went on', async () => {
    // 30 minutes pass (the superuser moves the lock back); the attackers go on meanwhile
    await query(stack, `update users set locked_until = now() - interval '1 second' where id = $1`, [admin.userId]);
    for (let i = 0; i < 5; i++) expect((await login(stack, { email: admin.email, password: `late guess ${i}` }, { ip: `172.17.0.${i + 1}` })).status).toBe(401);
    const res = await login(stack, { email: admin.email, password: PASSWORD, totp: totpCodeAt(admin.secret, Date.now() + 30_000) }, { ip: '10.1.1.2' });
    expect(res.data).toEqual({ status: 'OK' });
  });
});
