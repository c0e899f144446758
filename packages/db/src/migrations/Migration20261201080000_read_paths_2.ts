import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Suspicious sign-ins over all time as fast as a first page (issue 15, item 9).
 *
 * insights.failedLogins reported accounts with more than `threshold` LOGIN_FAILED inside some
 * window of `windowMinutes` by running a window function over every failure of the tenant (an
 * index-only scan of audit_events_failed_logins, then a count per failure): 0.5 s at 62 500
 * failures among 2 M events, growing with the log.
 *
 * `login_failure_counts` keeps, per account, how many LOGIN_FAILED fell in each clock hour and in
 * each UTC day (buckets of 60 and 1440 minutes). A trigger adds each stored batch's failures in the
 * storing transaction (a sum commutes, so an offline till's late failures simply add to their
 * bucket). A window of W minutes touches at most ceil(W/B) + 1 buckets of B minutes, so an account
 * with more than `threshold` failures in it has a bucket holding at least
 * ceil((threshold + 1) / (ceil(W/B) + 1)) of them. The read asks the partial index below for such
 * buckets — a handful, where most accounts fail now and then — and runs the same window function
 * over the failures around them only (see packages/domain/src/read/failed-logins.ts for why the
 * answer is unchanged).
 *
 * The counts are derived data, not the record: row-level security confines the runtime to its
 * tenant's, which it may read and nothing else; they can be neither deleted nor truncated; only the
 * trigger (security definer, the owner) adds to them.
 */
export class Migration20261201080000_read_paths_2 extends Migration {
  override name = 'Migration20261201080000_read_paths_2';

  override async up(): Promise<void> {
    this.addSql(`create table login_failure_counts (
      tenant_id uuid not null references tenants(id),
      bucket_minutes integer not null check (bucket_minutes in (60, 1440)),
      actor_id text not null,
      bucket_start timestamptz not null,
      failures integer not null check (failures >= 1),
      primary key (tenant_id, bucket_minutes, actor_id, bucket_start))`);
    this.addSql(
      `comment on table login_failure_counts is 'LOGIN_FAILED of audit_events per account and clock hour / UTC day (trigger-fed); read by insights.failedLogins to find dense windows'`,
    );
    // only buckets with two or more failures can point at a dense window (the read falls back to
    // every failure when its bound is 1), and they are the few
    this.addSql(`create index login_failure_counts_dense on login_failure_counts (tenant_id, bucket_minutes, failures)
      include (actor_id, bucket_start) where failures >= 2`);

    // not forced: the owner's trigger must add the counts of every insert, also of a superuser's
    // COPY that sets no tenant (pnpm bench's COPY limit); the runtime is confined to its tenant
    this.addSql('alter table login_failure_counts enable row level security');
    this.addSql(`create policy login_failure_counts_tenant on login_failure_counts
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    this.addSql('revoke all on login_failure_counts from public');
    this.addSql(`grant select on login_failure_counts to ${APP_ROLE}`);
    this.addSql(`create trigger login_failure_counts_no_delete before delete on login_failure_counts for each row execute function refuse_change()`);
    this.addSql(`create trigger login_failure_counts_no_truncate before truncate on login_failure_counts for each statement execute function refuse_change()`);

    // once per storing statement (a batch is one insert), like copy_event_search
    this.addSql(`create function count_login_failures() returns trigger
      language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
      begin
        insert into login_failure_counts as c (tenant_id, bucket_minutes, actor_id, bucket_start, failures)
          select s.tenant_id, b.minutes, s.actor_id,
            date_bin(make_interval(mins => b.minutes), s.occurred_at, timestamptz '2000-01-01 00:00:00+00'), count(*)
          from stored s cross join (values (60), (1440)) as b(minutes)
          where s.action = 'LOGIN_FAILED' and s.actor_id is not null
          group by 1, 2, 3, 4
          on conflict (tenant_id, bucket_minutes, actor_id, bucket_start) do update set failures = c.failures + excluded.failures;
        return null;
      end $$`);
    this.addSql(`revoke all on function count_login_failures() from public`);
    this.addSql(`create trigger audit_events_count_login_failures after insert on audit_events
      referencing new table as stored for each statement execute function count_login_failures()`);

    // what is already stored: audit_events obeys RLS even for its owner, so tenant by tenant
    this.addSql(`do $$
      declare t uuid;
      begin
        for t in select id from tenants loop
          perform set_config('app.tenant_id', t::text, true);
          insert into login_failure_counts (tenant_id, bucket_minutes, actor_id, bucket_start, failures)
            select e.tenant_id, b.minutes, e.actor_id,
              date_bin(make_interval(mins => b.minutes), e.occurred_at, timestamptz '2000-01-01 00:00:00+00'), count(*)
            from audit_events e cross join (values (60), (1440)) as b(minutes)
            where e.tenant_id = t and e.action = 'LOGIN_FAILED' and e.actor_id is not null
            group by 1, 2, 3, 4;
        end loop;
        perform set_config('app.tenant_id', '', true);
      end $$`);
  }
}
