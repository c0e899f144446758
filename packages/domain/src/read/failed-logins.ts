import type { TFailedLoginsOutput } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { isoUtc } from './event-view.ts';
import { readInstant } from './events-filter.ts';

interface Row {
  actor_id: string;
  actor_name: string | null;
  failures: string;
  first_at: string;
  last_at: string;
  ips: string[];
}

/**
 * The bucket sizes of login_failure_counts (migration read_paths_2), smallest first, each with the
 * bound from which it narrows the read: an hour with 2 failures of one account is already rare, a
 * day with 2 is ordinary (at 2 M events: 50 such hours, 16 816 such days), so a day narrows only
 * from 3 (50 days).
 */
const BUCKETS = [
  { minutes: 60, from: 2 },
  { minutes: 1440, from: 3 },
] as const;

/**
 * Which buckets can hold part of a window with more than `threshold` failures: a window of W
 * minutes touches at most ceil(W/B) + 1 buckets of B minutes, so one of them holds at least
 * ceil((threshold + 1) / (ceil(W/B) + 1)) of its failures. The hour when that bound is 2 or more
 * (the default 60 minutes and 5: 3 failures in a clock hour), else the day when it is 3 or more
 * (any threshold from 4). Undefined, and every failure read, only for a threshold of 3 or less
 * with a window over 60 × (threshold − 1) minutes.
 */
function denseBuckets(windowMinutes: number, threshold: number): { minutes: number; least: number } | undefined {
  for (const { minutes, from } of BUCKETS) {
    const least = Math.ceil((threshold + 1) / (Math.ceil(windowMinutes / minutes) + 1));
    if (least >= from) return { minutes, least };
  }
  return undefined;
}

/**
 * Accounts with more than `threshold` LOGIN_FAILED inside one window of `windowMinutes`: for each
 * failure, a window function counts the account's failures from it to `windowMinutes` later; the
 * densest such window of each account is reported with its first and last failure and its IPs.
 *
 * Not every failure is counted: only those around the buckets of login_failure_counts that hold
 * enough failures to be part of a window over the threshold (denseBuckets), from W before such a
 * bucket to W after it, read from the partial index of LOGIN_FAILED. The answer is the same as
 * counting every failure: each window over the threshold touches such a bucket and lies wholly in
 * what is read, so it is counted exactly; any other window counts at most the failures it has, so
 * it can neither pass a densest window nor reach the threshold with failures it does not have.
 */
export async function findFailedLogins(orm: Orm, tenantId: string, input: TFailedLoginsQueryInput): Promise<TFailedLoginsOutput['items']> {
  const rows = await withTenant(orm, tenantId, async (em) => (await failedLoginsQuery(tenantId, input).execute(dbOf(em))).rows);
  return rows.map((r) => ({
    actorId: r.actor_id,
    actorName: r.actor_name,
    failures: Number(r.failures),
    firstAt: r.first_at,
    lastAt: r.last_at,
    ips: r.ips,
  }));
}

export interface TFailedLoginsQueryInput {
  from?: string | undefined;
  to?: string | undefined;
  windowMinutes: number;
  threshold: number;
}

/** The one statement of findFailedLogins (also what EXPLAIN measures). */
export function failedLoginsQuery(tenantId: string, input: TFailedLoginsQueryInput) {
  const from = input.from ? readInstant(input.from) : sql`'-infinity'::timestamptz`;
  const to = input.to ? readInstant(input.to) : sql`'infinity'::timestamptz`;
  const window = sql`make_interval(mins => ${input.windowMinutes}::int)`;
  const ofAccount = sql`tenant_id = ${tenantId} and action = 'LOGIN_FAILED' and actor_id = d.actor_id`;
  const dense = denseBuckets(input.windowMinutes, input.threshold);
  const failures = dense
    ? sql`with dense as (
        select actor_id, bucket_start, bucket_start - ${window} as lo, bucket_start + make_interval(mins => ${dense.minutes}::int) + ${window} as hi
        from login_failure_counts
        where tenant_id = ${tenantId} and bucket_minutes = ${dense.minutes}::int and failures >= 2 and failures >= ${dense.least}::int
          and bucket_start > ${from} - make_interval(mins => ${dense.minutes}::int) and bucket_start <= ${to}
      ), islands as (
        -- the spans around an account's dense buckets, overlapping ones joined (all are equally long)
        select actor_id, lo, hi, count(*) filter (where opens) over (partition by actor_id order by bucket_start) as island
        from (select *, coalesce(lo > lag(hi) over (partition by actor_id order by bucket_start), true) as opens from dense) s
      ), spans as (
        select actor_id, greatest(min(lo), ${from}) as lo, least(max(hi), ${to}) as hi from islands group by actor_id, island
      )
      select f.actor_id, f.occurred_at
      from spans s cross join lateral (
        select actor_id, occurred_at from audit_events
        where tenant_id = ${tenantId} and action = 'LOGIN_FAILED' and actor_id = s.actor_id and occurred_at >= s.lo and occurred_at <= s.hi) f`
    : sql`select actor_id, occurred_at
      from audit_events
      where tenant_id = ${tenantId} and action = 'LOGIN_FAILED' and actor_id is not null and occurred_at >= ${from} and occurred_at <= ${to}`;
  return sql<Row>`
    with failures as (${failures}), windows as (
      select actor_id, occurred_at as first_at,
        count(*) over w as failures,
        max(occurred_at) over w as last_at
      from failures
      window w as (partition by actor_id order by occurred_at range between current row and ${window} following)
    ), densest as (
      select distinct on (actor_id) actor_id, first_at, last_at, failures
      from windows where failures > ${input.threshold}
      order by actor_id, failures desc, first_at
    )
    select d.actor_id, d.failures, ${isoUtc('d.first_at')} as first_at, ${isoUtc('d.last_at')} as last_at,
      (select actor_name from audit_events where ${ofAccount} and occurred_at >= ${from} and occurred_at <= ${to}
       order by occurred_at desc, seq desc limit 1) as actor_name,
      array(select distinct ip from audit_events
            where ${ofAccount} and occurred_at between d.first_at and d.last_at and ip is not null
            order by ip) as ips
    from densest d
    order by d.failures desc, d.last_at desc`;
}
