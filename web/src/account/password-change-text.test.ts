import { describe, expect, it } from 'vitest';
import { confirmationProblem, passwordChangedText, passwordChangeErrorText } from './password-change-text.ts';

describe('passwordChangeErrorText', () => {
  it('shows the service’s reason for a refused new password, as a sentence', () => {
    expect(
      passwordChangeErrorText('BAD_REQUEST', 'the new password must differ from your last 4 passwords (PCI DSS 8.3.7); choose one you have not used before'),
    ).toBe('The new password must differ from your last 4 passwords (PCI DSS 8.3.7); choose one you have not used before.');
    expect(
      passwordChangeErrorText(
        'BAD_REQUEST',
        'password is too easy to guess: This is a commonly used password. Choose a longer phrase of unrelated words, with digits.',
      ),
    ).toBe('Password is too easy to guess: This is a commonly used password. Choose a longer phrase of unrelated words, with digits.');
  });

  it('says the current password is wrong, and tells an ended session apart', () => {
    expect(passwordChangeErrorText('UNAUTHORIZED', 'the current password is wrong')).toBe('The current password is wrong.');
    expect(passwordChangeErrorText('UNAUTHORIZED', 'sign in first')).toMatch(/session has ended/);
  });

  it('passes on the wait after repeated wrong current passwords', () => {
    expect(passwordChangeErrorText('TOO_MANY_REQUESTS', 'too many failed sign-ins; try again in 4 s')).toBe('Too many failed sign-ins; try again in 4 s.');
  });

  it('does not show a schema’s JSON, nor an unknown failure', () => {
    expect(passwordChangeErrorText('BAD_REQUEST', '[{"code":"too_big"}]')).toMatch(/at most 1024 characters/);
    expect(passwordChangeErrorText(undefined, undefined)).toMatch(/could not be reached/);
  });
});

describe('passwordChangedText', () => {
  it('says how many other sessions were signed out', () => {
    expect(passwordChangedText(2)).toMatch(/2 other sessions were signed out; this one stays signed in/);
    expect(passwordChangedText(1)).toMatch(/1 other session was signed out/);
    expect(passwordChangedText(0)).toMatch(/no other session open/);
  });
});

describe('confirmationProblem', () => {
  it('wants the new password typed twice alike', () => {
    expect(confirmationProblem('plum Vivid 87 harbor', 'plum Vivid 87 harbor')).toBeUndefined();
    expect(confirmationProblem('plum Vivid 87 harbor', 'plum vivid 87 harbor')).toMatch(/differ/);
  });
});
