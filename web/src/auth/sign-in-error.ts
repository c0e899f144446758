import { en } from '../i18n/messages-en.ts';

export type TSignInStep = 'password' | 'code' | 'recovery';
export type TSignInErrorKey = keyof typeof en.signIn.errors;

/**
 * What a refused sign-in step tells the person: never whether the account exists; a lock says
 * to come back later; a wrong or spent code says to wait for the next one. The key of the
 * catalog's `signIn.errors`, so the screen says it in the viewer's language.
 */
export function signInErrorKey(code: string | undefined, step: TSignInStep): TSignInErrorKey {
  switch (code) {
    case 'UNAUTHORIZED':
      if (step === 'recovery') return 'wrongRecovery';
      return step === 'password' ? 'wrongPassword' : 'wrongCode';
    case 'TOO_MANY_REQUESTS':
      return 'locked';
    case 'BAD_REQUEST':
      if (step === 'recovery') return 'badRecovery';
      return step === 'password' ? 'badPassword' : 'badCode';
    case 'NOT_FOUND':
      return 'expired';
    default:
      return 'unreachable';
  }
}

/** The same in English. */
export function signInErrorMessage(code: string | undefined, step: TSignInStep): string {
  return en.signIn.errors[signInErrorKey(code, step)];
}
