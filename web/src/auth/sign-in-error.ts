export type TSignInStep = 'password' | 'code' | 'recovery';

/**
 * What a refused sign-in step tells the person: never whether the account exists; a lock says
 * to come back later; a wrong or spent code says to wait for the next one.
 */
export function signInErrorMessage(code: string | undefined, step: TSignInStep): string {
  switch (code) {
    case 'UNAUTHORIZED':
      if (step === 'recovery') return 'That recovery code is wrong or has already been used. Each code works once.';
      return step === 'password'
        ? 'Wrong email or password.'
        : 'That code is wrong, expired or already used. Wait for the next code from your authenticator app and try again.';
    case 'TOO_MANY_REQUESTS':
      return 'Too many failed attempts: sign-in is locked for this account. Try again later.';
    case 'BAD_REQUEST':
      if (step === 'recovery') return 'Enter a recovery code as it was shown, such as abcde-12345.';
      return step === 'password' ? 'Enter a valid email address and your password.' : 'Enter the 6-digit code from your authenticator app.';
    case 'NOT_FOUND':
      return 'This enrolment has expired. Sign in again to get a new QR code.';
    default:
      return 'The service could not be reached. Try again in a moment.';
  }
}
