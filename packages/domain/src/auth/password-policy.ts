import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import { AppError } from '../app-error.ts';

/** PCI DSS 8.3.6: at least 12 characters, with both letters and digits. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;
/** zxcvbn's score (0–4) a password needs: 3 is "safely unguessable" (about 10^8 guesses and more). */
const MIN_SCORE = 3;

/**
 * zxcvbn-ts with its common dictionary (passwords of public breaches, names, keyboard patterns)
 * and the English one; built on first use (about 100 ms), then shared.
 */
let checker: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  checker ??= new ZxcvbnFactory({
    translations: zxcvbnEn.translations,
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  });
  return checker;
}

/** What identifies the account: a password must not be built on it. */
export interface TPasswordOwner {
  email: string;
  name?: string | null | undefined;
}

/** Why a new password is refused, in words for the person choosing it; undefined when it is acceptable. */
export function passwordProblem(password: string, owner: TPasswordOwner): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const email = owner.email.toLowerCase();
  const local = email.split('@')[0] ?? '';
  const lower = password.toLowerCase();
  if (lower.includes(email) || (local.length >= 4 && lower.includes(local))) return 'password must not contain the account’s email address';
  const words = [email, local, ...local.split(/[^\p{L}\p{Nd}]+/u), ...(owner.name ? owner.name.toLowerCase().split(/\s+/) : []), 'modula', 'audit'].filter(
    (w) => w.length >= 3,
  );
  const result = zxcvbn().check(password, words);
  if (result.score < MIN_SCORE) {
    const why = [result.feedback.warning, ...result.feedback.suggestions].filter((s): s is string => !!s).join(' ');
    return `password is too easy to guess${why ? `: ${why}` : ''} Choose a longer phrase of unrelated words, with digits.`;
  }
  if (!/\p{L}/u.test(password) || !/\p{Nd}/u.test(password)) return 'password must contain both letters and digits (PCI DSS 8.3.6)';
  return undefined;
}

/** Throws VALIDATION_FAILED with the reason when the password breaks the policy. */
export function assertPasswordPolicy(password: string, owner: TPasswordOwner): void {
  const problem = passwordProblem(password, owner);
  if (problem) throw new AppError('VALIDATION_FAILED', problem);
}
