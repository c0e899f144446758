import type { TRole } from '@modula/contracts';
import { createUser } from '@modula/domain';
import { previousStepCode } from './totp.ts';
import type { TestStack } from './stack.ts';

/** Settings for a test stack's sign-in: a fixed server secret (nothing written under .data) and no backoff. */
export const VIEWER_ENV = { SERVER_SECRET: 'test-server-secret-of-at-least-32-characters', LOGIN_BACKOFF_MS: '0' };

export const PASSWORD = 'correct horse battery staple 42';

/**
 * A tRPC call over HTTP with an optional session cookie; returns status, body and the cookie set, if any.
 * A mutation with a cookie carries the viewer's Origin, as a browser's POST does (`origin`: another, or null for none).
 */
export async function trpc(
  stack: TestStack,
  kind: 'query' | 'mutation',
  path: string,
  input?: unknown,
  opts: { cookie?: string; apiKey?: string; origin?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  const origin = opts.origin === undefined ? stack.baseUrl : opts.origin;
  if (kind === 'mutation' && opts.cookie && origin !== null) headers.origin = origin;
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  let res: Response;
  if (kind === 'query') {
    const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    res = await fetch(`${stack.baseUrl}/trpc/${path}${qs}`, { headers });
  } else {
    res = await fetch(`${stack.baseUrl}/trpc/${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    });
  }
  const body = (await res.json()) as any;
  const setCookie = res.headers.getSetCookie();
  // the session cookie is __Host-modula_session when COOKIE_SECURE is on, modula_session otherwise
  const session = setCookie.map((c) => /^((?:__Host-)?modula_session)=([^;]*)/.exec(c)).find((m) => m !== null);
  return {
    status: res.status,
    body,
    data: body?.result?.data,
    code: body?.error?.data?.code as string | undefined,
    setCookie,
    cookie: session?.[2] ? `${session[1]}=${session[2]}` : undefined,
  };
}

let counter = 0;
/** A user of the tenant with a unique email. */
export async function makeUser(stack: TestStack, tenantId: string, role: TRole, name?: string) {
  const email = `${role.toLowerCase()}-${Date.now().toString(36)}-${counter++}@example.test`;
  const { userId } = await createUser(stack.services.orm, { tenantId, email, password: PASSWORD, role, name });
  return { userId, email };
}

/**
 * First sign-in of a user: password, TOTP enrolment (for ADMIN/MANAGER) confirmed with the code of
 * the previous time-step, so the current and next step stay free for further sign-ins.
 */
export async function signInFirstTime(stack: TestStack, email: string) {
  const first = await trpc(stack, 'mutation', 'auth.login', { email, password: PASSWORD });
  if (first.data?.status === 'OK') return { cookie: first.cookie!, secret: undefined, first };
  if (first.data?.status !== 'TOTP_ENROLLMENT_REQUIRED') throw new Error(`unexpected sign-in answer ${JSON.stringify(first.body)}`);
  const secret = first.data.secret as string;
  const confirmed = await trpc(stack, 'mutation', 'auth.confirmTotp', { enrollmentToken: first.data.enrollmentToken, code: await previousStepCode(secret) });
  if (confirmed.data?.status !== 'OK' || !confirmed.cookie) throw new Error(`enrolment failed ${JSON.stringify(confirmed.body)}`);
  return { cookie: confirmed.cookie, secret, first };
}

/** A tenant's Admin, signed in: the cookie to read with. */
export async function signedInAdmin(stack: TestStack, tenantId: string) {
  const user = await makeUser(stack, tenantId, 'ADMIN', 'Ada Admin');
  const { cookie, secret } = await signInFirstTime(stack, user.email);
  return { ...user, cookie, secret };
}
