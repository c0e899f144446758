import type { TStreamTarget, TStreamTestOutput, TStreamView } from '@modula/contracts';
import { errorCodeOf } from '../app/trpc.ts';
import { formatNumber } from '../common/format-time.ts';
import { englishText, type TTranslate } from '../i18n/english.ts';

/** What a stream is now, and why it stopped when it did. */
export type TStreamState = 'active' | 'pausedByAdmin' | 'pausedByFailures';

export function streamState(view: Pick<TStreamView, 'status' | 'pausedReason'>): TStreamState {
  if (view.status === 'ACTIVE') return 'active';
  return view.pausedReason === 'FAILURES' ? 'pausedByFailures' : 'pausedByAdmin';
}

/** "Active", "Paused by an Admin", "Paused after 4 failed deliveries". */
export function streamStateText(view: Pick<TStreamView, 'status' | 'pausedReason' | 'consecutiveFailures'>, t: TTranslate = englishText): string {
  const state = streamState(view);
  if (state === 'pausedByFailures') return t('streams.states.pausedByFailures', { count: view.consecutiveFailures, n: formatNumber(view.consecutiveFailures) });
  return t(`streams.states.${state}`);
}

/**
 * Where a stream delivers, as an Admin recognises it: the URL, or the bucket and prefix (with the
 * region or endpoint). Never a credential: the view carries none, and neither does this.
 */
export function streamDestination(target: TStreamTarget): string {
  switch (target.kind) {
    case 'WEBHOOK':
    case 'DATADOG':
      return target.url;
    case 'SPLUNK':
      return target.index ? `${target.url} · index ${target.index}` : target.url;
    case 'S3':
      return `s3://${target.bucket}/${target.prefix} · ${target.endpoint ?? target.region}`;
  }
}

const UNITS = [
  { name: 'day', s: 86_400 },
  { name: 'hour', s: 3_600 },
  { name: 'minute', s: 60 },
  { name: 'second', s: 1 },
] as const;

/** How long the oldest waiting event has waited, in whole days, hours, minutes or seconds (at least 1 s). */
export function lagDuration(seconds: number): { unit: (typeof UNITS)[number]['name']; n: number } {
  const unit = UNITS.find((u) => seconds >= u.s) ?? UNITS[UNITS.length - 1]!;
  return { unit: unit.name, n: Math.max(1, Math.floor(seconds / unit.s)) };
}

/** "0 events behind" when caught up, else "1,204 events · 3 min behind". */
export function lagText(view: Pick<TStreamView, 'lagEvents' | 'lagSeconds'>, t: TTranslate = englishText): string {
  const n = formatNumber(view.lagEvents);
  if (view.lagEvents === 0) return t('streams.lag.caughtUp', { count: 0, n });
  const { unit, n: time } = lagDuration(view.lagSeconds);
  return t('streams.lag.behind', { count: view.lagEvents, n, time: t(`streams.lag.${unit}`, { n: time }) });
}

/** What streams.test answered: "Test delivered (HTTP 200, 42 ms)" or "Test failed: HTTP 500 — …". */
export function testResultText(result: TStreamTestOutput, t: TTranslate = englishText): string {
  const ms = formatNumber(Math.round(result.ms));
  if (result.ok) return t('streams.test.ok', { status: result.status ?? '—', ms });
  const parts = [result.status === null ? null : `HTTP ${result.status}`, result.error].filter(Boolean);
  return t('streams.test.failed', { why: parts.join(' — ') || t('streams.test.noAnswer') });
}

/** The fields of the stream dialogs, by the last segment of an issue's path. */
const FIELDS = new Set(['name', 'url', 'secret', 'index', 'source', 'sourcetype', 'service', 'tags', 'bucket', 'region', 'prefix', 'endpoint', 'accessKeyId']);

function fieldOf(path: (string | number)[], t: TTranslate): string {
  const last = path.at(-1);
  if (typeof last === 'string' && FIELDS.has(last)) return `${t(`streams.field.${last}`)}: `;
  return path.length ? `${path.join('.')}: ` : '';
}

interface TIssueData {
  issues?: { path: (string | number)[]; message: string }[];
}

/** The refusals whose code alone says what happened, so they are said in the user's language. */
const KNOWN_CODES = {
  NOT_FOUND: 'notFound',
  CONFLICT: 'conflict',
  PRECONDITION_FAILED: 'stale',
  FORBIDDEN: 'forbidden',
  INTERNAL_SERVER_ERROR: 'internal',
} as const;

/**
 * Why the service refused a change, in words: each validation issue with the field it is about
 * ("target.url: must be an https:// URL…"); a code that says it all (the stream is gone, the name
 * is taken, not an Admin, the service failed) in the user's language; else the service's own
 * sentence (a private address refused, a credential to give again); a call that never reached the
 * service says so.
 */
export function streamErrorText(error: unknown, t: TTranslate = englishText): string {
  const code = errorCodeOf(error);
  if (code === undefined) return t('streams.errors.unreachable');
  const issues = (error as { data?: TIssueData }).data?.issues;
  if (issues?.length) return issues.map((i) => `${fieldOf(i.path, t)}${i.message}`).join('; ');
  if (Object.hasOwn(KNOWN_CODES, code)) return t(`streams.errors.${KNOWN_CODES[code as keyof typeof KNOWN_CODES]}`);
  return (error as Error).message;
}
