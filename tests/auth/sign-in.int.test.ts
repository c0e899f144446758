import { createUser, totpCodeAt } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

let stack: TestStack;
let tenantId: string;
let admin: Awaited<ReturnType<typeof signedInAdmin>>;

const query = <T>(text: string, params: unknown[] = []) => queryRows<T>(stack.databaseSuperuserUrl, text, params);

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Sign-in'));
  admin = await signedInAdmin(stack, tenantId);
});
afterAll(() => stack.close());

describe('first sign-in of an Admin', () => {
  it('forces TOTP enrolment with a QR code and the secret shown once, then opens a strict httpOnly session', async () => {
    const user = await makeUser(stack, tenantId, 'ADMIN');
    const { first, cookie, secret } = await signInFirstTime(stack, user.email);
    expect(first.data).toMatchObject({ status: 'TOTP_ENROLLMENT_REQUIRED' });
    expect(first.data.otpauthUrl).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    expect(first.data.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(first.cookie).toBeUndefined();
    expect(cookie).toMatch(/^modula_session=mas_/);
    const me = await trpc(stack, 'query', 'auth.me', undefined, { cookie });
    expect(me.data).toMatchObject({ tenantId, email: user.email, role: 'ADMIN', tenantName: 'Sign-in' });
    // the secret is stored sealed, never as given
    const [row] = await query<{ totp_secret_enc: string; totp_enrolled: boolean }>('select totp_secret_enc, totp_enrolled from users where id = $1', [
      user.userId,
    ]);
    expect(row!.totp_enrolled).toBe(true);
    expect(row!.totp_secret_enc).not.toContain(secret!);
  });

  it('sets the cookie httpOnly, SameSite=Strict, path /', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    const res = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    expect(res.data).toEqual({ status: 'OK' });
    const cookie = res.setCookie.find((c) => c.startsWith('modula_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i); // COOKIE_SECURE defaults to false (plain HTTP on 127.0.0.1)
  });

  it('forces enrolment on a Manager too; a Cashier signs in with the password alone', async () => {
    const manager = await makeUser(stack, tenantId, 'MANAGER');
    expect((await trpc(stack, 'mutation', 'auth.login', { email: manager.email, password: PASSWORD })).data.status).toBe('TOTP_ENROLLMENT_REQUIRED');
    const cashier = await makeUser(stack, tenantId, 'CASHIER');
    expect((await trpc(stack, 'mutation', 'auth.login', { email: cashier.email, password: PASSWORD })).data).toEqual({ status: 'OK' });
  });

  it('refuses a wrong first code, a forged enrolment token and a spent one', async () => {
    const user = await makeUser(stack, tenantId, 'ADMIN');
    const first = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    const token = first.data.enrollmentToken as string;
    const good = totpCodeAt(first.data.secret);
    const wrong = good === '000000' ? '111111' : '000000';
    expect((await trpc(stack, 'mutation', 'auth.confirmTotp', { enrollmentToken: token, code: wrong })).code).toBe('UNAUTHORIZED');
    const forged = `${token.split('.')[0]}.${'A'.repeat(43)}`;
    expect((await trpc(stack, 'mutation', 'auth.confirmTotp', { enrollmentToken: forged, code: good })).code).toBe('UNAUTHORIZED');
    expect((await trpc(stack, 'mutation', 'auth.confirmTotp', { enrollmentToken: token, code: good })).data).toMatchObject({ status: 'OK' });
    expect((await trpc(stack, 'mutation', 'auth.confirmTotp', { enrollmentToken: token, code: totpCodeAt(first.data.secret, Date.now() + 30_000) })).code).toBe(
      'UNAUTHORIZED',
    );
  });
});

describe('later sign-ins', () => {
  it('asks for the code, accepts a fresh one and refuses a spent one (replay)', async () => {
    const user = await makeUser(stack, tenantId, 'ADMIN');
    const { secret } = await signInFirstTime(stack, user.email); // spent the previous step's code
    const noCode = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    expect(noCode.data).toEqual({ status: 'TOTP_REQUIRED' });
    expect(noCode.cookie).toBeUndefined();
    const spent = totpCodeAt(secret!, Date.now() - 30_000);
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD, totp: spent })).code).toBe('UNAUTHORIZED');
    const now = totpCodeAt(secret!);
    const ok = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD, totp: now });
    expect(ok.data).toEqual({ status: 'OK' });
    expect(ok.cookie).toBeDefined();
    const replay = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD, totp: now });
    expect(replay.code).toBe('UNAUTHORIZED');
    expect(replay.cookie).toBeUndefined();
  });

  it('answers an unknown account and a wrong password with the same message', async () => {
    const unknown = await trpc(stack, 'mutation', 'auth.login', { email: 'nobody@example.test', password: 'whatever-password' });
    const wrong = await trpc(stack, 'mutation', 'auth.login', { email: admin.email, password: 'not the password' });
    expect(unknown.code).toBe('UNAUTHORIZED');
    expect(wrong.code).toBe('UNAUTHORIZED');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('locks the account for at least 30 minutes after 10 failures: TOO_MANY_REQUESTS even with the right password', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    for (let i = 0; i < 10; i++) {
      expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: `wrong password ${i}` })).code).toBe('UNAUTHORIZED');
    }
    const locked = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    expect(locked.code).toBe('TOO_MANY_REQUESTS');
    expect(locked.status).toBe(429);
    const [row] = await query<{ minutes: number }>('select extract(epoch from locked_until - now()) / 60 as minutes from users where id = $1', [user.userId]);
    expect(Number(row!.minutes)).toBeGreaterThan(29.9);
  });

  it('counts wrong codes towards the lock too', async () => {
    const user = await makeUser(stack, tenantId, 'MANAGER');
    const { secret } = await signInFirstTime(stack, user.email);
    const good = totpCodeAt(secret!);
    const bad = good === '123456' ? '654321' : '123456';
    for (let i = 0; i < 10; i++) {
      expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD, totp: bad })).code).toBe('UNAUTHORIZED');
    }
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD, totp: good })).code).toBe('TOO_MANY_REQUESTS');
  });
});

describe('sign-out', () => {
  it('revokes the session: the same cookie is refused afterwards', async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    const { cookie } = await signInFirstTime(stack, user.email);
    expect((await trpc(stack, 'query', 'auth.me', undefined, { cookie })).status).toBe(200);
    const out = await trpc(stack, 'mutation', 'auth.logout', {}, { cookie });
    expect(out.data).toEqual({ status: 'OK' });
    expect(out.setCookie.some((c) => /^modula_session=;/.test(c))).toBe(true);
    expect((await trpc(stack, 'query', 'auth.me', undefined, { cookie })).code).toBe('UNAUTHORIZED');
    const [row] = await query<{ revoked_at: Date | null }>('select revoked_at from sessions where user_id = $1', [user.userId]);
    expect(row!.revoked_at).not.toBeNull();
  });

  it("deletes a user's sessions that ended over 30 days ago when the user signs in again, and keeps recent ones", async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER');
    await signInFirstTime(stack, user.email);
    await signInFirstTime(stack, user.email);
    const ids = (await query<{ id: string }>('select id from sessions where user_id = $1 order by id', [user.userId])).map((r) => r.id);
    expect(ids).toHaveLength(2);
    // one ended 31 days ago, the other 29 days ago (the superuser moves their dates back)
    await query(`update sessions set revoked_at = now() - interval '31 days' where id = $1`, [ids[0]]);
    await query(`update sessions set idle_expires_at = now() - interval '29 days' where id = $1`, [ids[1]]);
    await signInFirstTime(stack, user.email);
    const left = (await query<{ id: string }>('select id from sessions where user_id = $1 order by id', [user.userId])).map((r) => r.id);
    expect(left).toHaveLength(2);
    expect(left).not.toContain(ids[0]);
    expect(left).toContain(ids[1]);
  });

  it('stores only the SHA-256 of a session token', async () => {
    // the cookie is mas_<tenant hex>_<43-char secret>; the secret may itself contain '_', so cut by position
    const token = admin.cookie.slice(admin.cookie.indexOf('=') + 1);
    const secret = token.slice('mas_'.length + 32 + 1);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await query<{ n: string; hashed: string }>(
      `select count(*) filter (where strpos(s::text, $1) > 0) as n,
              count(*) filter (where token_hash = sha256(convert_to($1, 'UTF8'))) as hashed
         from sessions s`,
      [secret],
    );
    expect(Number(rows[0]!.n)).toBe(0);
    expect(Number(rows[0]!.hashed)).toBe(1);
  });
});

describe('accounts', () => {
  it('refuses an email already used in another tenant (sign-in names no tenant)', async () => {
    const other = await stack.createTenant('Other');
    await expect(
      createUser(stack.services.orm, { tenantId: other.tenantId, email: admin.email.toUpperCase(), password: PASSWORD, role: 'ADMIN' }),
    ).rejects.toThrow(/already used by an account of another tenant/);
  });
});

describe('sign-in attempts are audit events of the tenant', () => {
  it('records LOGIN_SUCCESS, LOGIN_FAILED and TWO_FACTOR_ENABLED with IP and session, never the password', async () => {
    const user = await makeUser(stack, tenantId, 'ADMIN', 'Audited Admin');
    const secretPassword = 'this-password-must-never-be-stored';
    await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: secretPassword });
    await signInFirstTime(stack, user.email);
    const items = await eventually(async () => {
      const res = await trpc(stack, 'query', 'events.list', { actorIds: [user.userId], limit: 10 }, { cookie: admin.cookie });
      return res.data?.items.length === 3 ? (res.data.items as any[]) : undefined;
    });
    expect(items.map((e) => e.action).sort()).toEqual(['LOGIN_FAILED', 'LOGIN_SUCCESS', 'TWO_FACTOR_ENABLED']);
    const failed = items.find((e) => e.action === 'LOGIN_FAILED');
    expect(failed).toMatchObject({
      module: 'AUTH',
      outcome: 'FAILED',
      actor: { id: user.userId, role: 'ADMIN', name: 'Audited Admin' },
      context: { ip: '127.0.0.1' },
      metadata: { failure: 'BAD_PASSWORD' },
    });
    const success = items.find((e) => e.action === 'LOGIN_SUCCESS');
    expect(success.context.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(success.outcome).toBe('SUCCESS');
    const leaks = await query('select seq from audit_events where audit_events::text like $1', [`%${secretPassword}%`]);
    expect(leaks).toEqual([]);
  });
});
