import { z } from 'zod';
import { LIMITS } from './limits.ts';

/**
 * Problems that JSON allows but storage cannot keep faithfully: PostgreSQL refuses `\u0000` in
 * jsonb and text, a lone surrogate is not Unicode, and JSON.parse silently rounds integers beyond
 * 2^53, so the stored number would not be the one sent.
 */
export function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (!value.isWellFormed()) return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
}

/** A plain text field: bounded, no NUL, well-formed. */
export function safeString(max: number) {
  return z
    .string()
    .max(max)
    .superRefine((value, ctx) => {
      const problem = stringProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

type Issue = { path: (string | number)[]; message: string };

/**
 * Where a container lies, as a chain to its parent: a path is spelled out only for an issue, so a
 * walk over valid JSON (every event's before, after and metadata, at acceptance and in the worker)
 * allocates nothing per leaf.
 */
type TPlace = { parent: TPlace; key: string | number } | null;

/** The path of the member `key` of the container at `place` (of the container itself without a key). */
function pathOf(place: TPlace, key?: string | number): (string | number)[] {
  const path: (string | number)[] = key === undefined ? [] : [key];
  for (let p = place; p; p = p.parent) path.push(p.key);
  return path.reverse();
}

/** Walks the member `key` of the container at `place` and reports what cannot be stored as sent. */
function checkJsonValue(value: unknown, place: TPlace, key: string | number, depth: number, issues: Issue[]): void {
  if (issues.length >= 20) return;
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (value.length > LIMITS.jsonMaxStringLength)
      issues.push({ path: pathOf(place, key), message: `string longer than ${LIMITS.jsonMaxStringLength} characters` });
    const problem = stringProblem(value);
    if (problem) issues.push({ path: pathOf(place, key), message: `string ${problem}` });
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issues.push({ path: pathOf(place, key), message: 'number must be finite' });
    else if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      issues.push({ path: pathOf(place, key), message: 'integer outside ±(2^53−1) cannot be kept exactly; send it as a string' });
    }
    return;
  }
  if (depth >= LIMITS.jsonMaxDepth) {
    issues.push({ path: pathOf(place, key), message: `nested deeper than ${LIMITS.jsonMaxDepth} levels` });
    return;
  }
  const here: TPlace = { parent: place, key };
  if (Array.isArray(value)) {
    if (value.length > LIMITS.jsonMaxArrayItems) issues.push({ path: pathOf(here), message: `array longer than ${LIMITS.jsonMaxArrayItems} items` });
    for (let i = 0; i < value.length; i++) checkJsonValue(value[i], here, i, depth + 1, issues);
    return;
  }
  if (isPlainObject(value)) {
    checkJsonObject(value, here, depth + 1, issues);
    return;
  }
  issues.push({ path: pathOf(place, key), message: `must be a JSON value (string, number, boolean, null, array or object), got ${describeType(value)}` });
}

function checkJsonObject(value: Record<string, unknown>, place: TPlace, depth: number, issues: Issue[]): void {
  const keys = Object.keys(value);
  if (keys.length > LIMITS.jsonMaxKeys) issues.push({ path: pathOf(place), message: `object with more than ${LIMITS.jsonMaxKeys} keys` });
  for (const key of keys) {
    if (key.length > LIMITS.jsonMaxKeyLength) issues.push({ path: pathOf(place, key), message: `key longer than ${LIMITS.jsonMaxKeyLength} characters` });
    const problem = stringProblem(key);
    if (problem) issues.push({ path: pathOf(place, key), message: `key ${problem}` });
    checkJsonValue(value[key], place, key, depth, issues);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeType(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}

/** A free-form JSON object (before / after / metadata) that storage can keep exactly as sent. */
export const ZJsonObject = z
  .custom<Record<string, unknown>>((v) => isPlainObject(v), { error: 'must be a JSON object' })
  .superRefine((value, ctx) => {
    const issues: Issue[] = [];
    checkJsonObject(value, null, 1, issues);
    for (const issue of issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})T/;

/** A calendar date that exists (2024-02-30 does not; JavaScript would silently make it March 1st). */
export function isRealCalendarDate(iso: string): boolean {
  const m = ISO_DATE.exec(iso);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/**
 * The instants every store and format on the way keeps: years 0001–9999 in UTC. PostgreSQL has no
 * year 0000, and an offset can push a written 0001-01-01 (or 9999-12-31) outside the range once
 * it is turned into UTC, so the check is on the instant, not on the text.
 */
export const STORABLE_INSTANTS = { min: Date.parse('0001-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') } as const;

export function isStorableInstant(iso: string): boolean {
  const at = Date.parse(iso);
  // a time no Date can hold (a leap second) is refused by its own check, with its own reason
  return Number.isNaN(at) || (at >= STORABLE_INSTANTS.min && at <= STORABLE_INSTANTS.max);
}

/** RFC 3339 allows second 60 (a leap second); no store on the way (JavaScript, PostgreSQL) holds one. */
const LEAP_SECOND = /T\d\d:\d\d:60(?:[.,]\d+)?(?:[Zz]|[+-]\d\d:?\d\d)$/;

const TIMESTAMP_FORM = 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-22T10:15:00.000+01:00';

/** Date, time with seconds, and an offset, in the spellings rfc3339Spelling rewrites. */
const LOOSE_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(?:([Zz])|([+-]\d{2}):?(\d{2}))$/;

/**
 * The same instant in the one spelling the check below reads. Real clients send RFC 3339's
 * lower-case `t` and `z` (RFC 3339 §5.6 allows them), a space for the `T` (its §5.6 note; Python's
 * str(datetime)), a comma before the fraction (ISO 8601's preferred mark) and the basic offset
 * `+0530` (Java's SimpleDateFormat `Z`, so Android tills). None of these is ambiguous; any other
 * text is passed on unchanged, to be refused with the reason.
 */
function rfc3339Spelling(text: string): string {
  const m = LOOSE_TIMESTAMP.exec(text);
  if (!m) return text;
  const [, date, time, fraction, zulu, offsetHours, offsetMinutes] = m;
  return `${date}T${time}${fraction === undefined ? '' : `.${fraction}`}${zulu ? 'Z' : `${offsetHours}:${offsetMinutes}`}`;
}

/**
 * ISO-8601 with an explicit offset (`Z` or `±hh:mm`, and the spellings rfc3339Spelling takes), a
 * real calendar date, an instant storage keeps.
 */
export const ZTimestamp = z
  .string({ error: TIMESTAMP_FORM })
  .transform(rfc3339Spelling)
  .pipe(
    z.iso
      .datetime({
        offset: true,
        error: (issue) =>
          typeof issue.input === 'string' && LEAP_SECOND.test(issue.input)
            ? 'is a leap second (:60), which no store on the way can keep: send :59.999 of that minute'
            : TIMESTAMP_FORM,
      })
      .refine(isRealCalendarDate, { error: 'is not a real calendar date' })
      .refine(isStorableInstant, { error: 'must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z' }),
  );

/**
 * A UUID in its one spelling. Tills on Swift and Windows send upper case; PostgreSQL's uuid type
 * prints lower case. Lower-casing at acceptance keeps hashing, dedupe and lookups on one form.
 */
export const ZUuid = z.uuid().transform((id) => id.toLowerCase());
