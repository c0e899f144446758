import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** How many one-time codes an enrolment gives. */
export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 (no i, l, o, u): 10 characters are 50 random bits, shown as `xxxxx-xxxxx`. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Fresh codes to show once; only their hashes are stored. */
export function newRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) {
    let raw = '';
    for (let i = 0; i < 10; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    codes.add(`${raw.slice(0, 5)}-${raw.slice(5)}`);
  }
  return [...codes];
}

/** A code as typed: case, dashes and spaces do not matter, and o / i / l read as 0 / 1 / 1. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
}

/**
 * The stored form: an HMAC under a key derived from the server secret, bound to the user (a code
 * has 50 random bits, so no slow hash is needed; without the server secret the hashes are useless).
 */
export function hashRecoveryCode(serverSecret: Buffer, userId: string, code: string): string {
  const key = createHmac('sha256', serverSecret).update('modula-audit:recovery-code').digest();
  return createHmac('sha256', key)
    .update(`${userId}:${normalizeRecoveryCode(code)}`)
    .digest('base64url');
}

/** The index of the stored hash a typed code matches, or -1 (every hash is compared, in constant time). */
export function matchRecoveryCode(serverSecret: Buffer, userId: string, code: string, stored: readonly string[]): number {
  const given = Buffer.from(hashRecoveryCode(serverSecret, userId, code));
  let found = -1;
  stored.forEach((h, i) => {
    const b = Buffer.from(h);
    if (b.length === given.length && timingSafeEqual(b, given) && found < 0) found = i;
  });
  return found;
}
