import type { TExportManifest } from '@modula/contracts';
import { MAINTENANCE_ROLE } from '@modula/db';
import pg from 'pg';

export interface TRemoved {
  removed: number;
  fromSeq: number;
  toSeq: number;
  anchorHash: string;
}

/**
 * Calls remove_tenant_rows, the one function through which rows leave the log, as the maintenance
 * role: `maintenanceUrl` is a login granted that role (a dedicated one, or the owner's); the runtime's
 * login is refused by PostgreSQL (no EXECUTE), whatever this code does.
 */
export async function removeTenantRows(
  maintenanceUrl: string,
  tenantId: string,
  throughSeq: number,
  archive: TExportManifest,
  tombstone: object | null = null,
): Promise<TRemoved> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(`set local role ${MAINTENANCE_ROLE}`);
    const r = await client.query<{ r: { removed: number; fromSeq: number; toSeq: number; anchorHash: string } }>(
      'select remove_tenant_rows($1, $2, $3::jsonb, $4::jsonb) as r',
      [tenantId, throughSeq, JSON.stringify(archive), tombstone === null ? null : JSON.stringify(tombstone)],
    );
    await client.query('commit');
    const out = r.rows[0]!.r;
    return { removed: Number(out.removed), fromSeq: Number(out.fromSeq), toSeq: Number(out.toSeq), anchorHash: out.anchorHash };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
