import { describe, expect, it } from 'vitest';
import { afterFailure, LOCK_AFTER_FAILURES, refusalMessage, refusedUntil, type TFailureState } from './login-throttle.ts';

const policy = { backoffAfter: 3, backoffMs: 1000, lockMinutes: 30 };
const t0 = new Date('2026-11-22T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const fresh: TFailureState = { failedAttempts: 0, lastFailedAt: null, lockedUntil: null };

describe('login throttle', () => {
  it('lets the first failures retry at once, then doubles the wait', () => {
    let s = fresh;
    for (let i = 0; i < 2; i++) s = afterFailure(s, policy, t0);
    expect(refusedUntil(s, policy, t0)).toBeNull();
    s = afterFailure(s, policy, t0); // 3rd
    expect(refusedUntil(s, policy, at(999))).toEqual({ reason: 'BACKOFF', until: at(1000) });
    expect(refusedUntil(s, policy, at(1000))).toBeNull();
    s = afterFailure(s, policy, t0); // 4th
    expect(refusedUntil(s, policy, at(1999))?.reason).toBe('BACKOFF');
    expect(refusedUntil(s, policy, at(2000))).toBeNull();
  });

  it('locks for at least 30 minutes at the tenth failure and starts a fresh count', () => {
    let s = fresh;
    for (let i = 0; i < LOCK_AFTER_FAILURES; i++) s = afterFailure(s, policy, t0);
    expect(s.failedAttempts).toBe(0);
    expect(refusedUntil(s, policy, at(30 * 60_000 - 1))).toEqual({ reason: 'LOCKED', until: at(30 * 60_000) });
    expect(refusedUntil(s, policy, at(30 * 60_000))).toBeNull();
  });
});

describe('login throttle: what is forgotten, what is not extended', () => {
  it('forgets a count a day after the last failure', () => {
    let s = fresh;
    for (let i = 0; i < LOCK_AFTER_FAILURES - 1; i++) s = afterFailure(s, policy, t0);
    const nextDay = at(24 * 3600_000);
    expect(refusedUntil(s, { ...policy, backoffMs: 1000 }, nextDay)).toBeNull();
    expect(afterFailure(s, policy, nextDay)).toMatchObject({ failedAttempts: 1, lockedUntil: null });
  });

  it('tells a lock in whole minutes and a backoff in seconds', () => {
    expect(refusalMessage({ reason: 'LOCKED', until: at(30 * 60_000) }, at(5))).toMatch(/locked; try again in 30 min$/);
    expect(refusalMessage({ reason: 'BACKOFF', until: at(1000) }, at(5))).toMatch(/try again in 1 s$/);
  });
});
