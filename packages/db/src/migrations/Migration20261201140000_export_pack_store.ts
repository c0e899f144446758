import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Issue 14, item 1: export packs in a store every server reaches. The embedded default is the
 * database itself: a pack's bytes in rows of at most 1 MiB (`export_pack_chunks`), written and read
 * one row at a time so neither the worker nor the server holds a whole pack in memory.
 *
 * Rows rather than large objects: a large object has no tenant column, so row-level security cannot
 * isolate it, it needs its own grants per object and an `lo_unlink` to go (orphans otherwise), and
 * node-postgres has no streaming API for it. Chunk rows get the same tenant policy as every table,
 * are removed by a DELETE, and stream by primary key.
 *
 * - `blob_id` names one build attempt's copy: two attempts of the same export (a job re-run after its
 *   worker was killed) never mix their chunks; the one that marks the export READY names its copy in
 *   `exports.blob_id`, and the sweep removes the other.
 * - `data` is stored without compression (STORAGE EXTERNAL): a PDF is deflated already, and a CSV's
 *   size is what its manifest says; compressing each MiB would cost the build CPU for little.
 * - The runtime may read, add and delete its tenant's chunks (the retention sweep deletes them), never
 *   change one.
 * - `exports.store` says where a READY pack's bytes are: `database`, `s3` (object key in
 *   `exports.object_key`), or null for packs built before (files in the building host's DATA_DIR,
 *   still served by a server that has them). `exports.manifest` keeps the signed manifest's text, so
 *   any server serves it.
 */
export class Migration20261201140000_export_pack_store extends Migration {
  override name = 'Migration20261201140000_export_pack_store';

  override async up(): Promise<void> {
    this.addSql(`create table export_pack_chunks (
      tenant_id uuid not null,
      export_id uuid not null,
      blob_id uuid not null,
      n integer not null check (n >= 0),
      data bytea not null check (octet_length(data) between 1 and 1048576),
      primary key (tenant_id, export_id, blob_id, n),
      foreign key (tenant_id, export_id) references exports (tenant_id, id) on delete cascade)`);
    this.addSql('alter table export_pack_chunks alter column data set storage external');
    this.addSql('alter table export_pack_chunks enable row level security');
    this.addSql('alter table export_pack_chunks force row level security');
    this.addSql(`create policy export_pack_chunks_tenant on export_pack_chunks
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    this.addSql('revoke all on export_pack_chunks from public');
    this.addSql(`grant select, insert, delete on export_pack_chunks to ${APP_ROLE}`);
    this.addSql(
      `comment on table export_pack_chunks is 'Bytes of export packs kept in the database (EXPORT_STORE=database, the default): chunk n of the copy blob_id, at most 1 MiB each'`,
    );
    this.addSql(`alter table exports add column store text check (store in ('database', 's3'))`);
    this.addSql('alter table exports add column blob_id uuid');
    this.addSql('alter table exports add column object_key text');
    this.addSql('alter table exports add column bytes bigint');
    this.addSql('alter table exports add column manifest text');
    this.addSql(
      `comment on column exports.store is 'Where a READY pack''s bytes are: database (export_pack_chunks of blob_id), s3 (object_key), or null: a file in the DATA_DIR of the host that built it (before issue 14)'`,
    );
    this.addSql(`comment on column exports.manifest is 'The signed manifest, as served at /exports/<id>/manifest (null for packs built before issue 14)'`);
  }
}
