import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.ts';

const owner = { email: 'ada.lovelace@example.test', name: 'Ada Lovelace' };

describe('password policy (PCI DSS 8.3.6 and common passwords)', () => {
  it.each([
    ['Tr0ub4dor&3', /at least 12 characters/],
    ['aaaaaaaaaaaa', /too easy to guess: Repeated characters/],
    ['123456789012', /too easy to guess: This is a commonly used password/],
    ['password1234', /too easy to guess/],
    ['qwertyuiop12', /too easy to guess/],
    ['correct horse battery staple', /both letters and digits/],
    ['ada.lovelace@example.test', /email/],
    ['ada.lovelace-2026', /email/],
  ])('refuses %s', (password, reason) => {
    expect(passwordProblem(password, owner)).toMatch(reason);
  });

  it.each(['plum vivid 87 harbor', 'correct horse battery staple 42', 'Tw0 long sentences here'])('accepts %s', (password) => {
    expect(passwordProblem(password, owner)).toBeUndefined();
  });
});
