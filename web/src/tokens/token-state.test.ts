import { describe, expect, it } from 'vitest';
import { tokenState } from './token-state.ts';

describe('tokenState', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  it('is active until its expiry, expired from it, revoked whatever its expiry', () => {
    expect(tokenState({ expiresAt: '2026-12-01T12:00:01Z', revokedAt: null }, now)).toBe('active');
    expect(tokenState({ expiresAt: '2026-12-01T12:00:00Z', revokedAt: null }, now)).toBe('expired');
    expect(tokenState({ expiresAt: '2026-11-01T00:00:00Z', revokedAt: '2026-10-01T00:00:00Z' }, now)).toBe('revoked');
    expect(tokenState({ expiresAt: '2027-01-01T00:00:00Z', revokedAt: '2026-11-30T00:00:00Z' }, now)).toBe('revoked');
  });
});
