import { ZStreamTarget, type TStreamTarget } from '@modula/contracts';
import { AppError } from '../app-error.ts';
import { REDACTED, redactString } from '../ingest/redaction.ts';
import { openStreamUrl, sealStreamUrl, type TStreamSettings } from './stream-settings.ts';

/**
 * Target URLs that are their own credential — a Slack, Discord, Teams or Zapier webhook, whose path
 * lets whoever has it post to the channel — are kept like a stream's secret: `settings` (shown to
 * Admins, read back by streams.list, written into the STREAM_* records) holds only the URL's scheme,
 * host and a marker; the URL itself is sealed beside it, under `sealedUrls`, and opened only to
 * deliver. What counts as a credential is what redaction removes from a text (redaction.ts: the
 * webhook shapes of c1cc5c0, and any other secret shape): one recogniser for both.
 */
const URL_FIELDS = ['url', 'endpoint'] as const;
type TUrlField = (typeof URL_FIELDS)[number];
type TSealedUrls = Partial<Record<TUrlField, string>>;

/** A row's `settings`: the target as shown, and its sealed URLs (none for most targets). */
export type TStoredSettings = TStreamTarget & { sealedUrls?: TSealedUrls };

/** True when redaction would hide part of this URL: it must not be kept, or shown, in clear. */
export function urlCarriesCredential(url: string): boolean {
  return redactString(url) !== url;
}

/** What is kept and shown of such a URL: scheme, host and port, and a marker for the rest. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}/${REDACTED}`;
}

function split(settings: unknown): { target: TStreamTarget; sealed: TSealedUrls } {
  const { sealedUrls, ...rest } = (settings ?? {}) as { sealedUrls?: TSealedUrls };
  return { target: ZStreamTarget.parse(rest), sealed: sealedUrls ?? {} };
}

function urlFields(target: TStreamTarget): { field: TUrlField; value: string }[] {
  const fields = target as Partial<Record<TUrlField, unknown>>;
  return URL_FIELDS.flatMap((field) => (typeof fields[field] === 'string' ? [{ field, value: fields[field] as string }] : []));
}

/**
 * The target as Admins see it (streams.list, the records of changes). A URL still stored in clear by
 * an earlier version is shown as its display form too.
 */
export function shownTarget(settings: unknown): TStreamTarget {
  const { target } = split(settings);
  const shown: Record<string, unknown> = { ...target };
  for (const { field, value } of urlFields(target)) if (urlCarriesCredential(value)) shown[field] = displayUrl(value);
  return ZStreamTarget.parse(shown);
}

/** The target as delivery needs it: its sealed URLs opened (throws when they cannot be: another server secret). */
export function sendableTarget(s: Pick<TStreamSettings, 'serverSecret'>, settings: unknown): TStreamTarget {
  const { target, sealed } = split(settings);
  const opened: Record<string, unknown> = { ...target };
  for (const field of URL_FIELDS) {
    const box = sealed[field];
    if (box !== undefined && field in opened) opened[field] = openStreamUrl(s, box);
  }
  return ZStreamTarget.parse(opened);
}

/**
 * What `settings` keeps of a target an Admin gave: each URL that carries a credential sealed, its
 * display form in its place. A URL given back as the display form of the one stored before (the
 * edit dialog sends the target it was shown) keeps the sealed URL.
 */
export function storedSettings(s: Pick<TStreamSettings, 'serverSecret'>, target: TStreamTarget, before?: unknown): TStoredSettings {
  const kept = before === undefined ? { target: undefined, sealed: {} as TSealedUrls } : split(before);
  const stored: Record<string, unknown> = { ...target };
  const sealedUrls: TSealedUrls = {};
  for (const { field, value } of urlFields(target)) {
    const keptBox = kept.sealed[field];
    const keptValue = kept.target ? (kept.target as Partial<Record<TUrlField, unknown>>)[field] : undefined;
    if (keptBox !== undefined && keptValue === value) {
      sealedUrls[field] = keptBox;
    } else if (value.includes(REDACTED)) {
      // the display form of a URL still stored in clear (an earlier version's row, shown redacted): it
      // keeps that URL, sealed now; any other URL holding the marker is no place to deliver to
      if (typeof keptValue !== 'string' || !urlCarriesCredential(keptValue) || displayUrl(keptValue) !== value)
        throw new AppError(
          'VALIDATION_FAILED',
          `${field} ${value} is how a URL that is its own credential is shown, not one to deliver to: give the whole URL`,
        );
      sealedUrls[field] = sealStreamUrl(s, keptValue);
    } else if (urlCarriesCredential(value)) {
      sealedUrls[field] = sealStreamUrl(s, value);
      stored[field] = displayUrl(value);
    }
  }
  return (Object.keys(sealedUrls).length > 0 ? { ...stored, sealedUrls } : stored) as TStoredSettings;
}

/** True for settings an earlier version stored with such a URL in clear: sealed when next read (lazy reseal). */
export function needsReseal(settings: unknown): boolean {
  const { target, sealed } = split(settings);
  return urlFields(target).some(({ field, value }) => sealed[field] === undefined && urlCarriesCredential(value));
}

/** The settings of a row stored in clear by an earlier version, sealed as storedSettings would have. */
export function resealedSettings(s: Pick<TStreamSettings, 'serverSecret'>, settings: unknown): TStoredSettings {
  return storedSettings(s, split(settings).target, settings);
}
