import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dbOf, sql, withNoTenant, withTenantSnapshot, type Orm } from '@modula/db';
import { AppError } from '../app-error.ts';
import { createCheckpoint } from '../integrity/checkpoints.ts';
import { pinnedKeys } from '../integrity/pinned-keys.ts';
import type { TSigner } from '../integrity/signing-key.ts';
import { writeArchivePack } from './archive-pack.ts';
import { assertChainVerifies } from './verified-before-cut.ts';
import { removeTenantRows } from './remove-rows.ts';
import { signTombstone, type TTombstone } from './tombstone.ts';

export interface TOffboarding {
  tombstone: TTombstone;
  pack: { file: string; manifestFile: string };
  tombstoneFile: string;
}

/** Where the final pack and the tombstone are written unless the operator names a folder. */
export function offboardDir(dataDir: string, tenantId: string): string {
  return join(dataDir, 'offboarded', tenantId);
}

/**
 * Offboards a tenant: signs its chain head, writes the final signed pack of every event still stored
 * (to `outDir`: hand it to the tenant, keep a copy as long as the contract says), signs a tombstone
 * (tenant, seq range, final chain hash, the checkpoint, the pack's checksum, the time), then
 * remove_tenant_rows removes every row of the tenant from every table with a tenant_id and the
 * tenant itself, keeping only the tombstone. Ingest for the tenant must have stopped (its API keys
 * disabled): an event stored meanwhile moves the head and the function refuses.
 */
export async function offboardTenant(
  orm: Orm,
  maintenanceUrl: string,
  signer: TSigner,
  dataDir: string,
  tenantId: string,
  outDir?: string,
): Promise<TOffboarding> {
  const { keyring } = await pinnedKeys(orm, dataDir, signer);
  await assertChainVerifies(orm, tenantId, keyring, 'offboarding');
  const { checkpoint } = await createCheckpoint(orm, signer, tenantId, { onlyIfGrown: true, keyring });
  const info = await withTenantSnapshot(orm, tenantId, async (em) => {
    const db = dbOf(em);
    return (
      await sql<{ name: string; head: string | null; start: string }>`select t.name, (select seq from chain_heads where tenant_id = t.id) as head,
        coalesce((select max(seq) from chain_anchors where tenant_id = t.id), 0) as start from tenants t where t.id = ${tenantId}`.execute(db)
    ).rows[0];
  });
  if (!info) throw new AppError('NOT_FOUND', `no tenant ${tenantId}`);
  if (Number(info.head ?? 0) !== checkpoint.seq)
    throw new AppError('CONFLICT', `events arrived while offboarding (head ${info.head}, signed ${checkpoint.seq}): stop ingest and run again`);
  const dir = outDir ?? offboardDir(dataDir, tenantId);
  const pack = await writeArchivePack(orm, signer, keyring, tenantId, checkpoint, dir, 'offboarding-pack', null);
  const tombstone = signTombstone(signer, {
    v: 1,
    type: 'modula-audit/tombstone',
    tenantId,
    tenantName: info.name,
    fromSeq: Number(info.start) + 1,
    toSeq: checkpoint.seq,
    finalHash: checkpoint.hash,
    checkpoint,
    packExportId: pack.manifest.exportId,
    packSha256: pack.manifest.sha256,
    packRows: pack.manifest.rows,
    offboardedAt: new Date().toISOString(),
  });
  await removeTenantRows(maintenanceUrl, tenantId, checkpoint.seq, pack.manifest, tombstone);
  const tombstoneFile = join(dir, `modula-audit-tombstone-${tenantId}.json`);
  writeFileSync(tombstoneFile, `${JSON.stringify(tombstone, null, 2)}\n`, { mode: 0o640 });
  return { tombstone, pack: { file: pack.file, manifestFile: pack.manifestFile }, tombstoneFile };
}

/**
 * Refuses, before anything is recorded or made, a destructive command (offboarding, expiry) for a
 * tenant that is gone: one offboarded already (a second offboarding would queue its
 * TENANT_OFFBOARDING_STARTED for a tenant that no longer exists, which the worker quarantines under
 * the departed tenant's id; an expiry would say "removed 0") or an id that names none (a typo).
 */
export async function assertTenantPresent(orm: Orm, tenantId: string): Promise<void> {
  const tombstone = await storedTombstone(orm, tenantId);
  if (tombstone)
    throw new AppError(
      'CONFLICT',
      `tenant ${tenantId} (${tombstone.tenantName}) was already offboarded at ${tombstone.offboardedAt}: nothing was done (its tombstone: cli verify-tombstone --tenant ${tenantId})`,
    );
  const tenant = await withTenantSnapshot(orm, tenantId, async (em) => sql<{ id: string }>`select id from tenants where id = ${tenantId}`.execute(dbOf(em)));
  if (tenant.rows.length === 0) throw new AppError('NOT_FOUND', `no tenant ${tenantId}: nothing was done`);
}

/** The tombstone the database keeps for an offboarded tenant (readable by the runtime; no tenant policy). */
export async function storedTombstone(orm: Orm, tenantId: string): Promise<TTombstone | undefined> {
  const r = await withNoTenant(orm, (em) =>
    sql<{ tombstone: TTombstone }>`select tombstone from tenant_tombstones where tenant_id = ${tenantId}`.execute(dbOf(em)),
  );
  return r.rows[0]?.tombstone;
}
