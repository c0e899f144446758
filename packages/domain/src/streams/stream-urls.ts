import { ZStreamTarget, type TStreamTarget } from '@modula/contracts';
import { AppError } from '../app-error.ts';
import { REDACTED, redactString } from '../ingest/redaction.ts';
import { openStreamUrl, sealStreamUrl, type TStreamSettings } from './stream-settings.ts';

/**
 * Target URLs that may be their own credential are kept like a stream's secret: `settings` (shown to
 * Admins, read back by streams.list, written into the STREAM_* records, which no one can ever delete)
 * holds only the URL's scheme, host and a marker; the URL itself is sealed beside it, under
 * `sealedUrls`, and opened only to deliver. A Slack, Discord, Teams or Zapier webhook puts its
 * credential in the path, a Google Chat webhook in the query (`?key=…&token=…`), Mattermost and
 * self-made receivers wherever they like: no list of shapes knows them all, so any URL with more
 * than a scheme and host is sealed (review F §4), as is any URL redaction would hide part of.
 */
const URL_FIELDS = ['url', 'endpoint'] as const;
type TUrlField = (typeof URL_FIELDS)[number];
type TSealedUrls = Partial<Record<TUrlField, string>>;

/** A row's `settings`: the target as shown, and its sealed URLs (none for most targets). */
export type TStoredSettings = TStreamTarget & { sealedUrls?: TSealedUrls };

/**
 * True when this URL must not be kept, or shown, in clear: it has a path, a query, a fragment or
 * user information (any of which may be the credential), or redaction would hide part of it. Only
 * a bare origin (`https://splunk.example.com:8088`, Datadog's intake) is kept as given.
 */
export function urlCarriesCredential(url: string): boolean {
  if (redactString(url) !== url) return true;
  // an empty query or fragment ('…/?') is parsed away; what is not a URL is kept out of sight too
  if (url.includes('?') || url.includes('#') || !URL.canParse(url)) return true;
  const u = new URL(url);
  return u.username !== '' || u.password !== '' || u.pathname !== '/';
}

/** What is kept and shown of such a URL: scheme, host and port, and a marker for the rest. */
export function displayUrl(url: string): string {
  // what is not a URL (a row written by hand) shows nothing of itself
  if (!URL.canParse(url)) return REDACTED;
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
  const { target } = split(settings);
  return ZStreamTarget.parse({
    ...target,
    ...openedUrls(s, settings, (err) => {
      throw err;
    }),
  });
}

/** Each URL field of the settings as delivery uses it: its sealed URL opened, or what `unopened` answers when that throws. */
function openedUrls(s: Pick<TStreamSettings, 'serverSecret'>, settings: unknown, unopened: (err: unknown, box: string) => string): TSealedUrls {
  const { target, sealed } = split(settings);
  const urls: TSealedUrls = {};
  for (const { field, value } of urlFields(target)) {
    const box = sealed[field];
    try {
      urls[field] = box === undefined ? value : openStreamUrl(s, box);
    } catch (err) {
      urls[field] = unopened(err, box!);
    }
  }
  return urls;
}

/**
 * True when two settings deliver to the same URLs. Their display forms may be alike (one host,
 * another path), so STREAM_UPDATED says with this whether the URL itself changed. A URL sealed
 * under another server secret is compared as its sealed text: no server can open it anyway.
 */
export function sameUrls(s: Pick<TStreamSettings, 'serverSecret'>, before: unknown, after: unknown): boolean {
  const href = (url: string) => (URL.canParse(url) ? new URL(url).href : url);
  const urls = (settings: unknown) => Object.entries(openedUrls(s, settings, (_err, box) => box)).map(([field, url]) => [field, href(url)]);
  return JSON.stringify(urls(before)) === JSON.stringify(urls(after));
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
          // never the URL itself: it may be a whole credential URL that merely holds the marker
          `${field}: a URL holding ${REDACTED} is how a URL that is its own credential is shown, not one to deliver to: give the whole URL`,
        );
      sealedUrls[field] = sealStreamUrl(s, keptValue);
    } else if (urlCarriesCredential(value)) {
      sealedUrls[field] = sealStreamUrl(s, value);
      stored[field] = displayUrl(value);
    }
  }
  return (Object.keys(sealedUrls).length > 0 ? { ...stored, sealedUrls } : stored) as TStoredSettings;
}

/** The sealed URLs of a row's settings, as stored (each opens under the server secret that sealed it). */
export function sealedUrlsOf(settings: unknown): string[] {
  const sealed = ((settings ?? {}) as { sealedUrls?: unknown }).sealedUrls;
  if (typeof sealed !== 'object' || sealed === null) return [];
  return Object.values(sealed).filter((box): box is string => typeof box === 'string');
}

/** True for settings an earlier version stored with such a URL in clear: sealed when next read (lazy reseal). */
export function needsReseal(settings: unknown): boolean {
  const { target, sealed } = split(settings);
  return urlFields(target).some(({ field, value }) => sealed[field] === undefined && urlCarriesCredential(value));
}

/**
 * The settings of a row stored in clear by an earlier version, each such URL sealed as it is. Not
 * through storedSettings: what it refuses is a display form given as a URL, whereas a URL stored in
 * clear is the one delivered to, even one that happens to hold the marker.
 */
export function resealedSettings(s: Pick<TStreamSettings, 'serverSecret'>, settings: unknown): TStoredSettings {
  const { target, sealed } = split(settings);
  const stored: Record<string, unknown> = { ...target };
  const sealedUrls: TSealedUrls = {};
  for (const { field, value } of urlFields(target)) {
    if (sealed[field] !== undefined) {
      sealedUrls[field] = sealed[field];
    } else if (urlCarriesCredential(value)) {
      sealedUrls[field] = sealStreamUrl(s, value);
      stored[field] = displayUrl(value);
    }
  }
  return (Object.keys(sealedUrls).length > 0 ? { ...stored, sealedUrls } : stored) as TStoredSettings;
}
