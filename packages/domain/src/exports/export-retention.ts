import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { allTenantIds } from '../integrity/checkpoints.ts';
import { exportDir } from './build-export.ts';

/**
 * Deletes the files of READY exports built more than `retentionHours` ago, in every tenant, and
 * records when (`file_deleted_at`). The row, its SHA-256 and signature, the signed manifest beside
 * the file and the AUDIT_EXPORT_CREATED event stay: what was exported, when and by whom is still
 * provable; only the copy of the log is gone. A file already missing counts as deleted.
 */
export async function expireExportFiles(orm: Orm, dataDir: string, retentionHours: number): Promise<{ deleted: number; tenants: number }> {
  let deleted = 0;
  const tenants = await allTenantIds(orm);
  for (const tenantId of tenants) {
    for (;;) {
      const done = await withTenant(orm, tenantId, async (em) => {
        const db = dbOf(em);
        const rows = (
          await sql<{ id: string; file_name: string | null }>`select id, file_name from exports
          where tenant_id = ${tenantId} and status = 'READY' and file_deleted_at is null
            and completed_at < now() - make_interval(secs => ${retentionHours * 3600})
          order by completed_at limit 500 for update skip locked`.execute(db)
        ).rows;
        for (const row of rows) {
          if (row.file_name) rmSync(join(exportDir(dataDir, tenantId), row.file_name), { force: true });
        }
        if (rows.length > 0) {
          await sql`update exports set file_deleted_at = now() where tenant_id = ${tenantId} and id = any(${rows.map((r) => r.id)}::uuid[])`.execute(db);
        }
        return rows.length;
      });
      deleted += done;
      if (done < 500) break;
    }
  }
  return { deleted, tenants: tenants.length };
}
