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

/** The longest Retry-After honoured (a day): a larger value is a misconfigured service, not a plan. */
export const RETRY_AFTER_MAX_MS = 24 * 3600_000;

/**
 * The wait a service asked for in the `Retry-After` header of a failed call (a 429 or a 503), in
 * ms: delta-seconds (`Retry-After: 5`) or an HTTP date; null when the answer carried none (or
 * there was no answer). tRPC's client error keeps the HTTP response in `meta.response`.
 */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | null {
  const headers = (error as { meta?: { response?: { headers?: { get?: (name: string) => string | null } } } } | null)?.meta?.response?.headers;
  const value = typeof headers?.get === 'function' ? headers.get('retry-after')?.trim() : undefined;
  if (!value) return null;
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return null;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, RETRY_AFTER_MAX_MS);
}
