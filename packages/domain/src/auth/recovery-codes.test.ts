import { describe, expect, it } from 'vitest';
import { hashRecoveryCode, matchRecoveryCode, newRecoveryCodes, RECOVERY_CODE_COUNT } from './recovery-codes.ts';

const secret = Buffer.from('a server secret of at least 32 characters!');

describe('recovery codes', () => {
  it('are 10 distinct codes of 10 base32 characters', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const c of codes) expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
  });

  it('match as typed (case, dash, o/0, l/1), for their user only', () => {
    const stored = ['ab0d1-xyz23', 'k7m9q-r4t6w'].map((c) => hashRecoveryCode(secret, 'user-1', c));
    expect(matchRecoveryCode(secret, 'user-1', 'K7M9QR4T6W', stored)).toBe(1);
    expect(matchRecoveryCode(secret, 'user-1', 'abOdl xyz23', stored)).toBe(0);
    expect(matchRecoveryCode(secret, 'user-2', 'k7m9q-r4t6w', stored)).toBe(-1);
    expect(matchRecoveryCode(secret, 'user-1', 'k7m9q-r4t6x', stored)).toBe(-1);
    expect(matchRecoveryCode(Buffer.from('another secret of at least 32 characters'), 'user-1', 'k7m9q-r4t6w', stored)).toBe(-1);
  });
});
