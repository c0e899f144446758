/** The viewer's own time zone (the browser's), shown next to every time. */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** An ISO instant in the viewer's time zone, e.g. "22 Nov 2026, 14:03:07". */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** Hours and minutes in the viewer's time zone, e.g. "14:03". */
export function formatClock(iso: string): string {
  return timeOnly.format(new Date(iso));
}
