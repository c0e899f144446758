import type { TFailedLoginsOutput } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { isoUtc } from './event-view.ts';

interface Row { actor_id: string; actor_name: string | null; failures: string; first_at: string; last_at: string; ips: string[] }

/**
 * Accounts with more than `threshold` LOGIN_FAILED inside one window of `windowMinutes`: for each
 * failure, a window function counts the account's failures from it to `windowMinutes` later; the
 * densest such window of each account is reported with its first and last failure and its IPs.
 */
export async function findFailedLogins(orm: Orm, tenantId: string, input: { from?: string | undefined; to?: string | undefined; windowMinutes: number; threshold: number }): Promise<TFailedLoginsOutput['items']> {
  const rows = await withTenant(orm, tenantId, async (em) => (await sql<Row>`
    with failures as (
      select actor_id, actor_name, occurred_at, seq, ip
      from audit_events
      where tenant_id = ${tenantId} and action = 'LOGIN_FAILED' and actor_id is not null
        and occurred_at >= coalesce(${input.from ?? null}::timestamptz, '-infinity')
        and occurred_at <= coalesce(${input.to ?? null}::timestamptz, 'infinity')
    ), windows as (
      select actor_id, occurred_at as first_at,
        count(*) over w as failures,
        max(occurred_at) over w as last_at
      from failures
      window w as (partition by actor_id order by occurred_at
        range between current row and make_interval(mins => ${input.windowMinutes}::int) following)
    ), densest as (
      select distinct on (actor_id) actor_id, first_at, last_at, failures
      from windows where failures > ${input.threshold}
      order by actor_id, failures desc, first_at
    )
    select d.actor_id, d.failures, ${isoUtc('d.first_at')} as first_at, ${isoUtc('d.last_at')} as last_at,
      (select f.actor_name from failures f where f.actor_id = d.actor_id order by f.occurred_at desc, f.seq desc limit 1) as actor_name,
      array(select distinct f.ip from failures f
            where f.actor_id = d.actor_id and f.occurred_at between d.first_at and d.last_at and f.ip is not null
            order by f.ip) as ips
    from densest d
    order by d.failures desc, d.last_at desc`.execute(dbOf(em))).rows);
  return rows.map((r) => ({
    actorId: r.actor_id,
    actorName: r.actor_name,
    failures: Number(r.failures),
    firstAt: r.first_at,
    lastAt: r.last_at,
    ips: r.ips,
  }));
}
