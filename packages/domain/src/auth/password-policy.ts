import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { AppError } from '../app-error.ts';

/** PCI DSS 8.3.6: at least 12 characters, with both letters and digits. */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;
/** zxcvbn's score (0–4) a password needs: 3 is "safely unguessable" (about 10^8 guesses and more). */
const MIN_SCORE = 3;

/**
 * zxcvbn-ts with its common dictionary (passwords of public breaches, names, keyboard patterns)
 * and the English one; loaded and built on first use (their dictionaries take most of a second to
 * load: the worker and most CLI commands never check a password), then shared.
 */
let checker: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  if (checker) return checker;
  const require = createRequire(import.meta.url);
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const zxcvbnCommon = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  const zxcvbnEn = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
  checker = new ZxcvbnFactory({
    translations: zxcvbnEn.translations,
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  });
  return checker;
}

/** Loads the checker now: a server does at start, so that no request waits for its dictionaries. */
export function loadPasswordChecker(): void {
  zxcvbn();
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
