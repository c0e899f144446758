import type { TAuditEventInput } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { hash } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '../accounts/users.ts';
import { afterFailure, NO_FAILURES, refusalMessage, refusedUntil } from './login-throttle.ts';
import { REUSED_PASSWORD, rememberReplaced, usedBefore } from './password-history.ts';
import { passwordProblem } from './password-policy.ts';
import { checkPassword } from './passwords.ts';
import { actorOf, lockUser, REFUSAL_EVENT_WINDOW_MS, type TAuthSettings } from './sign-in.ts';
import { signInEvent } from './sign-in-events.ts';
import type { TSignInStore } from './sign-in-store.ts';

export type TPasswordChangeOutcome = { events: TAuditEventInput[] } & (
  | { kind: 'CHANGED'; sessionsRevoked: number }
  | { kind: 'REFUSED'; code: 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS' | 'BAD_REQUEST'; message: string }
);

/**
 * The signed-in user's new password: the current one must be right (a wrong one is a failed
 * sign-in, recorded, and counted against this session: ten lock its password change for the lock
 * period — a stolen session cannot guess at will, an attacker who locked the account does not
 * stop its owner), the new one must meet the policy and differ from the last four (the current
 * one and the three it replaced: PCI DSS 8.3.7, password-history.ts). Every other
 * session of the user is revoked; the one that asked stays.
 */
export async function changePassword(
  orm: Orm,
  settings: TAuthSettings,
  store: TSignInStore,
  input: {
    tenantId: string;
    userId: string;
    sessionId: string;
    currentPassword: string;
    newPassword: string;
    ip: string | null;
  },
): Promise<TPasswordChangeOutcome> {
  const key = `password-change:${input.sessionId}`;
  return withTenant(orm, input.tenantId, async (em) => {
    const db = dbOf(em);
    const user = await lockUser(db, input.tenantId, input.userId);
    if (!user) return { kind: 'REFUSED', code: 'UNAUTHORIZED', message: 'sign in again', events: [] };
    const now = new Date();
    const state = await store.readFailures(key);
    const actor = actorOf(input.tenantId, user);
    const refused = refusedUntil(state, settings, now);
    if (refused) {
      // refused unchecked while locked: counted, and written as one LOGIN_FAILED per session and window (as sign-in's are)
      const tally = await store.countRefusal(`refused:${key}`, refused.reason, input.ip, REFUSAL_EVENT_WINDOW_MS);
      const metadata = { step: 'PASSWORD_CHANGE', attempts: tally.attempts, addresses: tally.addresses };
      const events = tally.record
        ? [signInEvent('LOGIN_FAILED', actor, { ip: input.ip, sessionId: input.sessionId, failure: refused.reason, now, metadata })]
        : [];
      return { kind: 'REFUSED', code: 'TOO_MANY_REQUESTS', message: refusalMessage(refused, now), events };
    }
    if (!(await checkPassword(user.password_hash, input.currentPassword))) {
      await store.writeFailures(key, afterFailure(state, settings, now));
      const event = signInEvent('LOGIN_FAILED', actor, {
        ip: input.ip,
        sessionId: input.sessionId,
        failure: 'BAD_PASSWORD',
        now,
        metadata: { step: 'PASSWORD_CHANGE' },
      });
      return { kind: 'REFUSED', code: 'UNAUTHORIZED', message: 'the current password is wrong', events: [event] };
    }
    await store.writeFailures(key, NO_FAILURES);
    // a new password refused is a refused attempt of the change, recorded with the reason (never the password)
    const invalid = (problem: string): TPasswordChangeOutcome => ({
      kind: 'REFUSED',
      code: 'BAD_REQUEST',
      message: problem,
      events: [
        {
          ...signInEvent('PASSWORD_CHANGED', actor, { ip: input.ip, sessionId: input.sessionId, now, metadata: { problem } }),
          outcome: 'REJECTED',
          reason: 'VALIDATION_FAILED',
        },
      ],
    });
    const problem = passwordProblem(input.newPassword, { email: user.email, name: user.name });
    if (problem) return invalid(problem);
    if (await checkPassword(user.password_hash, input.newPassword)) return invalid('the new password must differ from the current one');
    // PCI DSS 8.3.7: nor any of the ones it replaced among the last four
    if (await usedBefore(db, input.tenantId, user.id, input.newPassword)) return invalid(REUSED_PASSWORD);
    const passwordHash = await hash(input.newPassword, ARGON2_OPTIONS);
    await sql`update users set password_hash = ${passwordHash} where tenant_id = ${input.tenantId} and id = ${user.id}`.execute(db);
    await rememberReplaced(db, input.tenantId, user.id, user.password_hash);
    const revoked = await sql`update sessions set revoked_at = now()
      where tenant_id = ${input.tenantId} and user_id = ${user.id} and id <> ${input.sessionId} and revoked_at is null`.execute(db);
    const sessionsRevoked = Number(revoked.numAffectedRows ?? 0);
    const event = signInEvent('PASSWORD_CHANGED', actor, { ip: input.ip, sessionId: input.sessionId, now, metadata: { sessionsRevoked } });
    return { kind: 'CHANGED', sessionsRevoked, events: [event] };
  });
}
