import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from './backoff.ts';

const policy = { baseMs: 100, capMs: 5_000 };

describe('backoffDelay (exponential, capped, full jitter)', () => {
  it('is random in [0, base·2^(attempt−1)): random 0 waits 0, random just below 1 waits almost the ceiling', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(99);
    expect(backoffDelay(2, policy, () => 0.999999)).toBe(199);
    expect(backoffDelay(4, policy, () => 0.5)).toBe(400);
  });

  it('never exceeds the cap, however many attempts failed (no overflow at absurd counts)', () => {
    for (const attempt of [7, 8, 20, 1000, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelay(attempt, policy, () => 0.999999)).toBe(4999);
    }
  });

  it('treats attempt 0 or negative like the first attempt', () => {
    expect(backoffDelay(0, policy, () => 0.5)).toBe(50);
    expect(backoffDelay(-3, policy, () => 0.5)).toBe(50);
  });

  it('spreads a fleet: 1000 draws of the same attempt cover the whole range', () => {
    const draws = Array.from({ length: 1000 }, () => backoffDelay(5, policy));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1600);
    expect(Math.min(...draws)).toBeLessThan(200);
    expect(Math.max(...draws)).toBeGreaterThan(1400);
  });
});

describe('retryAfterMs (the wait a refusal asked for)', () => {
  const refusal = (value: string | null) => ({
    meta: { response: new Response('{}', { status: 429, headers: value === null ? {} : { 'retry-after': value } }) },
  });

  it('reads delta-seconds and HTTP dates from the response tRPC kept on the error', () => {
    expect(retryAfterMs(refusal('5'))).toBe(5000);
    expect(retryAfterMs(refusal(' 0 '))).toBe(0);
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs(refusal('Tue, 01 Dec 2026 10:00:30 GMT'), now)).toBe(30_000);
    expect(retryAfterMs(refusal('Tue, 01 Dec 2026 09:00:00 GMT'), now)).toBe(0);
  });

  it('is null without a header, for a garbled one, or without any answer; a day at most', () => {
    expect(retryAfterMs(refusal(null))).toBeNull();
    expect(retryAfterMs(refusal('soon'))).toBeNull();
    expect(retryAfterMs(new Error('fetch failed'))).toBeNull();
    expect(retryAfterMs(undefined)).toBeNull();
    expect(retryAfterMs(refusal('99999999'))).toBe(24 * 3600_000);
  });
});
