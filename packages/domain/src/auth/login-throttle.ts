/** Consecutive failures that lock an account (PCI DSS 8.3.4: no more than ten). */
export const LOCK_AFTER_FAILURES = 10;
const MAX_BACKOFF_MS = 5 * 60_000;
/** A count of failures is forgotten a day after the last failure (an attacker gets at most 9 guesses a day without a lock). */
export const FAILURE_MEMORY_MS = 24 * 3600_000;

export interface TThrottlePolicy {
  /** Failures after which each further attempt must wait a doubling delay. */
  backoffAfter: number;
  backoffMs: number;
  lockMinutes: number;
}

export interface TFailureState {
  failedAttempts: number;
  lastFailedAt: Date | null;
  lockedUntil: Date | null;
}

export const NO_FAILURES: TFailureState = { failedAttempts: 0, lastFailedAt: null, lockedUntil: null };

/** The failures that still count at `now`. */
function counted(state: TFailureState, now: Date): number {
  return state.lastFailedAt && now.getTime() - state.lastFailedAt.getTime() >= FAILURE_MEMORY_MS ? 0 : state.failedAttempts;
}

/** When the account may try again, if not now. */
export function refusedUntil(state: TFailureState, policy: TThrottlePolicy, now: Date): { reason: 'LOCKED' | 'BACKOFF'; until: Date } | null {
  if (state.lockedUntil && state.lockedUntil > now) return { reason: 'LOCKED', until: state.lockedUntil };
  const failures = counted(state, now);
  if (failures < policy.backoffAfter || !state.lastFailedAt) return null;
  const wait = Math.min(policy.backoffMs * 2 ** (failures - policy.backoffAfter), MAX_BACKOFF_MS);
  const until = new Date(state.lastFailedAt.getTime() + wait);
  return until > now ? { reason: 'BACKOFF', until } : null;
}

/**
 * The state after one more failure: the tenth locks the account and starts a fresh count. Only
 * failures count: an attempt refused because of the lock or the backoff never reaches here, so
 * attempts made while locked do not extend the lock.
 */
export function afterFailure(state: TFailureState, policy: TThrottlePolicy, now: Date): TFailureState {
  const failedAttempts = counted(state, now) + 1;
  if (failedAttempts >= LOCK_AFTER_FAILURES) {
    return { failedAttempts: 0, lastFailedAt: now, lockedUntil: new Date(now.getTime() + policy.lockMinutes * 60_000) };
  }
  return { failedAttempts, lastFailedAt: now, lockedUntil: null };
}

/**
 * The answer to a refused attempt. It depends only on the refusal, never on whether the account
 * exists (an unknown email keeps the same count, see sign-in.ts). A lock is told in whole minutes,
 * so two attempts a few milliseconds apart read the same.
 */
export function refusalMessage(refused: { reason: 'LOCKED' | 'BACKOFF'; until: Date }, now: Date): string {
  const ms = refused.until.getTime() - now.getTime();
  return refused.reason === 'LOCKED'
    ? `too many failed sign-ins: sign-in is locked; try again in ${Math.max(1, Math.ceil(ms / 60_000))} min`
    : `too many failed sign-ins; try again in ${Math.max(1, Math.ceil(ms / 1000))} s`;
}
