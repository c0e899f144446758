import { createUser } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { previousStepCode } from '../../testing/totp.ts';

/**
 * Issue 12, item 4: the password policy where passwords are set (PCI DSS 8.3.6 and a check against
 * common passwords), one-time recovery codes at TOTP enrolment, and the signed-in user's password change.
 */
let stack: TestStack;
let tenantId: string;
let admin: Awaited<ReturnType<typeof signedInAdmin>>;

const query = <T>(text: string, params: unknown[] = []) => queryRows<T>(stack.databaseSuperuserUrl, text, params);

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Passwords'));
  admin = await signedInAdmin(stack, tenantId);
});
afterAll(() => stack?.close());

let counter = 0;
const freshEmail = () => `pw-${Date.now().toString(36)}-${counter++}@example.test`;

describe('the password policy (cli user create and the password change)', () => {
  it.each([
    ['aaaaaaaaaaaa', /easy to guess|repeated/i],
    ['123456789012', /letters and digits|common/i],
    ['password1234', /easy to guess|common/i],
    ['Tr0ub4dor&3', /at least 12 characters/i],
  ])('refuses %s with a clear message', async (password, message) => {
    await expect(createUser(stack.services.orm, { tenantId, email: freshEmail(), password, role: 'CASHIER' })).rejects.toThrow(message);
  });

  it('refuses the email itself (or a password built on it)', async () => {
    const email = freshEmail();
    await expect(createUser(stack.services.orm, { tenantId, email, password: email, role: 'CASHIER' })).rejects.toThrow(/email/i);
    await expect(createUser(stack.services.orm, { tenantId, email, password: `${email.split('@')[0]}!X9`, role: 'CASHIER' })).rejects.toThrow(/email/i);
  });

  it('accepts a strong one (12+ characters, letters and digits, not guessable)', async () => {
    const email = freshEmail();
    await expect(createUser(stack.services.orm, { tenantId, email, password: 'plum Vivid 87 harbor', role: 'CASHIER' })).resolves.toMatchObject({
      userId: expect.any(String),
    });
    expect((await trpc(stack, 'mutation', 'auth.login', { email, password: 'plum Vivid 87 harbor' })).data).toEqual({ status: 'OK' });
  });
});

describe('recovery codes', () => {
  it('are given once at enrolment; each works once in place of a TOTP code, and is recorded as a sign-in', async () => {
    const user = await makeUser(stack, tenantId, 'ADMIN', 'Recovering Admin');
    const first = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    const confirmed = await trpc(stack, 'mutation', 'auth.confirmTotp', {
      enrollmentToken: first.data.enrollmentToken,
      code: await previousStepCode(first.data.secret),
    });
    expect(confirmed.data.status).toBe('OK');
    const codes = confirmed.data.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    // stored hashed: no code appears in the database
    const leaks = await query<{ id: string }>('select id from users where users::text like $1', [`%${codes[0]!.replace('-', '')}%`]);
    expect(leaks).toEqual([]);

    const used = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD, recoveryCode: codes[0] });
    expect(used.data).toEqual({ status: 'OK' });
    expect(used.cookie).toBeDefined();
    const again = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD, recoveryCode: codes[0] });
    expect(again.code).toBe('UNAUTHORIZED');
    expect(again.cookie).toBeUndefined();
    // another code still works, typed without the dash and in capitals
    const other = await trpc(stack, 'mutation', 'auth.login', {
      email: user.email,
      password: PASSWORD,
      recoveryCode: codes[1]!.replace('-', '').toUpperCase(),
    });
    expect(other.data).toEqual({ status: 'OK' });
    // a recovery code does not replace the password
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: 'not the password 1', recoveryCode: codes[2] })).code).toBe(
      'UNAUTHORIZED',
    );

    const items = await eventually(async () => {
      const res = await trpc(stack, 'query', 'events.list', { actorIds: [user.userId], actions: ['LOGIN_SUCCESS'] }, { cookie: admin.cookie });
      return res.data?.items.length === 3 ? (res.data.items as any[]) : undefined;
    });
    const byCode = items.filter((e) => e.metadata?.secondFactor === 'RECOVERY_CODE');
    expect(byCode).toHaveLength(2);
    expect(byCode.map((e) => e.metadata.recoveryCodesLeft).sort()).toEqual([8, 9]);
  });
});

describe('auth.changePassword', () => {
  it('checks the current password and the policy, then revokes the user’s other sessions', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    const here = (await signInFirstTime(stack, user.email)).cookie;
    const elsewhere = (await signInFirstTime(stack, user.email)).cookie;

    const wrong = await trpc(
      stack,
      'mutation',
      'auth.changePassword',
      { currentPassword: 'not the password 1', newPassword: 'plum Vivid 87 harbor' },
      { cookie: here },
    );
    expect(wrong.code).toBe('UNAUTHORIZED');
    const weak = await trpc(stack, 'mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: 'password1234' }, { cookie: here });
    expect(weak.code).toBe('BAD_REQUEST');
    expect(weak.body.error.message).toMatch(/easy to guess|common/i);
    const own = await trpc(stack, 'mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: user.email }, { cookie: here });
    expect(own.code).toBe('BAD_REQUEST');
    expect(own.body.error.message).toMatch(/email/i);

    const ok = await trpc(stack, 'mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: 'plum Vivid 87 harbor' }, { cookie: here });
    expect(ok.data).toMatchObject({ status: 'OK', sessionsRevoked: 1 });
    expect((await trpc(stack, 'query', 'auth.me', undefined, { cookie: here })).status).toBe(200);
    expect((await trpc(stack, 'query', 'auth.me', undefined, { cookie: elsewhere })).code).toBe('UNAUTHORIZED');
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD })).code).toBe('UNAUTHORIZED');
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: 'plum Vivid 87 harbor' })).data).toEqual({ status: 'OK' });
  });

  it('needs a session', async () => {
    expect((await trpc(stack, 'mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: 'plum Vivid 87 harbor' })).code).toBe(
      'UNAUTHORIZED',
    );
  });
});
