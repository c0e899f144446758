/** How the sender waits between failed attempts: exponential growth, capped, with full jitter. */
export interface TBackoffPolicy {
  /** Upper bound of the first wait (attempt 1), in ms. */
  baseMs: number;
  /** No wait is longer than this, however many attempts failed. */
  capMs: number;
}

export const DEFAULT_BACKOFF: TBackoffPolicy = { baseMs: 500, capMs: 5 * 60_000 };

/**
 * The wait before retry number `attempt` (1 = after the first failure): a uniformly random
 * value in [0, min(cap, base · 2^(attempt−1))) — "full jitter" (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"), so a fleet of tills that lost the network together does
 * not come back in lock-step.
 */
export function backoffDelay(attempt: number, policy: TBackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
