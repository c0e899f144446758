import { describe, expect, it } from 'vitest';
import { signInErrorMessage } from './sign-in-error.ts';

describe('signInErrorMessage', () => {
  it('does not say whether the account exists', () => {
    expect(signInErrorMessage('UNAUTHORIZED', 'password')).toBe('Wrong email or password.');
  });

  it('says a locked account must wait', () => {
    expect(signInErrorMessage('TOO_MANY_REQUESTS', 'password')).toMatch(/locked.*Try again later/);
    expect(signInErrorMessage('TOO_MANY_REQUESTS', 'code')).toMatch(/locked/);
  });

  it('tells a refused code apart from a refused password', () => {
    expect(signInErrorMessage('UNAUTHORIZED', 'code')).toMatch(/code is wrong, expired or already used/);
    expect(signInErrorMessage('BAD_REQUEST', 'code')).toMatch(/6-digit code/);
  });

  it('says a recovery code works once', () => {
    expect(signInErrorMessage('UNAUTHORIZED', 'recovery')).toMatch(/recovery code is wrong or has already been used/);
    expect(signInErrorMessage('BAD_REQUEST', 'recovery')).toMatch(/recovery code/);
  });

  it('blames the connection for anything else', () => {
    expect(signInErrorMessage(undefined, 'password')).toMatch(/could not be reached/);
    expect(signInErrorMessage('INTERNAL_SERVER_ERROR', 'code')).toMatch(/could not be reached/);
  });
});
