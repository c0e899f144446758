import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { allTenantIds } from '../integrity/checkpoints.ts';
import { exportDir } from './build-export.ts';
import { databasePackStore, removeStrayChunks } from './database-pack-store.ts';
import type { TPackStoreKind } from './pack-store.ts';
import type { TPackStores } from './pack-stores.ts';

/**
 * Deletes the packs of READY exports built more than `retentionHours` ago, in every tenant, from
 * their store (database chunks, S3 object, or — packs built before issue 14 — this host's DATA_DIR),
 * and records when (`file_deleted_at`). The row, its SHA-256, signature and signed manifest and the
 * AUDIT_EXPORT_CREATED event stay: what was exported, when and by whom is still provable; only the
 * copy of the log is gone. A copy already missing counts as deleted. Copies no READY export names
 * (a build cut short by a killed worker) go too.
 */
export async function expireExportFiles(
  orm: Orm,
  dataDir: string,
  retentionHours: number,
  stores?: TPackStores,
): Promise<{ deleted: number; tenants: number; strayChunks: number }> {
  let deleted = 0;
  let strayChunks = 0;
  const tenants = await allTenantIds(orm);
  const storeOf = (kind: TPackStoreKind) => (stores ? stores.of(kind) : databasePackStore(orm));
  for (const tenantId of tenants) {
    for (;;) {
      const done = await withTenant(orm, tenantId, async (em) => {
        const db = dbOf(em);
        const rows = (
          await sql<{ id: string; file_name: string | null; store: TPackStoreKind | null; blob_id: string | null; object_key: string | null }>`
          select id, file_name, store, blob_id, object_key from exports
          where tenant_id = ${tenantId} and status = 'READY' and file_deleted_at is null
            and completed_at < now() - make_interval(secs => ${retentionHours * 3600})
          order by completed_at limit 500 for update skip locked`.execute(db)
        ).rows;
        for (const row of rows) {
          if (row.store) await storeOf(row.store).remove(tenantId, row.id, { store: row.store, blobId: row.blob_id, objectKey: row.object_key });
          else if (row.file_name) rmSync(join(exportDir(dataDir, tenantId), row.file_name), { force: true });
        }
        if (rows.length > 0) {
          await sql`update exports set file_deleted_at = now() where tenant_id = ${tenantId} and id = any(${rows.map((r) => r.id)}::uuid[])`.execute(db);
        }
        return rows.length;
      });
      deleted += done;
      if (done < 500) break;
    }
    strayChunks += await removeStrayChunks(orm, tenantId);
  }
  return { deleted, tenants: tenants.length, strayChunks };
}
