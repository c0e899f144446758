/**
 * A UTC instant as local time in a tenant's zone, with its offset: `2026-11-22T11:15:00.000+01:00`
 * (ISO 8601; the same instant as the UTC column beside it). Two renderings of one rule: JavaScript
 * here for the PDF, SQL (`localIsoSql`) for the CSV that PostgreSQL writes; tests hold them equal.
 * Offsets are written in hours and minutes (zones' historic offsets in seconds, before ~1900, are cut).
 */

const QUARTER_HOUR_MS = 15 * 60_000;

/** The zone's offset from UTC at an instant, in minutes (`longOffset`: "GMT+05:45", "GMT" for zero). */
function offsetMinutes(format: Intl.DateTimeFormat, ms: number): number {
  const name = format.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const pad = (n: number) => String(n).padStart(2, '0');

export function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * A formatter of one zone. Offsets change on quarter hours (every zone's transitions since 1970
 * fall on them), so one lookup per quarter hour of the instants formatted: a pack of a million
 * events over two months asks Intl about six thousand times.
 */
export function localTimeFormatter(timeZone: string): (utcIso: string) => string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const offsets = new Map<number, number>();
  return (utcIso: string) => {
    const ms = Date.parse(utcIso);
    const bucket = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = offsets.get(bucket);
    if (offset === undefined) {
      offset = offsetMinutes(format, bucket * QUARTER_HOUR_MS);
      if (offsets.size > 100_000) offsets.clear();
      offsets.set(bucket, offset);
    }
    return `${new Date(ms + offset * 60_000).toISOString().slice(0, 23)}${offsetText(offset)}`;
  };
}

/** A literal in SQL's standard syntax. */
export const sqlLiteral = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The same, in SQL over a timestamptz expression `column` (evaluated a few times: give it a column). */
export function localIsoSql(column: string, timeZone: string): string {
  const zone = sqlLiteral(timeZone);
  const offset = `((${column} at time zone ${zone}) - (${column} at time zone 'UTC'))`;
  return `to_char(${column} at time zone ${zone}, 'YYYY-MM-DD"T"HH24:MI:SS.MS') || case when ${offset} < interval '0' then '-' || to_char(-${offset}, 'HH24:MI') else '+' || to_char(${offset}, 'HH24:MI') end`;
}
