import type { TAuditEventInput } from '@modula/contracts';
import { isPlainObject, LIMITS } from '@modula/contracts';
import { type Node as JsonNode, parseTree } from 'jsonc-parser';
import { asciiNumberCopy, INVISIBLE } from './redaction-digits.ts';

export const REDACTED = '[REDACTED]';

/**
 * Key names that hold credentials, matched on whole words of the key (so `userPin`, `PINCode` and
 * `pin_code` are secrets, `shipping` and `spinach` are not; `auth` is, `author` is not), on a word
 * that glues pin, cvv, otp or pan to another word or a digit (`managerpin`, `PIN1`, `cardcvv`,
 * `otpcode`, `cardpan`: see isSecretWord) or on the joined key (`clientSecret`, `x-api-key`).
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
  'ccv', // a common misspelling of cvv
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
  'cardverification',
  'authorization',
  'credential',
  'passcode',
  'setcookie',
  'clientsecret',
  'authcode',
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
const SECRET_HINT =
  /pass|pw|pin|secret|token|otp|cv|csc|pan|auth|cookie|credential|apikey|accesskey|privatekey|cardnumber|creditcard|securitycode|cardverification/;

/**
 * Words that end in `pin` and are no PIN. Any other word ending in `pin` is taken for one
 * (`managerpin`, `voidpin`, `pospin`): a lower- or upper-case key has no boundary to split at, and
 * losing the value of an odd key costs less than storing a PIN.
 */
const NOT_PINS = new Set([
  'spin',
  'backspin',
  'topspin',
  'tailspin',
  'sidespin',
  'hairpin',
  'kingpin',
  'linchpin',
  'lynchpin',
  'pushpin',
  'tenpin',
  'terrapin',
  'underpin',
]);

/**
 * Words that end in `pan` and are no primary account number. Any other word ending in `pan` is taken
 * for one (`cardpan`, `CARDPAN`, `ccpan`), as `pin` is; a word ending in `span` is a length
 * (`timespan`, `colspan`), never listed one by one.
 */
const NOT_PANS = new Set([
  'japan',
  'saucepan',
  'frypan',
  'fryingpan',
  'stewpan',
  'sheetpan',
  'dustpan',
  'dishpan',
  'bedpan',
  'sampan',
  'trepan',
  'tympan',
  'marzipan',
  'deadpan',
]);

/**
 * The secret words that are still secrets with a number after them (`pin2`, `PIN1`, `cvv2`): codes a
 * till asks for. Not `auth` (`auth0Id` is an Auth0 user id) nor `pan` (`pan1`, a panel).
 */
const NUMBERED_CODES = new Set(['pin', 'pw', 'pwd', 'pass', 'passcode', 'otp', 'totp', 'cvv', 'ccv', 'cvc', 'cvn', 'csc']);

/**
 * A word of SECRET_WORDS, or one that glues a PIN, CVV, one-time password or card number to a number
 * or another word, which a key in one case (`MANAGERPIN`, `cardcvv`) gives no boundary to split at: one of
 * NUMBERED_CODES with a number (`pin2`, `PIN1`); `cvv` or `cvc` anywhere (no ordinary word holds those letters, and a
 * flag such as `cvvchecked` loses nothing that matters); `otp` at either end (`otpcode`, `smsotp`;
 * inside a word it is `footprint`); `pin` at the end, or before code/number/block (`managerpin`,
 * `pincode`, `pinblock`), never at the start of another word (`pinned`, `pinyin`, `pinpad`: the
 * device, not the secret). `pincode` is also an Indian postal code, but in a point-of-sale event a PIN
 * code is the likelier meaning, and redacting a postcode is the safe side of that doubt. `pan` only at
 * the end of a word after another (`cardpan`): at the start it is `panel` or `panorama`, and alone
 * with a number (`pan1`) a panel.
 */
function isSecretWord(word: string): boolean {
  if (SECRET_WORDS.has(word)) return true;
  const bare = word.replace(/\d+$/, '');
  if (NUMBERED_CODES.has(bare)) return true;
  if (/cvv|cvc/.test(bare) || /^otp|otp$/.test(bare)) return true;
  if (/.pan$/.test(bare)) return !bare.endsWith('span') && !NOT_PANS.has(bare);
  return /pin(?:code|no|nr|num|number|block)?$/.test(bare) && !NOT_PINS.has(bare);
}

/**
 * isSecretKey's answers. Events repeat their key names (`amount`, `pin`) in every object of every
 * batch, and each answer costs a split into words; cleared when full, so a sender of endless
 * distinct keys cannot grow it.
 */
const secretKeys = new Map<string, boolean>();
const SECRET_KEYS_KEPT = 10_000;

export function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    if (secretKeys.size >= SECRET_KEYS_KEPT) secretKeys.clear();
    secretKeys.set(key, (secret = judgeSecretKey(key)));
  }
  return secret;
}

function judgeSecretKey(key: string): boolean {
  if (!SECRET_HINT.test(key.toLowerCase().replace(/[^a-z0-9]+/g, ''))) return false;
  const words = keyWords(key);
  if (words.some(isSecretWord)) return true;
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
 * or one beyond 2^53 whose last digits were already lost to rounding, so the check cannot tell
 * (only an exponent form inside JSON text: the schema refuses such integers elsewhere, and an
 * integer written out in JSON text is checked by its own digits, isCardNumberToken).
 */
function isCardNumber(value: number): boolean {
  const abs = Math.abs(value);
  if (!Number.isInteger(abs) || abs < 1e12 || abs >= 1e19) return false;
  return !Number.isSafeInteger(abs) || luhnValid(String(abs));
}

/** A number token of JSON text: an integer written out is checked by its digits as sent, exactly. */
function isCardNumberToken(token: string, value: number): boolean {
  const digits = /^-?(\d+)$/.exec(token)?.[1];
  if (digits === undefined) return isCardNumber(value);
  return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
}

/** `word` in any mix of cases, inside a pattern whose other parts are case-sensitive: `basic` → `[Bb][Aa][Ss][Ii][Cc]`. */
const anyCase = (word: string) => [...word].map((c) => `[${c.toUpperCase()}${c}]`).join('');

/** Credentials recognisable by their shape wherever they appear inside a string (one pass, one alternative each). */
const TOKENS = new RegExp(
  [
    // PEM private keys, header to footer (or to the end of a truncated one)
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/,
    // Authorization header values; the scheme is case-insensitive (RFC 9110 11.1)
    new RegExp(`\\b(?:${['bearer', 'basic', 'token'].map(anyCase).join('|')})\\s+[A-Za-z0-9\\-._~+/]{8,}=*`),
    // JSON Web Tokens: the first `eyJ` after a word boundary in a run of base64url characters (what
    // precedes it in the run, the capture `jwtRun`, stays). Only the start of a run tries, once: the
    // lookahead is atomic. Trying every `eyJ` of `eyJ-eyJ-…` scanned the rest of the run for each
    // (quadratic), and found nothing more: a later `eyJ` of a run that fails from the first would need
    // the same dots at the same places.
    /(?<![A-Za-z0-9_-])(?=(?<jwtRun>[A-Za-z0-9_-]*?)(?<![A-Za-z0-9_])eyJ)\k<jwtRun>eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/,
    // Webhook URLs whose path is the credential (whoever has the URL can post to the channel):
    // Slack, Discord, Microsoft Teams / Office 365, Zapier. The host and the kind of URL stay.
    /(?<=\bhttps?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_\/-]{8,}/,
    /(?<=\bhttps?:\/\/(?:[a-z0-9-]+\.)?discord(?:app)?\.com\/api\/webhooks\/)[A-Za-z0-9_\/-]{8,}/,
    /(?<=\bhttps?:\/\/[A-Za-z0-9-]+\.webhook\.office\.com\/|\bhttps?:\/\/outlook\.office(?:365)?\.com\/webhook\/)[A-Za-z0-9_\/@.-]{8,}/,
    /(?<=\bhttps?:\/\/hooks\.zapier\.com\/hooks\/catch\/)[A-Za-z0-9_\/-]{4,}/,
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
/** Every id above starts with 8 hex digits: a text without them is not searched (`1 1 1 …` tried them at every digit). */
const HEX_RUN = /[0-9a-f]{8}/i;
/**
 * Digits, grouped by up to 3 blanks (any Unicode space: a locale's U+00A0 or U+202F, a tab), dashes,
 * dots or slashes: `4111 1111 1111 1111`, `5500-0000-0000-0004`, `4111\u202f1111…`, `4111 - 1111 …`,
 * `4111.1111…`, `4111111111111111`, searched in asciiNumberCopy's copy (so also `٤١١١–١١١١…` and
 * `4111·1111…`), where INVISIBLE may stand anywhere between digits and separators without counting
 * as one. Separators, INVISIBLE and digits never overlap, so a run is matched in one pass.
 */
const BETWEEN_DIGITS = `${INVISIBLE}*(?:[\\s./-]${INVISIBLE}*){0,3}`;
// the INVISIBLE after a run's last digit may be the second unit of a digit such as `𝟒`: it goes with it
const DIGIT_RUN = new RegExp(`\\d(?:${BETWEEN_DIGITS}\\d)*${INVISIBLE}*`, 'g');
const LONG_DIGIT_RUN = new RegExp(`\\d(?:${BETWEEN_DIGITS}\\d){12}`);
const INVISIBLE_CODE = INVISIBLE.charCodeAt(0);
/** Card numbers are written in groups of 3 digits or more (4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3); only the last may be shorter. */
const CARD_GROUP_MIN = 3;

/** Doubling of a Luhn digit: 0→0, 1→2, …, 5→1, …, 9→9. */
const DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];

/**
 * The card numbers of a digit run, as [start, end) character offsets in the run, overlapping and
 * adjacent ones joined. A window is consecutive groups holding 13–19 digits whose groups but the last
 * have CARD_GROUP_MIN digits or more, checked by Luhn in O(1): prefix sums of each digit taken plain
 * or doubled, by the parity of its position (the rightmost digit of a window is never doubled). Each
 * group starts at most 19 windows, and a short group ends them, so the work is linear in the run.
 */
function cardSpans(run: string): [number, number][] {
  // group k: characters [starts[k], ends[k]) of the run; digits [firsts[k], firsts[k + 1]) of its digits
  const starts: number[] = [];
  const ends: number[] = [];
  const firsts: number[] = [];
  // even[k], odd[k]: the Luhn sum of the first k digits, those at even (odd) positions doubled
  const even = new Int32Array(run.length + 1);
  const odd = new Int32Array(run.length + 1);
  let n = 0;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    const inGroup = ends.length > 0 && ends[ends.length - 1] === i;
    if (c === INVISIBLE_CODE) {
      if (inGroup) ends[ends.length - 1] = i + 1; // inside a group it is nothing: `4\u200b1\u200b1…` is one group
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) continue;
    if (inGroup) ends[ends.length - 1] = i + 1;
    else {
      starts.push(i);
      ends.push(i + 1);
      firsts.push(n);
    }
    even[n + 1] = even[n]! + (n % 2 === 0 ? DOUBLED[d]! : d);
    odd[n + 1] = odd[n]! + (n % 2 === 1 ? DOUBLED[d]! : d);
    n++;
  }
  firsts.push(n);
  // in the window of digits [from, to) the digits at to-2, to-4, … are doubled: those of the other parity than to-1
  const valid = (from: number, to: number) => ((to - 1) % 2 === 0 ? odd[to]! - odd[from]! : even[to]! - even[from]!) % 10 === 0;
  const spans: [number, number][] = [];
  let reach = -2; // the last group of the last span
  for (let i = 0; i < starts.length; i++) {
    for (let j = i; j < starts.length && firsts[j + 1]! - firsts[i]! <= 19; j++) {
      if (firsts[j + 1]! - firsts[i]! >= 13 && valid(firsts[i]!, firsts[j + 1]!)) {
        if (i > reach + 1) spans.push([starts[i]!, ends[j]!]);
        else if (j > reach) spans[spans.length - 1]![1] = ends[j]!;
        reach = Math.max(reach, j);
      }
      if (firsts[j + 1]! - firsts[j]! < CARD_GROUP_MIN) break; // a short group ends every window that holds it
    }
  }
  return spans;
}

/**
 * Card numbers inside a string, also glued to text (`card-4111…`, `4111…abc`): any consecutive groups
 * of a digit run that hold 13–19 digits, each group but the last 3 digits or more, and pass the Luhn
 * check. Every such window is redacted, so a chance match that overlaps a real card number cannot
 * leave part of it behind. Dates, times, amounts and addresses (`2026-12-02 2026-12-03 …`,
 * `12.50 3.20 …`, `192.168.1.10 …`) have groups of 1 or 2 digits inside, so they never form a window.
 */
function redactCardNumbers(text: string): string {
  const ascii = asciiNumberCopy(text);
  if (!LONG_DIGIT_RUN.test(ascii)) return text;
  // the same text with UUIDs and digests blanked out: offsets stay those of `text`
  const source = HEX_RUN.test(ascii) ? ascii.replace(OPAQUE_IDS, (m) => '#'.repeat(m.length)) : ascii;
  let out = '';
  let last = 0;
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(source); m; m = DIGIT_RUN.exec(source)) {
    if (m[0].length < 13 || (m[0].length > 19 && !/\D/.test(m[0]))) continue; // one group of more than 19 digits: no card
    for (const [start, end] of cardSpans(m[0])) {
      out += text.slice(last, m.index + start) + REDACTED;
      last = m.index + end;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * A card's security code, a PIN, a passcode or a one-time password written after its name, with or
 * without `:`, `=`, `#` or `-`, and with or without `code`, `no`, `number` or `nr` between: `cvv 123`,
 * `CVC2: 0123`, `security code #123`, `PIN 4321`, `PIN-4321`, `Manager PIN code 4321`, `PIN no. 4321`,
 * `passcode 123456`, `OTP code: 654321`. Searched in asciiNumberCopy's copy, so the digits may be
 * those of another script (`PIN ٤٣٢١`) and hold invisible characters, taken with them. The digits
 * go, the name stays. Every part is bounded but the runs of invisible characters, which nothing else
 * matches: trying a name costs constant work beside them, so the text is searched in linear time.
 */
const LABELLED_CODE = new RegExp(
  [
    /\b(cvv2?|cvc2?|ccv|csc|cvn|security\s{1,3}code|pin|passcode|t?otp)/.source,
    /((?:\s{1,3}(?:code|number|num|no|nr)\.?)?(?:\s{1,3}[:=#-]?\s{0,3}|[:=#-]\s{0,3}))/.source,
    // 3 to 12 digits, not followed by another (`cvv 12345` is no CVV), and the invisible characters after them
    `(\\d(?:${INVISIBLE}*\\d){2,11})(?!${INVISIBLE}*\\d)${INVISIBLE}*`,
  ].join(''),
  'gi',
);

/** Names whose code is a PIN of 4 to 12 digits; the others name a card's security code. */
const PIN_LABELS = new Set(['pin', 'passcode', 'otp', 'totp']);

/**
 * Security codes have 3 digits (4 on the front of an Amex card). PINs have 4 to 12 (ISO 9564-1):
 * banks use 4–6, phones and apps 6–8, and so do passcodes and one-time passwords; fewer than 4 digits
 * after `pin` is a count or a position (`pin 12`), not a PIN.
 */
function isLabelledCode(label: string, digits: string): boolean {
  const count = digits.split(INVISIBLE).join('').length;
  return PIN_LABELS.has(label.toLowerCase()) ? count >= 4 : count <= 4;
}

function redactLabelledCodes(text: string): string {
  const source = asciiNumberCopy(text);
  let out = '';
  let last = 0;
  LABELLED_CODE.lastIndex = 0;
  for (let m = LABELLED_CODE.exec(source); m; m = LABELLED_CODE.exec(source)) {
    const [match, label = '', between = '', digits = ''] = m;
    if (!isLabelledCode(label, digits)) continue;
    out += text.slice(last, m.index + label.length + between.length) + REDACTED;
    last = m.index + match.length;
  }
  return last === 0 ? text : out + text.slice(last);
}

class TooDeep extends Error {}
const JSON_TEXT_MAX_DEPTH = 64;

/** A replacement of one token of a JSON text: its offset and length there, and what is written instead. */
type TEdit = { offset: number; length: number; content: string };

/**
 * Text that is JSON (starts with `{` or `[`): redacted as JSON, key names included, by replacing
 * only the secret tokens in the sender's text. Written back from a parse, it lost what JSON.parse
 * cannot hold (digits past 2^53, `12.50`, a duplicate key) and what was not secret at all.
 */
function redactJsonText(text: string): string {
  try {
    JSON.parse(text); // strict JSON only: jsonc-parser also reads comments and trailing commas
  } catch {
    return text; // not JSON after all: the patterns below still apply
  }
  let root: JsonNode | undefined;
  try {
    root = parseTree(text);
  } catch (err) {
    // its parser recurses once per level: nesting deep enough to overflow the stack is only too deep
    if (err instanceof RangeError) return text;
    throw err;
  }
  if (!root || (root.type !== 'object' && root.type !== 'array')) return text;
  const edits: TEdit[] = [];
  try {
    redactJsonNode(text, root, edits, 0);
  } catch (err) {
    if (err instanceof TooDeep) return text;
    throw err;
  }
  let out = '';
  let last = 0;
  for (const { offset, length, content } of edits.sort((a, b) => a.offset - b.offset)) {
    out += text.slice(last, offset) + content;
    last = offset + length;
  }
  return last === 0 ? text : out + text.slice(last);
}

const REDACTED_TOKEN = JSON.stringify(REDACTED);

/** A value node as redactValue would see it, as far as hidesMemberValue asks: objects and arrays as themselves. */
const nodeValue = (node: JsonNode): unknown => (node.type === 'null' ? null : node.type === 'object' || node.type === 'array' ? node : node.value);

/** redactValue over a JSON text's syntax tree: the same decisions, written as edits of the text. */
function redactJsonNode(text: string, node: JsonNode, edits: TEdit[], depth: number): void {
  if (node.type === 'string') {
    const redacted = redactString(node.value as string);
    if (redacted !== node.value) edits.push(editOf(node, JSON.stringify(redacted)));
    return;
  }
  if (node.type === 'number') {
    if (isCardNumberToken(text.slice(node.offset, node.offset + node.length), node.value as number)) edits.push(editOf(node, REDACTED_TOKEN));
    return;
  }
  if (depth > JSON_TEXT_MAX_DEPTH) throw new TooDeep();
  if (node.type === 'array') {
    for (const child of node.children ?? []) redactJsonNode(text, child, edits, depth + 1);
    return;
  }
  if (node.type !== 'object') return;
  // an 8 KiB text may hold a thousand small objects: no set or member objects made for each
  const members = node.children ?? [];
  const names = members.map(memberName);
  const renamed = renamedKeys(names); // a key the text repeats gets one new name
  const secretPair =
    names.some((n) => PAIR_NAMES.includes(n)) &&
    namesSecret((member) => {
      const at = names.indexOf(member);
      return at < 0 ? undefined : nodeValue(members[at]!.children![1]!);
    });
  for (const [i, member] of members.entries()) {
    const [key, value] = member.children as [JsonNode, JsonNode];
    const newName = renamed?.get(names[i]!);
    if (newName !== undefined) edits.push(editOf(key, JSON.stringify(newName)));
    if (hidesMemberValue(names[i]!, nodeValue(value), secretPair)) edits.push(editOf(value, REDACTED_TOKEN));
    else redactJsonNode(text, value, edits, depth + 1);
  }
}

const memberName = (property: JsonNode): string => property.children![0]!.value as string;
const editOf = (node: JsonNode, content: string): TEdit => ({ offset: node.offset, length: node.length, content });

/** Replaces every secret-shaped part of a string; returns the same string when there is none. */
export function redactString(value: string): string {
  // every shape above but assignments, URLs, JSON and labelled codes (`cvv 123`) needs 13 characters or more;
  // \p{No}: the superscript and circled digits that asciiNumberCopy reads as digits (`PIN ⁴³²¹`)
  if (value.length < 13 && !/[:=[{]|[\p{Nd}\p{No}](?:\p{Cf}*[\p{Nd}\p{No}]){2}/u.test(value)) return value;
  let out = /^\s*[[{]/.test(value) ? redactJsonText(value) : value;
  out = out.replace(TOKENS, (_match, jwtRun?: string) => (jwtRun ?? '') + REDACTED); // jwtRun: TOKENS' only capture
  if (out.includes('://')) out = out.replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  if (out.includes('=') || out.includes(':')) out = redactAssignments(out);
  // after card numbers: `pin 4111 1111 1111 1111` is one card, not a PIN and 12 digits left behind
  return redactLabelledCodes(redactCardNumbers(out));
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

/** The members that name a name/value pair (`{"name":"password","value":"…"}`: HAR headers, form dumps), as written by JS and by .NET. */
const PAIR_NAMES = ['name', 'key', 'field', 'Name', 'Key', 'Field'];
const PAIR_VALUES = new Set(['value', 'Value']);

/** An object that is a name/value pair whose name is a secret key name: its value is redacted as if it were under that key. */
function namesSecret(memberValue: (member: string) => unknown): boolean {
  return PAIR_NAMES.some((member) => {
    const name = memberValue(member);
    return typeof name === 'string' && isSecretKey(name);
  });
}

/** A member's value is hidden whole under a secret key name, or as the value of a secret name/value pair; never null, '' or a flag (`passwordChanged: true` is no secret). */
function hidesMemberValue(key: string, value: unknown, secretPair: boolean): boolean {
  return value !== null && value !== '' && typeof value !== 'boolean' && (isSecretKey(key) || (secretPair && PAIR_VALUES.has(key)));
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
    const secretPair = namesSecret((member) => (Object.hasOwn(value, member) ? value[member] : undefined));
    return Object.fromEntries(
      entries.map(([key, v]) => {
        const name = renamed?.get(key) ?? key;
        const childPath = path === '' ? name : `${path}.${name}`;
        if (name !== key) paths.push(childPath);
        if (hidesMemberValue(key, v, secretPair)) {
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
