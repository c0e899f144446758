import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * People, not ids; filters people use (issue 13, items 2 and 3).
 *
 * `event_actors`: every actor (by `actor_id`) the tenant's log has seen, with the name and role of
 * their latest event, when they were first and last seen and how many events they have. The
 * viewer's team-member picker (`actors.list`) reads this small table, never the log.
 *
 * `event_hour_counts`: how many events fell in each UTC clock hour, per branch, action, outcome,
 * reason, role and actor (module follows from the action). The timeline above the log
 * (`events.timeline`) sums it by day instead of counting the log; only the partial hours at the
 * ends of a range, and filters it does not cover (target, session, IP, device, search, …), are
 * counted from audit_events through their index.
 *
 * Both are derived data, fed by one statement trigger in the storing transaction (like
 * login_failure_counts): a sum and a latest-wins commute, so an offline till's late events simply
 * add to their hour. Row-level security confines the runtime to its tenant's rows, which it may
 * only read; nobody deletes or truncates them.
 *
 * Two indexes serve the IP and device filters' first page like every other filter's (leading with
 * tenant_id, ending with the list order); partial, so events without an IP or device cost nothing.
 */
export class Migration20261201110000_people_and_counts extends Migration {
  override name = 'Migration20261201110000_people_and_counts';

  override async up(): Promise<void> {
    this.addSql(`create table event_actors (
      tenant_id uuid not null references tenants(id),
      actor_id text not null,
      actor_type text not null,
      actor_name text,
      actor_role text,
      first_at timestamptz not null,
      last_at timestamptz not null,
      events bigint not null check (events >= 1),
      primary key (tenant_id, actor_id))`);
    this.addSql(
      `comment on table event_actors is 'Actors seen in audit_events per tenant, with the name and role of their latest event (trigger-fed); read by actors.list'`,
    );

    this.addSql(`create table event_hour_counts (
      tenant_id uuid not null references tenants(id),
      hour timestamptz not null,
      branch_id uuid,
      module text not null,
      action text not null,
      outcome text not null,
      reason text,
      actor_role text,
      actor_id text,
      events integer not null check (events >= 1))`);
    this.addSql(`create unique index event_hour_counts_key on event_hour_counts
      (tenant_id, hour, branch_id, action, outcome, reason, actor_role, actor_id) nulls not distinct`);
    this.addSql(
      `comment on table event_hour_counts is 'audit_events per tenant, UTC hour, branch, action, outcome, reason, role and actor (trigger-fed); summed by day by events.timeline'`,
    );

    for (const table of ['event_actors', 'event_hour_counts']) {
      // not forced: the owner's trigger must count every insert, also a superuser's COPY that sets
      // no tenant (as login_failure_counts); the runtime stays confined to its tenant
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`create policy ${table}_tenant on ${table}
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
      this.addSql(`revoke all on ${table} from public`);
      this.addSql(`grant select on ${table} to ${APP_ROLE}`);
      this.addSql(`create trigger ${table}_no_delete before delete on ${table} for each row execute function refuse_change()`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function refuse_change()`);
    }

    // once per storing statement (a batch is one insert), over the trigger's transition table
    this.addSql(`create function project_people_and_counts() returns trigger
      language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
      begin
        ${projectionSql('stored')};
        return null;
      end $$`);
    this.addSql(`revoke all on function project_people_and_counts() from public`);
    this.addSql(`create trigger audit_events_project_people_and_counts after insert on audit_events
      referencing new table as stored for each statement execute function project_people_and_counts()`);

    // what is already stored, by the same statements: audit_events obeys RLS even for its owner,
    // so tenant by tenant
    this.addSql(`do $$
      declare t uuid;
      begin
        for t in select id from tenants loop
          perform set_config('app.tenant_id', t::text, true);
          ${projectionSql('audit_events')};
        end loop;
        perform set_config('app.tenant_id', '', true);
      end $$`);

    this.addSql(`create index audit_events_by_ip on audit_events (tenant_id, ip, occurred_at desc, seq desc) where ip is not null`);
    this.addSql(`create index audit_events_by_device_time on audit_events (tenant_id, device_id, occurred_at desc, seq desc) where device_id is not null`);
  }
}

/**
 * The two upserts that project stored events (rows of `source`, shaped like audit_events) into
 * event_actors and event_hour_counts. An actor's name and role are those of their latest event that
 * has one (by occurredAt, then seq), whatever order the events arrive in.
 */
function projectionSql(source: string): string {
  return `with latest as (
      select distinct on (s.tenant_id, s.actor_id) s.tenant_id, s.actor_id, s.actor_type, s.occurred_at,
        first_value(s.actor_name) over (partition by s.tenant_id, s.actor_id order by (s.actor_name is null), s.occurred_at desc, s.seq desc) as actor_name,
        first_value(s.actor_role) over (partition by s.tenant_id, s.actor_id order by (s.actor_role is null), s.occurred_at desc, s.seq desc) as actor_role
      from ${source} s where s.actor_id is not null
      order by s.tenant_id, s.actor_id, s.occurred_at desc, s.seq desc),
    seen as (
      select tenant_id, actor_id, min(occurred_at) as first_at, count(*) as events
      from ${source} where actor_id is not null group by 1, 2)
    insert into event_actors as a (tenant_id, actor_id, actor_type, actor_name, actor_role, first_at, last_at, events)
      select l.tenant_id, l.actor_id, l.actor_type, l.actor_name, l.actor_role, g.first_at, l.occurred_at, g.events
      from latest l join seen g using (tenant_id, actor_id)
    on conflict (tenant_id, actor_id) do update set
      actor_type = case when excluded.last_at >= a.last_at then excluded.actor_type else a.actor_type end,
      actor_name = case when excluded.last_at >= a.last_at then coalesce(excluded.actor_name, a.actor_name) else coalesce(a.actor_name, excluded.actor_name) end,
      actor_role = case when excluded.last_at >= a.last_at then coalesce(excluded.actor_role, a.actor_role) else coalesce(a.actor_role, excluded.actor_role) end,
      first_at = least(a.first_at, excluded.first_at),
      last_at = greatest(a.last_at, excluded.last_at),
      events = a.events + excluded.events;
    insert into event_hour_counts as c (tenant_id, hour, branch_id, module, action, outcome, reason, actor_role, actor_id, events)
      select tenant_id, date_bin('1 hour', occurred_at, timestamptz '2000-01-01 00:00:00+00'), branch_id, min(module), action, outcome, reason, actor_role, actor_id, count(*)
      from ${source} group by tenant_id, 2, branch_id, action, outcome, reason, actor_role, actor_id
    on conflict (tenant_id, hour, branch_id, action, outcome, reason, actor_role, actor_id) do update set events = c.events + excluded.events`;
}
