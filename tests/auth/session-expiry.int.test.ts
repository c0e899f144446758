import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * No fixed sleeps: each test reads the expiry the service recorded (sessions, users) and waits
 * until the clock that decides it has passed that instant — PostgreSQL's for sessions (checked
 * with now() in SQL), this process's for the sign-in backoff (the in-process server's Date) — so
 * a slow machine can make a test slower, never wrong.
 */
let stack: TestStack;
let tenantId: string;
let db: pg.Client;
const IDLE_MS = 1500;
const ABSOLUTE_MS = 4000;
const BACKOFF_MS = 1000;

beforeAll(async () => {
  stack = await startStack({
    worker: false,
    // idle 1.5 s, absolute 4 s; backoff of 1 s after 3 failures; Secure cookies
    env: {
      ...VIEWER_ENV,
      SESSION_IDLE_MINUTES: String(IDLE_MS / 60_000),
      SESSION_ABSOLUTE_HOURS: String(ABSOLUTE_MS / 3_600_000),
      LOGIN_BACKOFF_MS: String(BACKOFF_MS),
      COOKIE_SECURE: 'true',
    },
  });
  ({ tenantId } = await stack.createTenant('Expiry'));
  db = await connect(stack.databaseSuperuserUrl);
});
afterAll(async () => {
  await db?.end();
  await stack.close();
});

const me = (cookie: string) => trpc(stack, 'query', 'auth.me', undefined, { cookie });

/** The user's (only) session as stored, instants in epoch milliseconds. */
async function sessionOf(userId: string) {
  const { rows } = await db.query<{ created: number; last_seen: number; idle: number; absolute: number }>(
    `select extract(epoch from created_at) * 1000 as created, extract(epoch from last_seen_at) * 1000 as last_seen,
       extract(epoch from idle_expires_at) * 1000 as idle, extract(epoch from absolute_expires_at) * 1000 as absolute
     from sessions where user_id = $1`,
    [userId],
  );
  expect(rows).toHaveLength(1);
  const r = rows[0]!;
  return { created: Number(r.created), lastSeen: Number(r.last_seen), idle: Number(r.idle), absolute: Number(r.absolute) };
}

/** Until PostgreSQL's clock, which decides whether a session is live, is past `at` (epoch ms). */
async function untilDatabaseClockPasses(at: number): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await db.query<{ past: boolean }>('select clock_timestamp() > to_timestamp($1::float8 / 1000) as past', [at]);
      return rows[0]!.past ? true : undefined;
    },
    20_000,
    20,
  );
}

describe('session expiry', () => {
  it('ends a session left idle longer than SESSION_IDLE_MINUTES; each request moves that expiry', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    const { cookie } = await signInFirstTime(stack, user.email);
    const opened = await sessionOf(user.userId);
    expect(opened.idle - opened.created).toBeCloseTo(IDLE_MS, 0);
    // a request half-way through the idle time puts the expiry IDLE_MS after it
    await untilDatabaseClockPasses(opened.idle - IDLE_MS / 2);
    expect((await me(cookie)).status).toBe(200);
    const extended = await sessionOf(user.userId);
    expect(extended.idle - extended.lastSeen).toBeCloseTo(IDLE_MS, 0);
    expect(extended.idle).toBeGreaterThan(opened.idle);
    // so the session outlives its first expiry
    await untilDatabaseClockPasses(opened.idle);
    expect((await me(cookie)).status).toBe(200);
    // and, left idle past its latest expiry, it is over
    const last = await sessionOf(user.userId);
    await untilDatabaseClockPasses(last.idle);
    expect((await me(cookie)).code).toBe('UNAUTHORIZED');
  });

  it('ends an active session at SESSION_ABSOLUTE_HOURS whatever the activity', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    const { cookie } = await signInFirstTime(stack, user.email);
    const opened = await sessionOf(user.userId);
    expect(opened.absolute - opened.created).toBeCloseTo(ABSOLUTE_MS, 0);
    // a request every third of the idle time, until the idle expiry is held at the absolute one
    let s = opened;
    for (let requests = 0; s.idle < s.absolute; requests++) {
      if (requests > 50) throw new Error(`the idle expiry never reached the absolute one: ${JSON.stringify(s)}`);
      await untilDatabaseClockPasses(s.lastSeen + IDLE_MS / 3);
      expect((await me(cookie)).status).toBe(200);
      s = await sessionOf(user.userId);
    }
    expect(s.idle).toBe(s.absolute);
    expect(s.lastSeen).toBeGreaterThan(opened.idle); // the activity kept it past its first idle expiry
    await untilDatabaseClockPasses(s.absolute);
    expect((await me(cookie)).code).toBe('UNAUTHORIZED');
  });

  it('sends the cookie with Secure when COOKIE_SECURE is set (named __Host-modula_session then)', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    const res = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    expect(res.setCookie.find((c) => c.startsWith('__Host-modula_session='))).toMatch(/; Secure/i);
  });
});

describe('backoff', () => {
  it('makes the account wait a doubling delay after 3 failures (TOO_MANY_REQUESTS), then lets it in', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    for (let i = 0; i < 3; i++)
      expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: 'wrong password!' })).code).toBe('UNAUTHORIZED');
    const early = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    expect(early.code).toBe('TOO_MANY_REQUESTS');
    expect(early.body.error.message).toMatch(/try again in \d+ s/);
    // the refused attempt did not count: the wait runs from the third failure, as recorded
    const { rows } = await db.query<{ failed_attempts: number; last_failed: string }>(
      'select failed_attempts, extract(epoch from last_failed_at) * 1000 as last_failed from users where id = $1',
      [user.userId],
    );
    expect(rows[0]!.failed_attempts).toBe(3);
    const mayRetryAt = Number(rows[0]!.last_failed) + BACKOFF_MS;
    await eventually(async () => (Date.now() > mayRetryAt ? true : undefined), 10_000, 20);
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD })).data).toEqual({ status: 'OK' });
  });
});
