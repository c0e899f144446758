import type { TAuditEventInput } from '@modula/contracts';
import { isPlainObject, LIMITS } from '@modula/contracts';

export const REDACTED = '[REDACTED]';

/**
 * Key names that hold credentials, matched on whole words of the key (so `userPin`, `PINCode` and
 * `pin_code` are secrets, `shipping` and `spinach` are not; `auth` is, `author` is not) or on the
 * joined key (`clientSecret`, `x-api-key`).
 */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'pw',
  'pass',
  'passphrase',
  'pin',
  'secret',
  'token',
  'otp',
  'totp',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'cvn',
  'csc',
  'pan',
  'auth',
  'authorization',
  'cookie',
  'credential',
  'credentials',
  'apikey',
  'passcode',
]);
const SECRET_JOINED = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'cardnumber',
  'creditcard',
  'securitycode',
  'authorization',
  'credential',
  'passcode',
  'setcookie',
  'clientsecret',
];

/**
 * The lower-case words of a key: split at case changes, also between an acronym and the next word
 * (`PINCode` → pin code, `managerPIN` → manager pin, `APIKey` → api key), and at anything that is
 * not a letter or digit (`pin_code`, `x-api-key`, `user.password`).
 */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Some part of every secret word and joined name above: a key whose letters and digits hold none of
 * these is no secret, and is let through without splitting it into words (the hot path).
 */
const SECRET_HINT = /pass|pw|pin|secret|token|otp|cv|csc|pan|auth|cookie|credential|apikey|accesskey|privatekey|cardnumber|creditcard|securitycode/;

export function isSecretKey(key: string): boolean {
  if (!SECRET_HINT.test(key.toLowerCase().replace(/[^a-z0-9]+/g, ''))) return false;
  const words = keyWords(key);
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  const joined = words.join('');
  return SECRET_JOINED.some((s) => joined.includes(s));
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A JSON number that may be a card number: an integer of 13–19 digits that passes the Luhn check,
 * or one beyond 2^53 (only possible inside JSON text: the schema refuses them elsewhere) whose last
 * digits were already lost to rounding, so the check cannot tell.
 */
function isCardNumber(value: number): boolean {
  const abs = Math.abs(value);
  if (!Number.isInteger(abs) || abs < 1e12 || abs >= 1e19) return false;
  return !Number.isSafeInteger(abs) || luhnValid(String(abs));
}

/** Credentials recognisable by their shape wherever they appear inside a string (one pass, one alternative each). */
const TOKENS = new RegExp(
  [
    // PEM private keys, header to footer (or to the end of a truncated one)
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/,
    // Authorization header values
    /\b(?:[Bb]earer|BEARER|[Bb]asic|BASIC|[Tt]oken|TOKEN)\s+[A-Za-z0-9\-._~+/]{8,}=*/,
    // JSON Web Tokens
    /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/,
    // API keys of well-known shapes: Stripe, Modula (ingest keys and read tokens), AWS, GitHub, GitLab, Slack, Google
    /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}\b|\bwhsec_[A-Za-z0-9]{16,}|\bmak_[A-Za-z0-9_-]{16,}|\bmrt_[A-Za-z0-9_-]{16,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{20,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}|\bglpat-[A-Za-z0-9_-]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}/,
  ]
    .map((r) => r.source)
    .join('|'),
  'g',
);

/** The password of a URL's user information: `scheme://user:password@host`. */
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:@/?#]{0,256}):([^\s@/?#]{1,256})@/gi;

/** The name and separator of an assignment (`password=`, `token: `, `"pin":`), in text, a query string or JSON text. */
const ASSIGNMENT = /(?<![\w.-])([\w.-]+)(["']?\s*[:=]\s*)/g;
const VALUE_END = /[\s,;&"'<>(){}[\]]/;

/** Where the value of an assignment starting at `start` ends: a quoted value up to its closing quote. */
function endOfValue(text: string, start: number): number {
  const quote = text[start];
  if (quote === '"' || quote === "'") {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === quote) return i + 1;
    }
    return text.length;
  }
  let i = start;
  while (i < text.length && !VALUE_END.test(text[i]!)) i++;
  return i;
}

/** Replaces the value of every assignment whose name is a secret key name (the name stays). */
function redactAssignments(text: string): string {
  let out = '';
  let last = 0;
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) {
    if (!isSecretKey(m[1]!)) continue; // the scan goes on after the separator: `https://x/?password=…`
    const start = m.index + m[0].length;
    const end = endOfValue(text, start);
    let [from, to] = [start, end];
    if (text[start] === '"' || text[start] === "'") {
      from = start + 1; // the quotes stay
      if (end > from && text[end - 1] === text[start]) to = end - 1;
    }
    ASSIGNMENT.lastIndex = end;
    const value = text.slice(from, to);
    if (value === '' || value === REDACTED) continue;
    out += text.slice(last, from) + REDACTED;
    last = to;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** UUIDs and hex digests (MD5, SHA-1, SHA-256, SHA-512) are ids, not card numbers, whatever digits they hold. */
const OPAQUE_IDS =
  /(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])|\b(?:[0-9a-f]{128}|[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})\b/gi;
/** Digits, grouped by single spaces or dashes: `4111 1111 1111 1111`, `5500-0000-0000-0004`, `4111111111111111`. */
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;
const LONG_DIGIT_RUN = /\d(?:[ -]?\d){12}/;

/** Doubling of a Luhn digit: 0→0, 1→2, …, 5→1, …, 9→9. */
const DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];

/**
 * The digit groups of a run (offsets in the run, and in its digits without separators) and a Luhn
 * check of the digits [from, to) in O(1): prefix sums of each digit taken plain or doubled, by the
 * parity of its position (the rightmost digit of a window is never doubled).
 */
function luhnWindows(run: string) {
  const groups: { start: number; end: number; from: number; to: number }[] = [];
  const even = [0];
  const odd = [0];
  let n = 0;
  for (let i = 0; i < run.length; i++) {
    const d = run.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (i === 0 || run.charCodeAt(i - 1) - 48 < 0 || run.charCodeAt(i - 1) - 48 > 9) groups.push({ start: i, end: i + 1, from: n, to: n + 1 });
    else {
      groups.at(-1)!.end = i + 1;
      groups.at(-1)!.to = n + 1;
    }
    // even[k]: digits at even positions doubled; odd[k]: digits at odd positions doubled
    even.push(even[n]! + (n % 2 === 0 ? DOUBLED[d]! : d));
    odd.push(odd[n]! + (n % 2 === 1 ? DOUBLED[d]! : d));
    n++;
  }
  // in the window [from, to) the digits at to-2, to-4, … are doubled: those of the other parity than to-1
  const valid = (from: number, to: number) => ((to - 1) % 2 === 0 ? odd[to]! - odd[from]! : even[to]! - even[from]!) % 10 === 0;
  return { groups, valid };
}

/**
 * Card numbers inside a string, also glued to text (`card-4111…`, `4111…abc`): any consecutive groups
 * of a digit run that hold 13–19 digits and pass the Luhn check. Every such window is redacted, so a
 * chance match that overlaps a real card number cannot leave part of it behind.
 */
function redactCardNumbers(text: string): string {
  if (!LONG_DIGIT_RUN.test(text)) return text;
  // the same text with UUIDs and digests blanked out: offsets stay those of `text`
  const source = text.replace(OPAQUE_IDS, (m) => '#'.repeat(m.length));
  let out = '';
  let last = 0;
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(source); m; m = DIGIT_RUN.exec(source)) {
    if (m[0].length < 13 || (m[0].length > 19 && !/[ -]/.test(m[0]))) continue; // one group of more than 19 digits: no card
    const { groups, valid } = luhnWindows(m[0]);
    const hit = new Array<boolean>(groups.length).fill(false);
    for (let i = 0; i < groups.length; i++) {
      for (let j = i; j < groups.length && groups[j]!.to - groups[i]!.from <= 19; j++) {
        if (groups[j]!.to - groups[i]!.from >= 13 && valid(groups[i]!.from, groups[j]!.to)) hit.fill(true, i, j + 1);
      }
    }
    for (let i = 0; i < groups.length; i++) {
      if (!hit[i]) continue;
      let j = i;
      while (j + 1 < groups.length && hit[j + 1]) j++;
      out += text.slice(last, m.index + groups[i]!.start) + REDACTED;
      last = m.index + groups[j]!.end;
      i = j;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

class TooDeep extends Error {}
const JSON_TEXT_MAX_DEPTH = 64;

/** Text that is JSON (starts with `{` or `[`): redacted as JSON, key names included, and written back compactly. */
function redactJsonText(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text; // not JSON after all: the patterns below still apply
  }
  if (typeof parsed !== 'object' || parsed === null) return text;
  const paths: string[] = [];
  try {
    const redacted = redactValue(parsed, '', paths, 0, Infinity);
    return paths.length > 0 ? JSON.stringify(redacted) : text;
  } catch (err) {
    if (err instanceof TooDeep) return text;
    throw err;
  }
}

/** Replaces every secret-shaped part of a string; returns the same string when there is none. */
export function redactString(value: string): string {
  // every shape above but assignments, URLs and JSON needs 13 characters or more
  if (value.length < 13 && !/[:=[{]/.test(value)) return value;
  let out = /^\s*[[{]/.test(value) ? redactJsonText(value) : value;
  out = out.replace(TOKENS, REDACTED);
  if (out.includes('://')) out = out.replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  if (out.includes('=') || out.includes(':')) out = redactAssignments(out);
  return redactCardNumbers(out);
}

/** A redacted text that would no longer fit its field is replaced whole: the worker re-checks the limits. */
function redactText(value: string, max: number): string {
  const redacted = redactString(value);
  return redacted.length > max ? REDACTED : redacted;
}

/**
 * New names for keys that are themselves secrets: `[REDACTED]`, `[REDACTED]#2`, … given in the
 * UTF-16 order of the original keys (never in the sender's order: the same content must give the
 * same record), skipping names the object already has.
 */
function renamedKeys(keys: string[]): Map<string, string> | undefined {
  let secret: string[] | undefined;
  for (const key of keys) if (redactString(key) !== key) (secret ??= []).push(key);
  if (!secret) return undefined;
  const renamed = new Map<string, string>();
  const taken = new Set(keys);
  let n = 1;
  for (const key of secret.sort()) {
    let name: string;
    do {
      name = n === 1 ? REDACTED : `${REDACTED}#${n}`;
      n++;
    } while (taken.has(name));
    taken.add(name);
    renamed.set(key, name);
  }
  return renamed;
}

function redactValue(value: unknown, path: string, paths: string[], depth: number, maxString: number): unknown {
  if (typeof value === 'string') {
    const redacted = redactText(value, maxString);
    if (redacted !== value) paths.push(path);
    return redacted;
  }
  if (typeof value === 'number') {
    if (!isCardNumber(value)) return value;
    paths.push(path);
    return REDACTED;
  }
  if (depth > JSON_TEXT_MAX_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) return value.map((v, i) => redactValue(v, `${path}[${i}]`, paths, depth + 1, maxString));
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    const renamed = renamedKeys(entries.map(([key]) => key));
    return Object.fromEntries(
      entries.map(([key, v]) => {
        const name = renamed?.get(key) ?? key;
        const childPath = path === '' ? name : `${path}.${name}`;
        if (name !== key) paths.push(childPath);
        // a secret key name hides what it holds; a flag (`passwordChanged: true`) is no secret
        if (isSecretKey(key) && v !== null && v !== '' && typeof v !== 'boolean') {
          paths.push(childPath);
          return [name, REDACTED];
        }
        return [name, redactValue(v, childPath, paths, depth + 1, maxString)];
      }),
    );
  }
  return value;
}

/**
 * DESIGN rule 6: secrets are removed when an event is accepted, before it is queued, so they reach
 * neither Redis nor PostgreSQL nor a log line. Covers every free-text field: before/after/metadata
 * (keys and values), entity type/id/label, actor id/name, context session and device ids.
 * Returns a new event and the paths it redacted, sorted by UTF-16 code units (as JCS sorts keys),
 * so the record does not depend on the order of the sender's keys.
 */
export function redactEvent<T extends TAuditEventInput>(event: T): { event: T; redactedPaths: string[] } {
  const paths: string[] = [];
  const out: T = { ...event };
  for (const field of ['before', 'after', 'metadata'] as const) {
    if (event[field]) (out as Record<string, unknown>)[field] = redactValue(event[field], field, paths, 1, LIMITS.jsonMaxStringLength);
  }
  const text = <V extends string | undefined>(value: V, path: string, max: number): V => {
    if (value === undefined) return value;
    const redacted = redactText(value, max);
    if (redacted !== value) paths.push(path);
    return redacted as V;
  };
  if (event.entity) {
    out.entity = {
      ...event.entity,
      type: text(event.entity.type, 'entity.type', LIMITS.idMaxLength),
      id: text(event.entity.id, 'entity.id', LIMITS.idMaxLength),
      ...(event.entity.label !== undefined ? { label: text(event.entity.label, 'entity.label', LIMITS.nameMaxLength) } : {}),
    };
  }
  out.actor = {
    ...event.actor,
    ...(event.actor.id !== undefined ? { id: text(event.actor.id, 'actor.id', LIMITS.idMaxLength) } : {}),
    ...(event.actor.name !== undefined ? { name: text(event.actor.name, 'actor.name', LIMITS.nameMaxLength) } : {}),
  };
  if (event.context) {
    out.context = {
      ...event.context,
      ...(event.context.sessionId !== undefined ? { sessionId: text(event.context.sessionId, 'context.sessionId', LIMITS.idMaxLength) } : {}),
      ...(event.context.deviceId !== undefined ? { deviceId: text(event.context.deviceId, 'context.deviceId', LIMITS.idMaxLength) } : {}),
    };
  }
  return { event: out, redactedPaths: [...new Set(paths)].sort() };
}
