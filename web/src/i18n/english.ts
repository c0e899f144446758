import type { TFunction } from 'i18next';
import { en } from './messages-en.ts';

/** A translate function: a catalog key and its values → the text (i18next's `t`, or englishText). */
export type TTranslate = (key: string, values?: Record<string, unknown>) => string;

/**
 * The English text of a catalog key, without i18next: for the pure helpers whose unit tests and
 * English callers need no initialised instance. `{{name}}` is filled in; a plural key takes
 * `count` and picks `_one` or `_other` as English does.
 */
export const englishText: TTranslate = (key, values = {}) => {
  const count = values.count;
  const plural = typeof count === 'number' ? `${key}_${count === 1 ? 'one' : 'other'}` : undefined;
  const text = (plural && lookup(plural)) ?? lookup(key) ?? key;
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
};

function lookup(key: string): string | undefined {
  let node: unknown = en;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** i18next's `t` as a TTranslate, for the pure helpers that take one. */
export function asTranslate(t: TFunction): TTranslate {
  return (key, values) => String(t(key, values ?? {}));
}
