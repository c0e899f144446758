import type { TAuditEventInput, TRole } from '@modula/contracts';
import { dbOf, sql, withNoTenant, withTenant, type Db, type Orm } from '@modula/db';
import { createHash } from 'node:crypto';
import { afterFailure, refusedUntil, type TFailureState, type TThrottlePolicy } from './login-throttle.ts';
import { checkPassword } from './passwords.ts';
import { decryptSecret, encryptSecret, signPayload, verifyPayload } from './server-keys.ts';
import { openSession, type TSessionPolicy } from './sessions.ts';
import { signInEvent, type TSignInActor, type TSignInFailure } from './sign-in-events.ts';
import { checkTotp, newTotpSecret, otpauthUrlOf, qrDataUrlOf } from './totp.ts';

export interface TAuthSettings extends TThrottlePolicy, TSessionPolicy {
  serverSecret: Buffer;
}

/** One answer for an unknown account and a wrong password: nothing tells them apart. */
export const BAD_CREDENTIALS = 'email or password is wrong';
const ENROLLMENT_MINUTES = 10;

/**
 * What a sign-in step came to, with the audit events it produced (the caller records them through
 * the ingest pipeline, then answers). Expected refusals are outcomes, not exceptions, so the
 * failure counter the transaction wrote is committed.
 */
export type TSignInOutcome = { events: TAuditEventInput[] } & (
  | { kind: 'SESSION'; token: string; sessionId: string }
  | { kind: 'TOTP_REQUIRED' }
  | { kind: 'ENROLL'; enrollmentToken: string; otpauthUrl: string; qrDataUrl: string; secret: string }
  | { kind: 'REFUSED'; code: 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS'; message: string }
);

interface UserRow {
  id: string; email: string; name: string | null; role: TRole; password_hash: string;
  totp_secret_enc: string | null; totp_enrolled: boolean; totp_last_step: string | null;
  failed_attempts: number; last_failed_at: Date | null; locked_until: Date | null;
}

async function lockUser(db: Db, tenantId: string, userId: string): Promise<UserRow | undefined> {
  const row = (await sql<UserRow & { last_failed_ms: string | null; locked_until_ms: string | null }>`
    select id, email, name, role, password_hash, totp_secret_enc, totp_enrolled, totp_last_step, failed_attempts,
      (extract(epoch from last_failed_at) * 1000)::bigint as last_failed_ms, (extract(epoch from locked_until) * 1000)::bigint as locked_until_ms
    from users where tenant_id = ${tenantId} and id = ${userId} and disabled_at is null for update`.execute(db)).rows[0];
  if (!row) return undefined;
  // timestamps travel as epoch milliseconds: the driver returns timestamptz as text
  const { last_failed_ms, locked_until_ms, ...user } = row;
  return { ...user, last_failed_at: last_failed_ms === null ? null : new Date(Number(last_failed_ms)), locked_until: locked_until_ms === null ? null : new Date(Number(locked_until_ms)) };
}

const stateOf = (u: UserRow): TFailureState => ({ failedAttempts: u.failed_attempts, lastFailedAt: u.last_failed_at, lockedUntil: u.locked_until });
const actorOf = (tenantId: string, u: UserRow): TSignInActor => ({ tenantId, userId: u.id, email: u.email, name: u.name, role: u.role });
const needsTotp = (role: TRole) => role === 'ADMIN' || role === 'MANAGER';

function retryMessage(until: Date, now: Date): string {
  return `too many failed sign-ins; try again in ${Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000))} s`;
}

interface Attempt { db: Db; tenantId: string; user: UserRow; ip: string | null; now: Date; settings: TAuthSettings }

/** Counts a failure (the tenth locks) and answers with one LOGIN_FAILED event. */
async function fail(a: Attempt, failure: TSignInFailure, message: string): Promise<TSignInOutcome> {
  const next = afterFailure(stateOf(a.user), a.settings, a.now);
  await sql`update users set failed_attempts = ${next.failedAttempts}, last_failed_at = ${next.lastFailedAt}, locked_until = ${next.lockedUntil}
    where tenant_id = ${a.tenantId} and id = ${a.user.id}`.execute(a.db);
  return { kind: 'REFUSED', code: 'UNAUTHORIZED', message, events: [signInEvent('LOGIN_FAILED', actorOf(a.tenantId, a.user), { ip: a.ip, failure, now: a.now })] };
}

/** A locked or backing-off account is refused before any secret is checked (and that attempt is recorded too). */
function throttled(a: Attempt): TSignInOutcome | undefined {
  const refused = refusedUntil(stateOf(a.user), a.settings, a.now);
  if (!refused) return undefined;
  return {
    kind: 'REFUSED', code: 'TOO_MANY_REQUESTS', message: retryMessage(refused.until, a.now),
    events: [signInEvent('LOGIN_FAILED', actorOf(a.tenantId, a.user), { ip: a.ip, failure: refused.reason, now: a.now })],
  };
}

async function succeed(a: Attempt, totpStep: number | null, extra: TAuditEventInput[] = []): Promise<TSignInOutcome> {
  await sql`update users set failed_attempts = 0, last_failed_at = null, locked_until = null,
      totp_last_step = coalesce(${totpStep}::bigint, totp_last_step), totp_enrolled = totp_enrolled or ${totpStep !== null && a.user.totp_secret_enc !== null}
    where tenant_id = ${a.tenantId} and id = ${a.user.id}`.execute(a.db);
  const { token, sessionId } = await openSession(a.db, a.settings, { tenantId: a.tenantId, userId: a.user.id, ip: a.ip });
  const event = signInEvent('LOGIN_SUCCESS', actorOf(a.tenantId, a.user), { ip: a.ip, sessionId, now: a.now });
  return { kind: 'SESSION', token, sessionId, events: [...extra, event] };
}

function fingerprint(sealedSecret: string): string {
  return createHash('sha256').update(sealedSecret).digest('base64url').slice(0, 16);
}

/** Step one: email + password (+ code). Admins and Managers need TOTP; without one enrolled, enrolment starts here. */
export async function signIn(orm: Orm, settings: TAuthSettings, input: { email: string; password: string; totp?: string | undefined; ip: string | null }): Promise<TSignInOutcome> {
  const now = new Date();
  const found = await withNoTenant(orm, async (em) =>
    (await sql<{ tenant_id: string; user_id: string }>`select tenant_id, user_id from find_sign_in(${input.email})`.execute(dbOf(em))).rows[0]);
  if (!found) {
    // no tenant to record it in: an unknown email leaves no audit event (see README)
    await checkPassword(undefined, input.password);
    return { kind: 'REFUSED', code: 'UNAUTHORIZED', message: BAD_CREDENTIALS, events: [] };
  }
  const tenantId = found.tenant_id;
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await lockUser(db, tenantId, found.user_id);
    if (!user) {
      await checkPassword(undefined, input.password);
      return { kind: 'REFUSED', code: 'UNAUTHORIZED', message: BAD_CREDENTIALS, events: [] };
    }
    const a: Attempt = { db, tenantId, user, ip: input.ip, now, settings };
    const refused = throttled(a);
    if (refused) return refused;
    if (!(await checkPassword(user.password_hash, input.password))) return fail(a, 'BAD_PASSWORD', BAD_CREDENTIALS);
    if (!needsTotp(user.role)) return succeed(a, null);

    if (!user.totp_enrolled || !user.totp_secret_enc) {
      // a fresh secret at each first sign-in until confirmed; shown this once, stored sealed
      const secret = newTotpSecret();
      const sealed = encryptSecret(settings.serverSecret, secret);
      await sql`update users set totp_secret_enc = ${sealed} where tenant_id = ${tenantId} and id = ${user.id}`.execute(db);
      const otpauthUrl = otpauthUrlOf(secret, user.email);
      const enrollmentToken = signPayload(settings.serverSecret, 'totp-enrollment', {
        t: tenantId, u: user.id, f: fingerprint(sealed), exp: now.getTime() + ENROLLMENT_MINUTES * 60_000,
      });
      return { kind: 'ENROLL', enrollmentToken, otpauthUrl, qrDataUrl: await qrDataUrlOf(otpauthUrl), secret, events: [] };
    }
    if (!input.totp) return { kind: 'TOTP_REQUIRED', events: [] };
    const checked = checkTotp(decryptSecret(settings.serverSecret, user.totp_secret_enc), input.totp, user.totp_last_step === null ? null : Number(user.totp_last_step), now.getTime());
    if ('refused' in checked) return fail(a, checked.refused, 'the code is wrong or has already been used');
    return succeed(a, checked.step);
  });
}

/** Step two of a first sign-in: the first code from the authenticator app enrols it and opens the session. */
export async function confirmTotpEnrollment(orm: Orm, settings: TAuthSettings, input: { enrollmentToken: string; code: string; ip: string | null }): Promise<TSignInOutcome> {
  const now = new Date();
  const claim = verifyPayload(settings.serverSecret, 'totp-enrollment', input.enrollmentToken) as { t?: unknown; u?: unknown; f?: unknown; exp?: unknown } | undefined;
  const expired: TSignInOutcome = { kind: 'REFUSED', code: 'UNAUTHORIZED', message: 'the enrolment is invalid or has expired; sign in again', events: [] };
  if (!claim || typeof claim.t !== 'string' || typeof claim.u !== 'string' || typeof claim.exp !== 'number' || claim.exp < now.getTime()) return expired;
  const tenantId = claim.t;
  const userId = claim.u;
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await lockUser(db, tenantId, userId);
    if (!user) return expired;
    const a: Attempt = { db, tenantId, user, ip: input.ip, now, settings };
    const refused = throttled(a);
    if (refused) return refused;
    // a newer sign-in replaced the secret, or enrolment already completed: this token is spent
    if (user.totp_enrolled || !user.totp_secret_enc || fingerprint(user.totp_secret_enc) !== claim.f) return expired;
    const checked = checkTotp(decryptSecret(settings.serverSecret, user.totp_secret_enc), input.code, null, now.getTime());
    if ('refused' in checked) return fail(a, checked.refused, 'the code is wrong; check the authenticator app and try again');
    const enabled = signInEvent('TWO_FACTOR_ENABLED', actorOf(tenantId, user), { ip: input.ip, now });
    return succeed(a, checked.step, [enabled]);
  });
}
