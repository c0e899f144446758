import { Migration } from '@mikro-orm/migrations';
import { REMOVE_TENANT_ROWS_KEEPING_IDS } from './Migration20261201162000_expired_event_ids.ts';

/**
 * A retention cut takes its events out of the viewer's projections too. event_hour_counts (the
 * timeline) and event_actors (the people picker) are fed by the insert trigger and were never told
 * of a cut: the timeline kept showing days of events the log no longer holds, and the picker people
 * with none left. remove_tenant_rows now subtracts the expired events from both, in the same
 * transaction as it deletes them; an hour or an actor left with none is removed (their tables
 * refuse a count below one). An actor's "first seen" stays when they were first seen.
 */
export class Migration20261202120000_expiry_updates_counts extends Migration {
  override name = 'Migration20261202120000_expiry_updates_counts';

  override async up(): Promise<void> {
    if (!REMOVE_TENANT_ROWS_KEEPING_IDS.includes(ANCHOR)) throw new Error('remove_tenant_rows changed: update this migration');
    this.addSql(REMOVE_TENANT_ROWS_KEEPING_IDS.replace(ANCHOR, `${SUBTRACT_EXPIRED}\n    ${ANCHOR}`));
  }
}

/** Where the cut deletes its events, after copying their ids: the projections are updated just before. */
const ANCHOR = 'delete from audit_event_search where tenant_id = p_tenant and seq <= p_through_seq;';

/** The same keys and hour as the insert trigger's projection (Migration20261201110000_people_and_counts). */
const HOUR_KEYS = ['branch_id', 'action', 'outcome', 'reason', 'actor_role', 'actor_id'];
const sameHour = ['c.hour = g.hour', ...HOUR_KEYS.map((k) => `c.${k} is not distinct from g.${k}`)].join(' and ');

// one statement each: the delete and the update touch different rows (a count the cut empties, one it only lowers)
const SUBTRACT_EXPIRED = `with gone as (
      select date_bin('1 hour', occurred_at, timestamptz '2000-01-01 00:00:00+00') as hour, ${HOUR_KEYS.join(', ')}, count(*) as n
      from audit_events where tenant_id = p_tenant and seq <= p_through_seq group by 1, ${HOUR_KEYS.join(', ')}),
    emptied as (
      delete from event_hour_counts c using gone g where c.tenant_id = p_tenant and ${sameHour} and c.events <= g.n returning 1)
    update event_hour_counts c set events = c.events - g.n from gone g where c.tenant_id = p_tenant and ${sameHour} and c.events > g.n;
    with gone as (
      select actor_id, count(*) as n from audit_events where tenant_id = p_tenant and seq <= p_through_seq and actor_id is not null group by actor_id),
    emptied as (
      delete from event_actors a using gone g where a.tenant_id = p_tenant and a.actor_id = g.actor_id and a.events <= g.n returning 1)
    update event_actors a set events = a.events - g.n from gone g where a.tenant_id = p_tenant and a.actor_id = g.actor_id and a.events > g.n;`;
