import type { TFailureState } from './login-throttle.ts';

/** Why an attempt was refused before any secret was checked: a lock, the backoff, or a disabled account. */
export type TRefusalReason = 'LOCKED' | 'BACKOFF' | 'ACCOUNT_DISABLED';

/** A refused attempt (lock, backoff, disabled account) written as an event: how many were refused since the last one written, from how many addresses. */
export interface TRefusalTally {
  record: boolean;
  attempts: number;
  addresses: number;
  reason: TRefusalReason;
}

/**
 * What sign-in keeps outside the database, shared by every server instance (the server keeps it
 * in Redis): the failure count of an email no account has (so it is answered exactly like one
 * that exists), that of each known device, and the refusals not yet written to a tenant's log.
 */
export interface TSignInStore {
  /** Runs `fn` alone for this key, as the row lock serialises the attempts on a real account. */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
  readFailures(key: string): Promise<TFailureState>;
  /** Kept until a day after the last failure or the end of the lock, whichever is later. */
  writeFailures(key: string, state: TFailureState): Promise<void>;
  /**
   * Counts one refused attempt on an account. `record` is true for the first refusal of each
   * window (then `attempts` counts every refusal since the last one written, this one included).
   */
  countRefusal(key: string, reason: TRefusalReason, ip: string | null, windowMs: number): Promise<TRefusalTally>;
  /** The refusals counted and not written yet (forgotten once taken). */
  takeRefusals(key: string): Promise<TRefusalTally>;
}
