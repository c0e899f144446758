import type { TAuditEventInput } from '@modula/contracts';
import { isPlainObject } from '@modula/contracts';

export const REDACTED = '[REDACTED]';

/**
 * Key names that hold credentials, matched on whole words of the key (so `userPin` and
 * `pin_code` are secrets, `shipping` and `spinach` are not) or on the joined key.
 */
const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'pin', 'secret', 'token', 'otp', 'totp',
  'cvv', 'cvv2', 'cvc', 'cvc2', 'cvn', 'csc', 'pan', 'authorization', 'cookie', 'credential', 'credentials', 'apikey', 'passcode']);
const SECRET_JOINED = ['password', 'passwd', 'secret', 'token', 'apikey', 'accesskey', 'privatekey', 'cardnumber',
  'creditcard', 'securitycode', 'authorization', 'credential', 'passcode', 'setcookie', 'clientsecret'];

export function isSecretKey(key: string): boolean {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  const joined = words.join('');
  return SECRET_JOINED.some((s) => joined.includes(s));
}

/** Secrets recognisable by their shape wherever they appear inside a string. */
const VALUE_PATTERNS: { name: string; pattern: RegExp; check?: (match: string) => boolean }[] = [
  { name: 'bearer', pattern: /\b(?:Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
  { name: 'api-key', pattern: /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}\b|\bmak_[A-Za-z0-9_-]{16,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{20,}\b/g },
  { name: 'assignment', pattern: /\b(?:password|passwd|pwd|pin|secret|token|api[_-]?key|cvv|cvc)\s*[:=]\s*[^\s,;&]+/gi },
  // 13–19 digits, optionally grouped by spaces or dashes, that pass the Luhn check.
  { name: 'card', pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, check: (m) => luhnValid(m.replace(/[ -]/g, '')) },
];

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Replaces every secret-shaped part of a string; returns the same string when there is none. */
export function redactString(value: string): string {
  let out = value;
  for (const { pattern, check } of VALUE_PATTERNS) {
    out = out.replace(pattern, (m) => (check && !check(m) ? m : REDACTED));
  }
  return out;
}

function redactValue(value: unknown, path: string, paths: string[]): unknown {
  if (typeof value === 'string') {
    const redacted = redactString(value);
    if (redacted !== value) paths.push(path);
    return redacted;
  }
  if (Array.isArray(value)) return value.map((v, i) => redactValue(v, `${path}[${i}]`, paths));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const childPath = `${path}.${key}`;
      if (isSecretKey(key) && v !== null && v !== '') {
        out[key] = REDACTED;
        paths.push(childPath);
      } else {
        out[key] = redactValue(v, childPath, paths);
      }
    }
    return out;
  }
  return value;
}

/**
 * DESIGN rule 6: secrets are removed when an event is accepted, before it is queued, so they reach
 * neither Redis nor PostgreSQL nor a log line. Returns a new event and the paths it redacted.
 */
export function redactEvent<T extends TAuditEventInput>(event: T): { event: T; redactedPaths: string[] } {
  const paths: string[] = [];
  const out: T = { ...event };
  for (const field of ['before', 'after', 'metadata'] as const) {
    if (event[field]) (out as Record<string, unknown>)[field] = redactValue(event[field], field, paths);
  }
  if (event.entity?.label !== undefined) {
    out.entity = { ...event.entity, label: redactValue(event.entity.label, 'entity.label', paths) as string };
  }
  if (event.actor.name !== undefined) {
    out.actor = { ...event.actor, name: redactValue(event.actor.name, 'actor.name', paths) as string };
  }
  return { event: out, redactedPaths: paths };
}
