import { disableUser } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 12, item 4: a sign-in attempt on a disabled account leaves a LOGIN_FAILED
 * (`metadata.failure = ACCOUNT_DISABLED`) in its tenant's log — once per account and 5 minutes,
 * with the count of attempts, like a locked account's refusals — while the answer stays that of a
 * wrong password (and of an unknown email): no account oracle.
 */
const BEHIND_PROXY = { ...VIEWER_ENV, TRUST_PROXY: '127.0.0.1/32' };

interface TAnswer {
  status: number;
  code: string | undefined;
  message: string | undefined;
  data: unknown;
  setCookie: string[];
}

async function login(stack: TestStack, input: Record<string, unknown>, ip: string): Promise<TAnswer> {
  const res = await fetch(`${stack.baseUrl}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as any;
  return { status: res.status, code: body?.error?.data?.code, message: body?.error?.message, data: body?.result?.data, setCookie: res.headers.getSetCookie() };
}
const seen = (a: TAnswer) => ({ status: a.status, code: a.code, message: a.message, cookies: a.setCookie.length });

interface TFailed {
  metadata: Record<string, unknown>;
  actor_id: string;
  entity_id: string;
  provenance: string;
}

let stack: TestStack;
let tenantId: string;

async function failedOf(userId: string): Promise<TFailed[]> {
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    return (
      await db.query(
        `select metadata, actor_id, entity_id, to_jsonb(e)::text as provenance from audit_events e
      where tenant_id = $1 and actor_id = $2 and action = 'LOGIN_FAILED' order by seq`,
        [tenantId, userId],
      )
    ).rows as TFailed[];
  } finally {
    await db.end();
  }
}

/** Waits until the ingest queue holds nothing to do, so every event a request queued is stored. */
async function drained(): Promise<void> {
  await eventually(
    async () => {
      const c = await stack.services.ingestQueue.counts();
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0 ? true : undefined;
    },
    60_000,
    100,
  );
}

beforeAll(async () => {
  stack = await startStack({ env: BEHIND_PROXY });
  ({ tenantId } = await stack.createTenant('Disabled accounts'));
});
afterAll(() => stack?.close());

describe('sign-in attempts on a disabled account', () => {
  let disabled: Awaited<ReturnType<typeof makeUser>>;

  beforeAll(async () => {
    disabled = await makeUser(stack, tenantId, 'CASHIER', 'Dora Disabled');
    await disableUser(stack.services.orm, tenantId, disabled.email);
  });

  it('are answered as a wrong password (and an unknown email) through the lock, even with the right password', async () => {
    const real = await makeUser(stack, tenantId, 'CASHIER');
    const unknown = `nobody-${Date.now().toString(36)}@example.test`;
    for (let attempt = 1; attempt <= 12; attempt++) {
      const wrong = `wrong password ${attempt}`;
      const r = await login(stack, { email: real.email, password: wrong }, '198.51.100.1');
      const u = await login(stack, { email: unknown, password: wrong }, '198.51.100.2');
      // the disabled account's own right password, then wrong ones: the same answer either way
      const d = await login(stack, { email: disabled.email, password: attempt === 1 ? PASSWORD : wrong }, '198.51.100.3');
      expect({ attempt, ...seen(d) }).toEqual({ attempt, ...seen(r) });
      expect({ attempt, ...seen(u) }).toEqual({ attempt, ...seen(r) });
      expect({ attempt, status: r.status }).toEqual({ attempt, status: attempt > 10 ? 429 : 401 });
    }
  });

  it('leave one LOGIN_FAILED (failure ACCOUNT_DISABLED) per account and window, with the attempts it stands for', async () => {
    await drained();
    const rows = await failedOf(disabled.userId);
    // twelve attempts inside one window: the first is written, the other eleven wait in the tally
    expect(rows).toHaveLength(1);
    expect(rows[0]!.metadata).toMatchObject({ failure: 'ACCOUNT_DISABLED', attempts: 1, addresses: 1, channel: 'viewer' });
    expect(rows[0]!.entity_id).toBe(disabled.userId);
    // a refused attempt proved no identity; neither password is in the event
    expect(rows[0]!.provenance).toContain('anonymous');
    expect(rows[0]!.provenance).not.toContain(PASSWORD);
    expect(rows[0]!.provenance).not.toContain('wrong password');

    // more attempts from other addresses in the same window: counted, not written
    for (let i = 0; i < 4; i++) await login(stack, { email: disabled.email, password: `guess ${i}` }, `203.0.113.${i + 1}`);
    await drained();
    expect(await failedOf(disabled.userId)).toHaveLength(1);

    // the window passes (its mark in Redis expires): the next attempt writes one event with every attempt since the last one
    const mark = `${stack.config.QUEUE_PREFIX}:signin:{refused:${tenantId}:${disabled.userId}}:mark`;
    expect(await stack.services.redis.del(mark)).toBe(1);
    await login(stack, { email: disabled.email, password: 'one more guess 1' }, '203.0.113.9');
    await drained();
    const after = await failedOf(disabled.userId);
    expect(after).toHaveLength(2);
    // 11 of the first test, 4 above and this one; from 1 + 4 + 1 addresses
    expect(after[1]!.metadata).toMatchObject({ failure: 'ACCOUNT_DISABLED', attempts: 16, addresses: 6 });
  });

  it('are not counted as attempts on an unknown account (the tenant log has them)', async () => {
    const metric = async () => {
      const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('audit_signin_unknown_account_total'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const before = await metric();
    await login(stack, { email: disabled.email, password: 'another guess 2' }, '203.0.113.10');
    expect(await metric()).toBe(before);
  });
});
