import { STORABLE_INSTANTS, TIMELINE_DEFAULT_DAYS, TIMELINE_MAX_DAYS, type TEventsFilter, type TEventsTimelineOutput } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm, type RawBuilder } from '@modula/db';
import { AppError } from '../app-error.ts';
import { dimensionConditions, filterConditions, LOG_ONLY_FIELDS } from './events-filter.ts';
import { searchCandidates } from './search-plan.ts';

/** At most this many events are counted from the log itself for one timeline (filters the hourly counts cannot answer). */
export const TIMELINE_LOG_COUNT_LIMIT = 100_000;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface TTimelineInput extends TEventsFilter {
  timeZone: string;
}

/** An instant held to the years 0001–9999 in UTC, where every stored event lies and which PostgreSQL and ISO text both hold. */
const storable = (at: number) => Math.min(Math.max(at, STORABLE_INSTANTS.min), STORABLE_INSTANTS.max);

/**
 * The instants a timeline counts: the filter's, else its last 30 days up to now; never more than 366
 * days, nor outside the instants an event can have (a filter may name a year-10000 instant, such as
 * 9999-12-31 west of UTC, that events.list takes but no day of the timeline can show).
 */
export function timelineBounds(f: Pick<TEventsFilter, 'from' | 'to'>, now: number): { from: number; to: number } {
  const to = storable(f.to ? Date.parse(f.to) : now);
  const from = storable(f.from ? Date.parse(f.from) : to - TIMELINE_DEFAULT_DAYS * DAY);
  return { from: Math.max(from, to - TIMELINE_MAX_DAYS * DAY), to };
}

/**
 * How many events of the filter happened on each calendar day of `timeZone`, for the timeline above
 * the log. Never a count of the log: the whole hours of the range are summed from event_hour_counts
 * (one row per hour and branch, action, outcome, reason, role and actor), and only the partial
 * hours at its two ends are counted from audit_events through the time index. A filter the hourly
 * counts have no column for (target, session, credential, IP, device, search), or a time zone whose
 * days do not start on a UTC hour (India, Nepal…), is counted from the log through that filter's
 * index, newest first and at most TIMELINE_LOG_COUNT_LIMIT events (`complete: false` beyond).
 */
export async function countEventsByDay(orm: Orm, tenantId: string, input: TTimelineInput, now = Date.now()): Promise<TEventsTimelineOutput> {
  const bounds = timelineBounds(input, now);
  const from = new Date(bounds.from).toISOString();
  const to = new Date(bounds.to).toISOString();
  const { timeZone: _tz, ...rest } = input;
  const filter = { ...rest, from, to };
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const tz = input.timeZone;
    const counted =
      LOG_ONLY_FIELDS.some((k) => filter[k] !== undefined) || !(await daysStartOnUtcHours(db, tz, from, to))
        ? await countFromLog(db, tenantId, filter, tz)
        : { counts: await countFromHours(db, tenantId, filter, tz), complete: true, countedFrom: null };
    // only the zone's days of the years 0001–9999: at the ends of that range a zone's day may begin in 1 BC or 10000
    const days = (
      await sql<{ day: string }>`select to_char(d, 'YYYY-MM-DD') as day from generate_series(
        date_trunc('day', ${from}::timestamptz at time zone ${tz}), date_trunc('day', ${to}::timestamptz at time zone ${tz}), interval '1 day') d
        where d >= '0001-01-01' and d < '10000-01-01'`.execute(db)
    ).rows.map(({ day }) => ({ day, count: counted.counts.get(day) ?? 0 }));
    return { timeZone: tz, from, to, days, total: days.reduce((n, d) => n + d.count, 0), complete: counted.complete, countedFrom: counted.countedFrom };
  }).catch((err: unknown) => {
    // PostgreSQL's zone names decide the days; one it does not know (but the browser did) is the caller's mistake, not a 500
    if ((err as { code?: string }).code === '22023' && /time zone/i.test(String((err as Error).message))) {
      throw new AppError('VALIDATION_FAILED', `unknown time zone ${input.timeZone}`);
    }
    throw err;
  });
}

/** Whether every UTC hour of the range starts a whole hour in the zone (so each hour's count falls into one local day). */
async function daysStartOnUtcHours(db: Db, tz: string, from: string, to: string): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`select not exists (
      select 1 from generate_series(date_trunc('hour', ${from}::timestamptz), ${to}::timestamptz, interval '1 hour') h
      where extract(minute from h at time zone ${tz}) <> 0) as ok`.execute(db);
  return rows[0]?.ok ?? false;
}

type TDayCounts = Map<string, number>;

const localDay = (column: RawBuilder<unknown>, tz: string) => sql`to_char(${column} at time zone ${tz}, 'YYYY-MM-DD')`;

async function countFromHours(db: Db, tenantId: string, f: TEventsFilter & { from: string; to: string }, tz: string): Promise<TDayCounts> {
  const from = Date.parse(f.from);
  const to = Date.parse(f.to);
  // whole hours [fullFrom, fullTo) from the counts; the rest of [from, to] (inclusive) from the log
  const fullFrom = Math.ceil(from / HOUR) * HOUR;
  const fullTo = Math.floor((to + 1) / HOUR) * HOUR;
  const dims = dimensionConditions(f);
  const pieces: RawBuilder<unknown>[] = [];
  const logPiece = (a: number, b: number, bInclusive: boolean) => {
    const where = filterConditions(tenantId, { ...f, from: undefined, to: undefined });
    where.push(sql`occurred_at >= ${new Date(a).toISOString()}::timestamptz`);
    where.push(bInclusive ? sql`occurred_at <= ${new Date(b).toISOString()}::timestamptz` : sql`occurred_at < ${new Date(b).toISOString()}::timestamptz`);
    pieces.push(sql`select ${localDay(sql.ref('occurred_at'), tz)} as day, count(*) as n from audit_events where ${sql.join(where, sql` and `)} group by 1`);
  };
  if (fullFrom >= fullTo) {
    logPiece(from, to, true);
  } else {
    const where = [
      sql`tenant_id = ${tenantId}`,
      sql`hour >= ${new Date(fullFrom).toISOString()}::timestamptz`,
      // hour < fullTo, written by the last whole hour: fullTo itself may be 10000-01-01, which ISO text cannot write
      sql`hour <= ${new Date(fullTo - HOUR).toISOString()}::timestamptz`,
      ...dims,
    ];
    pieces.push(sql`select ${localDay(sql.ref('hour'), tz)} as day, sum(events) as n from event_hour_counts where ${sql.join(where, sql` and `)} group by 1`);
    if (from < fullFrom) logPiece(from, fullFrom, false);
    if (fullTo <= to) logPiece(fullTo, to, true);
  }
  const { rows } = await sql<{ day: string; n: string }>`select day, sum(n) as n from (${sql.join(pieces, sql` union all `)}) p group by day`.execute(db);
  return new Map(rows.map((r) => [r.day, Number(r.n)]));
}

async function countFromLog(
  db: Db,
  tenantId: string,
  f: TEventsFilter,
  tz: string,
): Promise<{ counts: TDayCounts; complete: boolean; countedFrom: string | null }> {
  const where = filterConditions(tenantId, f);
  const seqs = await searchCandidates(db, f.search);
  if (seqs) where.push(sql`seq = any(${seqs}::bigint[])`);
  // newest first through the filter's index, as a page of the log is read, and never more than the limit
  const { rows } = await sql<{ day: string; n: string; oldest: string }>`select ${localDay(sql.ref('occurred_at'), tz)} as day, count(*) as n,
      to_char(min(occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as oldest
    from (select occurred_at from audit_events where ${sql.join(where, sql` and `)}
      order by occurred_at desc, seq desc limit ${TIMELINE_LOG_COUNT_LIMIT + 1}) e group by 1`.execute(db);
  const total = rows.reduce((n, r) => n + Number(r.n), 0);
  const complete = total <= TIMELINE_LOG_COUNT_LIMIT;
  const oldest = rows.map((r) => r.oldest).sort()[0] ?? null;
  return { counts: new Map(rows.map((r) => [r.day, Number(r.n)])), complete, countedFrom: complete ? null : oldest };
}
