import { Migration } from '@mikro-orm/migrations';

/**
 * Resource limits per tenant: exports.create counts a tenant's PENDING exports and its exports of
 * the current UTC day; the worker deletes a pack's file after EXPORT_RETENTION_HOURS and records
 * when (the row, its manifest and signature stay).
 */
export class Migration20261201040000_tenant_limits extends Migration {
  override name = 'Migration20261201040000_tenant_limits';

  override async up(): Promise<void> {
    this.addSql('alter table exports add column file_deleted_at timestamptz');
    this.addSql(
      `comment on column exports.file_deleted_at is 'When the worker deleted the pack file (EXPORT_RETENTION_HOURS after completed_at); the manifest, signature and row stay'`,
    );
    this.addSql('create index exports_by_created on exports (tenant_id, created_at)');
    this.addSql(`create index exports_pending on exports (tenant_id) where status = 'PENDING'`);
    this.addSql(`create index exports_files_kept on exports (tenant_id, completed_at) where status = 'READY' and file_deleted_at is null`);
  }
}
