import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';
import { REMOVE_TENANT_ROWS } from './Migration20261201161000_retention_offboarding.ts';
import { TENANT_PARTITIONS } from './Migration20261201160000_partition_by_tenant.ts';

/**
 * Dedupe forever, also after retention: `expired_events` keeps (tenant_id, event_id, content hash,
 * seq) of every event retention removed — about 100 bytes an event instead of 2.3 KB — and the
 * worker's dedupe reads it beside the log, so a till resending an event whose row expired gets the
 * same verdict as before (the same content: a no-op; other content: DUPLICATE_CONFLICT) instead of
 * a second copy. Filled by remove_tenant_rows in the same statement order (copied, then deleted);
 * partitioned like the log; append-only; removed only by offboarding (it has a tenant_id).
 */
export class Migration20261201162000_expired_event_ids extends Migration {
  override name = 'Migration20261201162000_expired_event_ids';

  override async up(): Promise<void> {
    this.addSql(`create table expired_events (
      tenant_id uuid not null,
      event_id uuid not null,
      content_hash bytea not null,
      seq bigint not null,
      primary key (tenant_id, event_id)) partition by hash (tenant_id)`);
    this.addSql(
      `comment on table expired_events is 'Ids and content hashes of events removed by retention: dedupe holds forever (README "Retention per tenant")'`,
    );
    for (let i = 0; i < TENANT_PARTITIONS; i++) {
      const part = `expired_events_p${String(i).padStart(2, '0')}`;
      this.addSql(`create table ${part} partition of expired_events for values with (modulus ${TENANT_PARTITIONS}, remainder ${i})`);
      this.addSql(`create trigger ${part}_no_truncate before truncate on ${part} for each statement execute function refuse_change()`);
      this.addSql(`alter table ${part} enable row level security`);
      this.addSql(`alter table ${part} force row level security`);
      this.addSql(`create policy expired_events_tenant on ${part}
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
      this.addSql(`revoke all on ${part} from public`);
    }
    this.addSql('create trigger expired_events_no_update_delete before update or delete on expired_events for each row execute function refuse_change()');
    this.addSql('create trigger expired_events_no_truncate before truncate on expired_events for each statement execute function refuse_change()');
    this.addSql('alter table expired_events enable row level security');
    this.addSql('alter table expired_events force row level security');
    this.addSql(`create policy expired_events_tenant on expired_events
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    this.addSql('revoke all on expired_events from public');
    this.addSql(`grant select on expired_events to ${APP_ROLE}`);
    this.addSql(REMOVE_TENANT_ROWS_KEEPING_IDS);
  }
}

const copyThenDelete = `insert into expired_events (tenant_id, event_id, content_hash, seq)
      select tenant_id, event_id, decode(content_hash, 'hex'), seq from audit_events where tenant_id = p_tenant and seq <= p_through_seq;
    delete from audit_event_search where tenant_id = p_tenant and seq <= p_through_seq;`;
const anchor = 'delete from audit_event_search where tenant_id = p_tenant and seq <= p_through_seq;';
if (!REMOVE_TENANT_ROWS.includes(anchor)) throw new Error('remove_tenant_rows changed: update this migration');
/** remove_tenant_rows as this migration leaves it (a later one that changes it starts from this text). */
export const REMOVE_TENANT_ROWS_KEEPING_IDS = REMOVE_TENANT_ROWS.replace('create function', 'create or replace function').replace(anchor, copyThenDelete);
