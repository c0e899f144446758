import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Two read paths that the indexes of the auth migration left slow at millions of events.
 *
 * 1. Search that an index can serve under row-level security.
 * The trigram index of the auth migration was never used by the runtime role: under RLS the
 * planner may only make index conditions of leakproof operators (so that a condition cannot leak
 * rows of the policy's hidden side), and `ILIKE` is not leakproof; marking it so needs a
 * superuser. So the searchable text of each event is copied, by a trigger in the storing
 * transaction, into `audit_event_search`: a table without RLS that no runtime role can read, which
 * the runtime reaches only through `search_event_seqs`, a security-definer function confined to
 * the tenant of `app.tenant_id` (the pattern of branch_directory / claim_branch).
 *
 * 2. Suspicious sign-ins (insights.failedLogins) read every LOGIN_FAILED of a tenant in account and
 * time order: a partial index covering what that query reads makes it an index-only scan in the
 * window function's order (1.4 s → 0.05 s over 47 000 failures at 2 M events). Only LOGIN_FAILED
 * rows pay for it.
 */
export class Migration20261122045000_read_paths extends Migration {
  override name = 'Migration20261122045000_read_paths';

  override async up(): Promise<void> {
    this.addSql('drop index if exists audit_events_search');
    this.addSql(`create table audit_event_search (
      tenant_id uuid not null,
      seq bigint not null,
      description text not null,
      entity_label text,
      actor_name text,
      -- no foreign key: the trigger below writes it with its event, and a key check per row would
      -- tax every ingest
      primary key (tenant_id, seq))`);
    this.addSql(`comment on table audit_event_search is 'Searchable text of audit_events (trigger-fed, append-only); read only through search_event_seqs()'`);
    // no tenant_id in the trigram index: GIN has no order to lead with, and a tenant's entry would be
    // a posting list as long as its whole log, intersected on every search; the tenant is rechecked
    this.addSql(`create index audit_event_search_trgm on audit_event_search using gin
      (description gin_trgm_ops, entity_label gin_trgm_ops, actor_name gin_trgm_ops)`);
    this.addSql(`revoke all on audit_event_search from public`);
    this.addSql(
      `create trigger audit_event_search_no_update_delete before update or delete on audit_event_search for each row execute function refuse_change()`,
    );
    this.addSql(`create trigger audit_event_search_no_truncate before truncate on audit_event_search for each statement execute function refuse_change()`);

    // fed in the transaction that stores the events, once per statement (a batch is one insert)
    this.addSql(`create function copy_event_search() returns trigger
      language plpgsql security definer set search_path = public as $$
      begin
        insert into audit_event_search (tenant_id, seq, description, entity_label, actor_name)
          select tenant_id, seq, description, entity_label, actor_name from stored;
        return null;
      end $$`);
    this.addSql(`revoke all on function copy_event_search() from public`);
    this.addSql(`create trigger audit_events_copy_search after insert on audit_events
      referencing new table as stored for each statement execute function copy_event_search()`);

    // what is already stored: audit_events obeys RLS even for its owner, so tenant by tenant
    this.addSql(`do $$
      declare t uuid;
      begin
        for t in select id from tenants loop
          perform set_config('app.tenant_id', t::text, true);
          insert into audit_event_search (tenant_id, seq, description, entity_label, actor_name)
            select tenant_id, seq, description, entity_label, actor_name from audit_events where tenant_id = t;
        end loop;
        perform set_config('app.tenant_id', '', true);
      end $$`);

    this.addSql(`create function search_event_seqs(p_pattern text, p_max integer) returns setof bigint
      language plpgsql stable security definer set search_path = public as $$
      declare
        v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
      begin
        if v_tenant is null then return; end if;
        -- planned with the pattern's value, so the trigram index is chosen for what it is
        return query execute 'select seq from audit_event_search
          where tenant_id = $1 and (description ilike $2 or entity_label ilike $2 or actor_name ilike $2)
          limit $3' using v_tenant, p_pattern, p_max;
      end $$`);
    this.addSql(
      `comment on function search_event_seqs(text, integer) is 'Up to p_max seqs of the current tenant''s events whose description, entity label or actor name is ILIKE p_pattern'`,
    );
    this.addSql(`revoke all on function search_event_seqs(text, integer) from public`);
    this.addSql(`grant execute on function search_event_seqs(text, integer) to ${APP_ROLE}`);

    this.addSql(`create index audit_events_failed_logins on audit_events (tenant_id, actor_id, occurred_at)
      include (seq, ip, actor_name) where action = 'LOGIN_FAILED'`);
  }
}
