import { describe, expect, it } from 'vitest';
import { isSecretKey, luhnValid, redactString } from './redaction.ts';

describe('isSecretKey', () => {
  it.each(['password', 'Password', 'user_password', 'pin', 'managerPIN', 'pin_code', 'apiKey', 'api-key', 'X-Api-Key',
    'accessToken', 'refresh_token', 'authorization', 'cvv', 'CVC2', 'cardNumber', 'card_number', 'clientSecret', 'Set-Cookie', 'otp'])('%s is a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });
  it.each(['shipping', 'spinach', 'pinned', 'opinion', 'last4', 'holder', 'description', 'company', 'expand'])('%s is not', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('redactString', () => {
  it.each([
    ['card 4111 1111 1111 1111 ok', 'card [REDACTED] ok'],
    ['5500-0000-0000-0004', '[REDACTED]'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: [REDACTED]'],
    ['password=hunter2&user=x', '[REDACTED]&user=x'],
    ['key sk_live_51HxAbCdEfGhIjKl', 'key [REDACTED]'],
  ])('%s → %s', (input, output) => {
    expect(redactString(input)).toBe(output);
  });
  it('leaves numbers that are not card numbers (Luhn) and short ids alone', () => {
    expect(redactString('order 1234567890123 for table 12')).toBe('order 1234567890123 for table 12');
    expect(luhnValid('1234567890123')).toBe(false);
    expect(luhnValid('4111111111111111')).toBe(true);
  });
});
