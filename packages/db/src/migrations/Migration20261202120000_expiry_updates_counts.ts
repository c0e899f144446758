import { Migration } from '@mikro-orm/migrations';
import { REMOVE_TENANT_ROWS_KEEPING_IDS } from './Migration20261201162000_expired_event_ids.ts';

/**
 * A retention cut takes its events out of the viewer's projections too. event_hour_counts (the
 * timeline) and event_actors (the people picker) are fed by the insert trigger and were never told
 * of a cut: the timeline kept showing days of events the log no longer holds, and the picker people
 * with none left. remove_tenant_rows now subtracts the expired events from both, in the same
 * transaction as it deletes them; an hour or an actor left with none is removed (their tables
 * refuse a count below one). An actor's "first seen" stays when they were first seen.
 *
 * Storing runs beside a cut and adds to the same rows. The cut reads what it takes out before its
 * rows go, deletes them, and only then locks the tenant's chain head — which every store takes
 * first — to write the counts: no store of the tenant runs between the counts read and written,
 * and stores wait for those few statements only, not for the whole cut. Two cuts of one tenant
 * run one after the other (a transaction lock on the tenant): the second sees the first's anchor.
 */
export class Migration20261202120000_expiry_updates_counts extends Migration {
  override name = 'Migration20261202120000_expiry_updates_counts';

  override async up(): Promise<void> {
    this.addSql(REMOVE_TENANT_ROWS_WITH_COUNTS);
  }
}

/** The same keys and hour as the insert trigger's projection (Migration20261201110000_people_and_counts). */
const HOUR_COLUMNS = 'hour timestamptz, branch_id uuid, action text, outcome text, reason text, actor_role text, actor_id text, n bigint';
const sameHour = ['hour', 'branch_id', 'action', 'outcome', 'reason', 'actor_role', 'actor_id'].map((k) => `c.${k} is not distinct from g.${k}`).join(' and ');

const EDITS: [string, string][] = [
  ['  left_over text[];\nbegin', '  left_over text[];\n  hours_gone jsonb;\n  actors_gone jsonb;\nbegin'],
  [
    "  perform set_config('app.tenant_id', p_tenant::text, true);",
    `  perform set_config('app.tenant_id', p_tenant::text, true);
  perform pg_advisory_xact_lock(hashtextextended('remove_tenant_rows ' || p_tenant::text, 0));`,
  ],
  [
    'delete from audit_event_search where tenant_id = p_tenant and seq <= p_through_seq;',
    `-- what the cut takes out of the viewer's counts, read before its rows go
    select coalesce(jsonb_agg(g), '[]') into hours_gone from (
      select date_bin('1 hour', occurred_at, timestamptz '2000-01-01 00:00:00+00') as hour, branch_id, action, outcome, reason, actor_role, actor_id,
        count(*) as n
      from audit_events where tenant_id = p_tenant and seq <= p_through_seq group by 1, 2, 3, 4, 5, 6, 7) g;
    select coalesce(jsonb_agg(g), '[]') into actors_gone from (
      select actor_id, count(*) as n from audit_events where tenant_id = p_tenant and seq <= p_through_seq and actor_id is not null group by actor_id) g;
    delete from audit_event_search where tenant_id = p_tenant and seq <= p_through_seq;`,
  ],
  [
    `    delete from audit_events where tenant_id = p_tenant and seq <= p_through_seq;
    get diagnostics n = row_count;`,
    `    delete from audit_events where tenant_id = p_tenant and seq <= p_through_seq;
    get diagnostics n = row_count;
    -- every store takes the chain head first: holding it, none runs between the counts read and written
    perform 1 from chain_heads where tenant_id = p_tenant for update;
    delete from event_hour_counts c using jsonb_to_recordset(hours_gone) as g(${HOUR_COLUMNS})
      where c.tenant_id = p_tenant and ${sameHour} and c.events <= g.n;
    update event_hour_counts c set events = c.events - g.n from jsonb_to_recordset(hours_gone) as g(${HOUR_COLUMNS})
      where c.tenant_id = p_tenant and ${sameHour} and c.events > g.n;
    delete from event_actors a using jsonb_to_recordset(actors_gone) as g(actor_id text, n bigint)
      where a.tenant_id = p_tenant and a.actor_id = g.actor_id and a.events <= g.n;
    update event_actors a set events = a.events - g.n from jsonb_to_recordset(actors_gone) as g(actor_id text, n bigint)
      where a.tenant_id = p_tenant and a.actor_id = g.actor_id and a.events > g.n;`,
  ],
];

/** remove_tenant_rows as this migration leaves it (a later one that changes it starts from this text). */
export const REMOVE_TENANT_ROWS_WITH_COUNTS = EDITS.reduce((text, [anchor, replacement]) => {
  if (!text.includes(anchor)) throw new Error(`remove_tenant_rows changed (no "${anchor}"): update this migration`);
  return text.replace(anchor, replacement);
}, REMOVE_TENANT_ROWS_KEEPING_IDS);
