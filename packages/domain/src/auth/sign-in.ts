import type { TAuditEventInput, TRole } from '@modula/contracts';
import { dbOf, sql, withNoTenant, withTenant, type Db, type Orm } from '@modula/db';
import { createHash } from 'node:crypto';
import { emailKeyOf, issueDeviceToken, knownDeviceOf } from './known-device.ts';
import { afterFailure, NO_FAILURES, refusalMessage, refusedUntil, type TFailureState, type TThrottlePolicy } from './login-throttle.ts';
import { checkPassword } from './passwords.ts';
import { hashRecoveryCode, matchRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { decryptSecret, encryptSecret, signPayload, verifyPayload } from './server-keys.ts';
import { openSession, type TSessionPolicy } from './sessions.ts';
import { signInEvent, type TSignInActor, type TSignInFailure } from './sign-in-events.ts';
import type { TRefusalTally, TSignInStore } from './sign-in-store.ts';
import { checkTotp, newTotpSecret, otpauthUrlOf, qrDataUrlOf } from './totp.ts';

export interface TAuthSettings extends TThrottlePolicy, TSessionPolicy {
  serverSecret: Buffer;
}

/** One answer for an unknown account and a wrong password: nothing tells them apart. */
export const BAD_CREDENTIALS = 'email or password is wrong';
const ENROLLMENT_MINUTES = 10;
/** Refusals of a locked or backing-off account: at most one event per account in this long, with their count. */
export const REFUSAL_EVENT_WINDOW_MS = 5 * 60_000;

/** What happened besides the answer, for the server's metrics and service log (never a tenant's log). */
export type TSignInSignal = { kind: 'UNKNOWN_ACCOUNT'; emailKey: string };

/**
 * What a sign-in step came to, with the audit events it produced (the caller records them through
 * the ingest pipeline, then answers). Expected refusals are outcomes, not exceptions, so the
 * failure counter the transaction wrote is committed.
 */
export type TSignInOutcome = { events: TAuditEventInput[]; signal?: TSignInSignal } & (
  | { kind: 'SESSION'; token: string; sessionId: string; device: { token: string; maxAgeSeconds: number }; recoveryCodes?: string[] }
  | { kind: 'TOTP_REQUIRED' }
  | { kind: 'ENROLL'; enrollmentToken: string; otpauthUrl: string; qrDataUrl: string; secret: string }
  | { kind: 'REFUSED'; code: 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS'; message: string }
);

export interface TSignInInput {
  email: string;
  password: string;
  totp?: string | undefined;
  /** One of the codes given at enrolment, in place of `totp`. */
  recoveryCode?: string | undefined;
  ip: string | null;
  /** The known-device cookie, if the browser sent one. */
  deviceToken?: string | undefined;
}

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: TRole;
  password_hash: string;
  totp_secret_enc: string | null;
  totp_enrolled: boolean;
  totp_last_step: string | null;
  recovery_codes: string[];
  failed_attempts: number;
  last_failed_at: Date | null;
  locked_until: Date | null;
}

export async function lockUser(db: Db, tenantId: string, userId: string): Promise<UserRow | undefined> {
  const row = (
    await sql<UserRow & { last_failed_ms: string | null; locked_until_ms: string | null }>`
    select id, email, name, role, password_hash, totp_secret_enc, totp_enrolled, totp_last_step, recovery_codes, failed_attempts,
      (extract(epoch from last_failed_at) * 1000)::bigint as last_failed_ms, (extract(epoch from locked_until) * 1000)::bigint as locked_until_ms
    from users where tenant_id = ${tenantId} and id = ${userId} and disabled_at is null for update`.execute(db)
  ).rows[0];
  if (!row) return undefined;
  // timestamps travel as epoch milliseconds: the driver returns timestamptz as text
  const { last_failed_ms, locked_until_ms, ...user } = row;
  return {
    ...user,
    recovery_codes: user.recovery_codes ?? [],
    last_failed_at: last_failed_ms === null ? null : new Date(Number(last_failed_ms)),
    locked_until: locked_until_ms === null ? null : new Date(Number(locked_until_ms)),
  };
}

const stateOf = (u: UserRow): TFailureState => ({ failedAttempts: u.failed_attempts, lastFailedAt: u.last_failed_at, lockedUntil: u.locked_until });
export const actorOf = (tenantId: string, u: Pick<UserRow, 'id' | 'email' | 'name' | 'role'>): TSignInActor => ({
  tenantId,
  userId: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
});
const needsTotp = (role: TRole) => role === 'ADMIN' || role === 'MANAGER';
const refusalKey = (tenantId: string, userId: string) => `refused:${tenantId}:${userId}`;

/**
 * Whose failures an attempt counts on. `ACCOUNT`: the user's row (PCI DSS 8.3.4's lock of the
 * user ID, for every client). `DEVICE`: a browser that completed a full sign-in to this account
 * before; its own count and lock in the store, so an attacker who locks the account does not
 * lock its owner out of the browsers they already use.
 */
type TBucket = { kind: 'ACCOUNT' } | { kind: 'DEVICE'; deviceId: string; key: string };

interface Attempt {
  db: Db;
  tenantId: string;
  user: UserRow;
  ip: string | null;
  now: Date;
  settings: TAuthSettings;
  store: TSignInStore;
  bucket: TBucket;
  state: TFailureState;
}

async function writeState(a: Attempt, next: TFailureState): Promise<void> {
  if (a.bucket.kind === 'DEVICE') {
    await a.store.writeFailures(a.bucket.key, next);
    return;
  }
  await sql`update users set failed_attempts = ${next.failedAttempts}, last_failed_at = ${next.lastFailedAt}, locked_until = ${next.lockedUntil}
    where tenant_id = ${a.tenantId} and id = ${a.user.id}`.execute(a.db);
}

/** The refusals counted since the last one written, as one event (none when there are none). */
function refusalEvents(
  a: Pick<Attempt, 'tenantId' | 'ip' | 'now'> & { user: Pick<UserRow, 'id' | 'email' | 'name' | 'role'> },
  tally: TRefusalTally,
): TAuditEventInput[] {
  if (tally.attempts === 0) return [];
  return [
    signInEvent('LOGIN_FAILED', actorOf(a.tenantId, a.user), {
      ip: a.ip,
      failure: tally.reason,
      now: a.now,
      metadata: { attempts: tally.attempts, addresses: tally.addresses },
    }),
  ];
}

/** Counts a failure (the tenth locks) and answers with one LOGIN_FAILED event. */
async function fail(a: Attempt, failure: TSignInFailure, message: string): Promise<TSignInOutcome> {
  const next = afterFailure(a.state, a.settings, a.now);
  await writeState(a, next);
  const event = signInEvent('LOGIN_FAILED', actorOf(a.tenantId, a.user), {
    ip: a.ip,
    failure,
    now: a.now,
    metadata: { ...(next.lockedUntil ? { lockedUntil: next.lockedUntil.toISOString() } : {}), ...(a.bucket.kind === 'DEVICE' ? { knownDevice: true } : {}) },
  });
  return { kind: 'REFUSED', code: 'UNAUTHORIZED', message, events: [event] };
}

/**
 * A locked or backing-off account (or known device) is refused before any secret is checked. The
 * refusal is not counted as a failure (so it never extends a lock) and is written to the log once
 * per account and window, with the number of refusals it stands for: an attack shows in the log
 * without flooding it.
 */
async function throttled(a: Attempt): Promise<TSignInOutcome | undefined> {
  const refused = refusedUntil(a.state, a.settings, a.now);
  if (!refused) return undefined;
  const tally = await a.store.countRefusal(refusalKey(a.tenantId, a.user.id), refused.reason, a.ip, REFUSAL_EVENT_WINDOW_MS);
  return { kind: 'REFUSED', code: 'TOO_MANY_REQUESTS', message: refusalMessage(refused, a.now), events: tally.record ? refusalEvents(a, tally) : [] };
}

async function succeed(
  a: Attempt,
  totpStep: number | null,
  extra: TAuditEventInput[] = [],
  metadata: Record<string, string | number | boolean> = {},
): Promise<TSignInOutcome> {
  // a known device clears its own count; the account's lock stays for everyone else
  if (a.bucket.kind === 'DEVICE') await a.store.writeFailures(a.bucket.key, NO_FAILURES);
  const clearAccount = a.bucket.kind === 'ACCOUNT';
  await sql`update users set
      failed_attempts = case when ${clearAccount}::boolean then 0 else failed_attempts end,
      last_failed_at = case when ${clearAccount}::boolean then null else last_failed_at end,
      locked_until = case when ${clearAccount}::boolean then null else locked_until end,
      totp_last_step = coalesce(${totpStep}::bigint, totp_last_step), totp_enrolled = totp_enrolled or ${totpStep !== null && a.user.totp_secret_enc !== null}
    where tenant_id = ${a.tenantId} and id = ${a.user.id}`.execute(a.db);
  const { token, sessionId } = await openSession(a.db, a.settings, { tenantId: a.tenantId, userId: a.user.id, ip: a.ip });
  const device = issueDeviceToken(
    a.settings.serverSecret,
    {
      tenantId: a.tenantId,
      userId: a.user.id,
      email: a.user.email,
      deviceId: a.bucket.kind === 'DEVICE' ? a.bucket.deviceId : undefined,
    },
    a.now,
  );
  const pending = refusalEvents(a, await a.store.takeRefusals(refusalKey(a.tenantId, a.user.id)));
  const event = signInEvent('LOGIN_SUCCESS', actorOf(a.tenantId, a.user), {
    ip: a.ip,
    sessionId,
    now: a.now,
    metadata: { ...metadata, ...(a.bucket.kind === 'DEVICE' ? { knownDevice: true } : {}) },
  });
  return { kind: 'SESSION', token, sessionId, device: { token: device.token, maxAgeSeconds: device.maxAgeSeconds }, events: [...pending, ...extra, event] };
}

function fingerprint(sealedSecret: string): string {
  return createHash('sha256').update(sealedSecret).digest('base64url').slice(0, 16);
}

/**
 * An email no account has: answered exactly as an account that exists and has the same history of
 * failures would be — the same dummy password check, the same count kept (in the store, under an
 * HMAC of the email), so the same backoff and the same lock at the tenth failure. No tenant to
 * record it in: the server counts it in its metrics and service log (`signal`).
 */
async function unknownAccount(settings: TAuthSettings, store: TSignInStore, input: TSignInInput): Promise<TSignInOutcome> {
  const emailKey = emailKeyOf(settings.serverSecret, input.email);
  const signal: TSignInSignal = { kind: 'UNKNOWN_ACCOUNT', emailKey };
  const key = `email:${emailKey}`;
  return store.exclusive(key, async () => {
    const now = new Date();
    const state = await store.readFailures(key);
    const refused = refusedUntil(state, settings, now);
    if (refused) return { kind: 'REFUSED', code: 'TOO_MANY_REQUESTS', message: refusalMessage(refused, now), events: [], signal };
    await checkPassword(undefined, input.password);
    await store.writeFailures(key, afterFailure(state, settings, now));
    return { kind: 'REFUSED', code: 'UNAUTHORIZED', message: BAD_CREDENTIALS, events: [], signal };
  });
}

/**
 * An attempt on a disabled account (cli user disable): answered exactly as an unknown email is
 * (the same dummy password check, the same count under an HMAC of the email, so the same backoff
 * and lock as any account: no oracle), and recorded in the account's tenant as a LOGIN_FAILED with
 * `failure: ACCOUNT_DISABLED` — once per account and window with the number of attempts it stands
 * for and their distinct addresses, on the same tally as a locked account's refusals, so it cannot
 * flood the log. Whether the password was right is not checked, nor said.
 */
async function disabledAccount(
  db: Db,
  tenantId: string,
  userId: string,
  settings: TAuthSettings,
  store: TSignInStore,
  input: TSignInInput,
): Promise<TSignInOutcome> {
  const answer = await unknownAccount(settings, store, input);
  const user = (
    await sql<Pick<UserRow, 'id' | 'email' | 'name' | 'role'>>`select id, email, name, role from users
    where tenant_id = ${tenantId} and id = ${userId} and disabled_at is not null`.execute(db)
  ).rows[0];
  if (!user) return answer;
  const tally = await store.countRefusal(refusalKey(tenantId, user.id), 'ACCOUNT_DISABLED', input.ip, REFUSAL_EVENT_WINDOW_MS);
  const { signal: _unknown, ...outcome } = answer;
  return { ...outcome, events: tally.record ? refusalEvents({ tenantId, user, ip: input.ip, now: new Date() }, tally) : [] };
}

/** Step one: email + password (+ code). Admins and Managers need TOTP; without one enrolled, enrolment starts here. */
export async function signIn(orm: Orm, settings: TAuthSettings, store: TSignInStore, input: TSignInInput): Promise<TSignInOutcome> {
  const device = knownDeviceOf(settings.serverSecret, input.deviceToken, input.email, new Date());
  const found = await withNoTenant(
    orm,
    async (em) => (await sql<{ tenant_id: string; user_id: string }>`select tenant_id, user_id from find_sign_in(${input.email})`.execute(dbOf(em))).rows[0],
  );
  if (!found) return unknownAccount(settings, store, input);
  const tenantId = found.tenant_id;
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await lockUser(db, tenantId, found.user_id);
    // a disabled account (cli user disable) is answered as an unknown one, and the attempt recorded
    if (!user) return disabledAccount(db, tenantId, found.user_id, settings, store, input);
    // the time once the row is ours: attempts that queued behind it see the failures before them
    const now = new Date();
    const bucket: TBucket =
      device && device.tenantId === tenantId && device.userId === user.id
        ? { kind: 'DEVICE', deviceId: device.deviceId, key: `device:${device.deviceId}` }
        : { kind: 'ACCOUNT' };
    const state = bucket.kind === 'DEVICE' ? await store.readFailures(bucket.key) : stateOf(user);
    const a: Attempt = { db, tenantId, user, ip: input.ip, now, settings, store, bucket, state };
    const refused = await throttled(a);
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
        t: tenantId,
        u: user.id,
        f: fingerprint(sealed),
        exp: now.getTime() + ENROLLMENT_MINUTES * 60_000,
      });
      return { kind: 'ENROLL', enrollmentToken, otpauthUrl, qrDataUrl: await qrDataUrlOf(otpauthUrl), secret, events: [] };
    }
    if (input.recoveryCode) {
      // a one-time code given at enrolment, in place of the authenticator's: spent here, recorded as the sign-in's second factor
      const index = matchRecoveryCode(settings.serverSecret, user.id, input.recoveryCode, user.recovery_codes);
      if (index < 0) return fail(a, 'BAD_RECOVERY_CODE', 'the recovery code is wrong or has already been used');
      const left = user.recovery_codes.filter((_, i) => i !== index);
      await sql`update users set recovery_codes = ${left}::text[] where tenant_id = ${tenantId} and id = ${user.id}`.execute(db);
      return succeed(a, null, [], { secondFactor: 'RECOVERY_CODE', recoveryCodesLeft: left.length });
    }
    if (!input.totp) return { kind: 'TOTP_REQUIRED', events: [] };
    const checked = checkTotp(
      decryptSecret(settings.serverSecret, user.totp_secret_enc),
      input.totp,
      user.totp_last_step === null ? null : Number(user.totp_last_step),
      now.getTime(),
    );
    if ('refused' in checked) return fail(a, checked.refused, 'the code is wrong or has already been used');
    return succeed(a, checked.step, [], { secondFactor: 'TOTP' });
  });
}

/**
 * Step two of a first sign-in: the first code from the authenticator app enrols it and opens the
 * session; the one-time recovery codes are made here and returned this once (only their HMACs are kept).
 */
export async function confirmTotpEnrollment(
  orm: Orm,
  settings: TAuthSettings,
  store: TSignInStore,
  input: { enrollmentToken: string; code: string; ip: string | null },
): Promise<TSignInOutcome> {
  const now = new Date();
  const claim = verifyPayload(settings.serverSecret, 'totp-enrollment', input.enrollmentToken) as
    | { t?: unknown; u?: unknown; f?: unknown; exp?: unknown }
    | undefined;
  const expired: TSignInOutcome = { kind: 'REFUSED', code: 'UNAUTHORIZED', message: 'the enrolment is invalid or has expired; sign in again', events: [] };
  if (!claim || typeof claim.t !== 'string' || typeof claim.u !== 'string' || typeof claim.exp !== 'number' || claim.exp < now.getTime()) return expired;
  const tenantId = claim.t;
  const userId = claim.u;
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await lockUser(db, tenantId, userId);
    if (!user) return expired;
    const now = new Date();
    const a: Attempt = { db, tenantId, user, ip: input.ip, now, settings, store, bucket: { kind: 'ACCOUNT' }, state: stateOf(user) };
    const refused = await throttled(a);
    if (refused) return refused;
    // a newer sign-in replaced the secret, or enrolment already completed: this token is spent
    if (user.totp_enrolled || !user.totp_secret_enc || fingerprint(user.totp_secret_enc) !== claim.f) return expired;
    const checked = checkTotp(decryptSecret(settings.serverSecret, user.totp_secret_enc), input.code, null, now.getTime());
    if ('refused' in checked) return fail(a, checked.refused, 'the code is wrong; check the authenticator app and try again');
    const recoveryCodes = newRecoveryCodes();
    const hashes = recoveryCodes.map((c) => hashRecoveryCode(settings.serverSecret, user.id, c));
    await sql`update users set recovery_codes = ${hashes}::text[] where tenant_id = ${tenantId} and id = ${user.id}`.execute(db);
    const enabled = signInEvent('TWO_FACTOR_ENABLED', actorOf(tenantId, user), { ip: input.ip, now, metadata: { recoveryCodes: recoveryCodes.length } });
    const outcome = await succeed(a, checked.step, [enabled], { secondFactor: 'TOTP' });
    return outcome.kind === 'SESSION' ? { ...outcome, recoveryCodes } : outcome;
  });
}
