import type { TCheckpoint } from '@modula/contracts';
import { dbOf, sql, withTenant, withTenantSnapshot, type Orm } from '@modula/db';
import { AppError } from '../app-error.ts';
import type { TPackStore } from '../exports/pack-store.ts';
import { createCheckpoint } from '../integrity/checkpoints.ts';
import { pinnedKeys } from '../integrity/pinned-keys.ts';
import type { TSigner } from '../integrity/signing-key.ts';
import { archiveDir, writeArchivePack } from './archive-pack.ts';
import { assertChainVerifies } from './verified-before-cut.ts';
import { removeTenantRows } from './remove-rows.ts';

export interface TRetentionSetting {
  tenantId: string;
  keepDays: number | null;
  previous: number | null;
}

/** Sets how long the tenant's events are kept (null: for the whole subscription, the default). */
export async function setTenantRetention(orm: Orm, tenantId: string, keepDays: number | null): Promise<TRetentionSetting> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const before = (await sql<{ retention_days: number | null }>`select retention_days from tenants where id = ${tenantId}`.execute(db)).rows[0];
    if (!before) throw new AppError('NOT_FOUND', `no tenant ${tenantId}`);
    await sql`update tenants set retention_days = ${keepDays} where id = ${tenantId}`.execute(db);
    return { tenantId, keepDays, previous: before.retention_days };
  });
}

/**
 * The last seq that has expired: the events are cut in chain order, so the cut is the event before the
 * first one received within the retention period (received_at, the acceptance time, grows with seq;
 * occurred_at does not — offline tills send late). Null when nothing expires.
 */
export async function expiredThrough(orm: Orm, tenantId: string, now = new Date()): Promise<number | null> {
  return withTenantSnapshot(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const r = (
      await sql<{ days: number | null; head: string | null; start: string; first_kept: string | null }>`select t.retention_days as days,
        (select seq from chain_heads where tenant_id = t.id) as head,
        coalesce((select max(seq) from chain_anchors where tenant_id = t.id), 0) as start,
        (select min(seq) from audit_events where tenant_id = t.id and received_at >= ${now.toISOString()}::timestamptz - make_interval(days => t.retention_days)) as first_kept
      from tenants t where t.id = ${tenantId}`.execute(db)
    ).rows[0];
    if (!r || r.days === null || r.head === null) return null;
    const through = r.first_kept === null ? Number(r.head) : Number(r.first_kept) - 1;
    return through > Number(r.start) ? through : null;
  });
}

/** The first seq the tenant's log still holds: the newest anchor's + 1 (1 before any cut). */
async function chainStart(orm: Orm, tenantId: string): Promise<number> {
  return withTenantSnapshot(orm, tenantId, async (em) => {
    const r = await sql<{ start: string }>`select coalesce(max(seq), 0) + 1 as start from chain_anchors where tenant_id = ${tenantId}`.execute(dbOf(em));
    return Number(r.rows[0]!.start);
  });
}

export interface TExpiry {
  tenantId: string;
  fromSeq: number;
  toSeq: number;
  removed: number;
  checkpoint: TCheckpoint;
  archive: { file: string; manifestFile: string; sha256: string; rows: number; exportId: string };
  seconds: { checkpoint: number; archive: number; remove: number };
}

/**
 * Expires a prefix of the tenant's chain, up to `throughSeq` (default: what its retention period says):
 * 0. the whole chain verified (nothing is cut from a broken one), 1. a signed checkpoint at the cut
 * (made if none is there), 2. a signed archive pack of exactly the
 * events that go, 3. remove_tenant_rows as the maintenance role, which checks both and records the
 * anchor verify-chain starts from. Null when nothing expires.
 */
export async function expireTenantPrefix(
  orm: Orm,
  maintenanceUrl: string,
  signer: TSigner,
  dataDir: string,
  tenantId: string,
  throughSeq?: number,
  store?: TPackStore,
): Promise<TExpiry | null> {
  const cut = throughSeq ?? (await expiredThrough(orm, tenantId));
  if (cut === null || cut < 1) return null;
  // a cut at or below the last anchor: its events are gone, so the walk of step 1 would call the
  // honest chain broken at seq 1 (and a cut at the anchor would sign an empty archive first)
  const start = await chainStart(orm, tenantId);
  if (cut < start) throw new AppError('CONFLICT', `events up to ${cut} are already removed (the chain starts at ${start}): nothing was done`);
  let t = performance.now();
  const { keyring } = await pinnedKeys(orm, dataDir, signer);
  await assertChainVerifies(orm, tenantId, keyring, `expiring events through ${cut}`);
  const { checkpoint } = await createCheckpoint(orm, signer, tenantId, { atSeq: cut, keyring });
  const checkpointSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const pack = await writeArchivePack(orm, signer, keyring, tenantId, checkpoint, archiveDir(dataDir, tenantId), 'retention-archive', store);
  const archiveSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const removed = await removeTenantRows(maintenanceUrl, tenantId, cut, pack.manifest);
  return {
    tenantId,
    fromSeq: removed.fromSeq,
    toSeq: removed.toSeq,
    removed: removed.removed,
    checkpoint,
    archive: { file: pack.file, manifestFile: pack.manifestFile, sha256: pack.manifest.sha256, rows: pack.manifest.rows, exportId: pack.manifest.exportId },
    seconds: { checkpoint: checkpointSeconds, archive: archiveSeconds, remove: (performance.now() - t) / 1000 },
  };
}
