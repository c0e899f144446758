/** Consecutive failures that lock an account (PCI DSS 8.3.4: no more than ten). */
export const LOCK_AFTER_FAILURES = 10;
const MAX_BACKOFF_MS = 5 * 60_000;

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

/** When the account may try again, if not now. */
export function refusedUntil(state: TFailureState, policy: TThrottlePolicy, now: Date): { reason: 'LOCKED' | 'BACKOFF'; until: Date } | null {
  if (state.lockedUntil && state.lockedUntil > now) return { reason: 'LOCKED', until: state.lockedUntil };
  if (state.failedAttempts < policy.backoffAfter || !state.lastFailedAt) return null;
  const wait = Math.min(policy.backoffMs * 2 ** (state.failedAttempts - policy.backoffAfter), MAX_BACKOFF_MS);
  const until = new Date(state.lastFailedAt.getTime() + wait);
  return until > now ? { reason: 'BACKOFF', until } : null;
}

/** The state after one more failure: the tenth locks the account and starts a fresh count. */
export function afterFailure(state: TFailureState, policy: TThrottlePolicy, now: Date): TFailureState {
  const failedAttempts = state.failedAttempts + 1;
  if (failedAttempts >= LOCK_AFTER_FAILURES) {
    return { failedAttempts: 0, lastFailedAt: now, lockedUntil: new Date(now.getTime() + policy.lockMinutes * 60_000) };
  }
  return { failedAttempts, lastFailedAt: now, lockedUntil: null };
}
