import { Migration } from '@mikro-orm/migrations';

/**
 * The stream sweep hands out at most `p_limit` due destinations a run. It returned them in tenant
 * order, so with more due destinations than that — busy tenants whose streams are behind at every
 * sweep — the tenants after the first `p_limit` were never handed out: their streams starved. The
 * due destinations are now returned least recently served first (the later of their last delivery
 * and last failure; never served: their creation), so every due destination is handed out within
 * a few sweeps whatever its tenant's id.
 */
export class Migration20261202100000_fair_stream_sweep extends Migration {
  override name = 'Migration20261202100000_fair_stream_sweep';

  override async up(): Promise<void> {
    // chain_heads' row-level security is forced, also on this definer: it sets the tenant of each
    // destination in turn (transaction-local, restored at the end) to read that tenant's head.
    this.addSql(`create or replace function stream_destinations_due(p_limit int) returns table (tenant_id uuid, id uuid)
      language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp as $$
      declare
        d record;
        head bigint;
        previous text := current_setting('app.tenant_id', true);
        tids uuid[] := '{}';
        heads bigint[] := '{}';
      begin
        -- the heads first, tenant by tenant (array_append on a variable is amortised O(1))
        for d in select distinct s.tenant_id as tid from stream_destinations s where s.status = 'ACTIVE' loop
          perform set_config('app.tenant_id', d.tid::text, true);
          select h.seq into head from chain_heads h where h.tenant_id = d.tid;
          if head is not null then
            tids := array_append(tids, d.tid);
            heads := array_append(heads, head);
          end if;
        end loop;
        perform set_config('app.tenant_id', coalesce(previous, ''), true);
        -- then one query over every tenant's due destinations (row-level security is not forced
        -- on stream_destinations: its owner, this definer, reads them all)
        return query
          select s.tenant_id, s.id from stream_destinations s join unnest(tids, heads) as h(t, head_seq) on s.tenant_id = h.t
           where s.status = 'ACTIVE' and s.cursor_seq < h.head_seq
             and (s.next_attempt_at is null or s.next_attempt_at <= now())
             and (s.lease_until is null or s.lease_until < now())
           order by coalesce(greatest(s.last_delivery_at, s.last_error_at), s.created_at), s.tenant_id, s.id
           limit p_limit;
      end $$`);
    this.addSql(
      `comment on function stream_destinations_due(int) is 'Active log streams behind their tenant''s chain head and not waiting (backoff) nor held (lease), least recently served first: ids only, for the stream worker''s sweep'`,
    );
  }
}
