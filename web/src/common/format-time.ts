/**
 * Dates, times and numbers as the viewer reads them: in the chosen locale (see i18n/languages.ts)
 * and time zone (the browser's, or the tenant's when chosen). The display root sets both before
 * the screens render, and renders them again when either changes.
 */
let locale: string | undefined;
let timeZone: string | undefined;
const cache = new Map<string, Intl.DateTimeFormat>();

export function setDisplayFormat(next: { locale: string; timeZone: string }): void {
  if (next.locale === locale && next.timeZone === timeZone) return;
  locale = next.locale;
  timeZone = next.timeZone;
  cache.clear();
}

function formatter(name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = cache.get(name);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    cache.set(name, f);
  }
  return f;
}

/** The zone times are shown in (the viewer's own unless the tenant's is chosen). */
export function viewerTimeZone(): string {
  return timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Zones that are UTC itself: their offset says nothing more. */
const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Etc/Universal', 'Etc/Zulu']);
const offsets = new Map<string, Intl.DateTimeFormat>();

/**
 * A zone's offset at an instant (now by default), e.g. "GMT+1", "GMT-6", "GMT+5:30"; "UTC" for UTC.
 * Written the same in every language (browsers abbreviate UTC differently by locale).
 */
export function offsetOf(zone: string, at: Date = new Date()): string {
  if (UTC_NAMES.has(zone)) return 'UTC';
  let f = offsets.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsets.set(zone, f);
  }
  // longOffset: "GMT+01:00", "GMT-06:00", "GMT" (for +0)
  const long = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(long);
  if (!m) return 'GMT+0';
  return `GMT${m[1]}${Number(m[2])}${m[3] === '00' ? '' : `:${m[3]}`}`;
}

/** The shown zone's offset at an instant. */
export function zoneOffset(at: Date = new Date()): string {
  return offsetOf(viewerTimeZone(), at);
}

/** The zone with its offset now, e.g. "Europe/Madrid, GMT+1" ("UTC" alone): what headings of time columns say. */
export function zoneLabel(): string {
  return zoneLabelOf(viewerTimeZone());
}

/** Any zone with its offset now (the zone menu lists both the viewer's and the tenant's), or at an instant. */
export function zoneLabelOf(zone: string, at: Date = new Date()): string {
  return UTC_NAMES.has(zone) ? zone : `${zone}, ${offsetOf(zone, at)}`;
}

/** The shown zone with its offset at an ISO instant (summer or winter time of that day), e.g. "Europe/Madrid, GMT+2". */
export function zoneLabelAt(iso: string): string {
  return zoneLabelOf(viewerTimeZone(), new Date(iso));
}

/** An ISO instant in the shown zone, e.g. "22 Nov 2026, 14:03:07". */
export function formatDateTime(iso: string): string {
  return formatter('dateTime', { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

/** An ISO instant with the zone's offset at that instant, e.g. "22 Nov 2026, 14:03:07 GMT+1". */
export function formatDateTimeWithOffset(iso: string): string {
  const at = new Date(iso);
  return `${formatter('dateTime', { dateStyle: 'medium', timeStyle: 'medium' }).format(at)} ${zoneOffset(at)}`;
}

/** A date without its time, e.g. "22 Nov 2026". */
export function formatDate(iso: string): string {
  return formatter('date', { dateStyle: 'medium' }).format(new Date(iso));
}

/** Hours and minutes in the shown zone, e.g. "14:03". */
export function formatClock(iso: string): string {
  return formatter('clock', { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** A calendar day (YYYY-MM-DD, already in the shown zone) as "22 Nov". */
export function formatDay(day: string): string {
  const f = cache.get('day') ?? new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  cache.set('day', f);
  return f.format(new Date(`${day}T00:00:00Z`));
}

/** A count in the chosen locale, e.g. "1,234" (en) or "1234" / "12.345" (es). */
export function formatNumber(n: number): string {
  return n.toLocaleString(locale);
}

/** The locale dates and numbers are written in. */
export function displayLocale(): string | undefined {
  return locale;
}
