import { createReadStream, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TCheckpoint, TExportKind, TExportManifest } from '@modula/contracts';
import { dbOf, sql, withTenant, withTenantSnapshot, type Orm } from '@modula/db';
import { DEFAULT_TIME_ZONE } from '../accounts/tenant-time-zone.ts';
import { AppError } from '../app-error.ts';
import { exportFileName, exportStatementText, signExportManifest } from '../exports/build-export.ts';
import { databasePackStore } from '../exports/database-pack-store.ts';
import { createExportRequest, markExportFailed, markExportReady } from '../exports/export-requests.ts';
import type { TPackLocation, TPackStore } from '../exports/pack-store.ts';
import { csvCopyQuery, summarizeExport } from '../exports/export-rows.ts';
import { writeCsvPack, type TCsvWritten } from '../exports/csv-writer.ts';
import { HashingFile } from '../exports/hashing-file.ts';
import { copyOutAsTenant } from '../exports/tenant-copy.ts';
import { wholeLogGap, wholeLogRefusal } from '../exports/whole-log.ts';
import type { TKeyring, TSigner } from '../integrity/signing-key.ts';
import { packAnchor } from '../integrity/verify-chain.ts';
import { OFFBOARDING_PACK, RETENTION_ARCHIVE } from './retention-archive.ts';

export interface TArchivePack {
  manifest: TExportManifest;
  file: string;
  manifestFile: string;
}

/** Where archive packs are kept on this host: never swept by the export file retention. */
export function archiveDir(dataDir: string, tenantId: string): string {
  return join(dataDir, 'archives', tenantId);
}

/** Who each kind of archive pack says made it (its manifest's generatedBy name, no user). */
const MADE_BY: Record<TArchiveKind, string> = { 'retention-archive': RETENTION_ARCHIVE, 'offboarding-pack': OFFBOARDING_PACK };

export type TArchiveKind = Exclude<TExportKind, 'export'>;

/**
 * Writes every stored event of the tenant at or below `checkpoint` (those before the newest anchor
 * are gone already) as a CSV export pack — the export format, manifest version 2, so `cli
 * verify-export` checks it offline — into `dir`, copies it into the pack store every server reads
 * (`store`: EXPORT_STORE, the database by default), and records it as a READY export (what
 * remove_tenant_rows checks: its sha256 and signature), which any server then serves to the
 * tenant's Admins. `kind` is what the signed manifest says the pack is: only the cut's code path
 * passes `retention-archive`, in this process, so no row of the `exports` table can make a pack one.
 */
export async function writeArchivePack(
  orm: Orm,
  signer: TSigner,
  /** The trusted keys (pinnedKeys) the previous anchor, if any, is checked with. */
  keyring: TKeyring,
  tenantId: string,
  checkpoint: TCheckpoint,
  dir: string,
  kind: TArchiveKind,
  /** null: the pack stays in `dir` only (offboarding: every row of the tenant goes right after). */
  store: TPackStore | null = databasePackStore(orm),
): Promise<TArchivePack> {
  const exportId = await createExportRequest(orm, tenantId, { format: 'csv', filter: {}, requestedBy: { userId: null, name: MADE_BY[kind], email: null } });
  try {
    return await writeArchive(orm, signer, keyring, tenantId, checkpoint, dir, kind, store, exportId);
  } catch (err) {
    // left PENDING, the row would count against the tenant's concurrent exports for good
    await markExportFailed(orm, tenantId, exportId, (err as Error).message).catch(() => {});
    throw err;
  }
}

async function writeArchive(
  orm: Orm,
  signer: TSigner,
  keyring: TKeyring,
  tenantId: string,
  checkpoint: TCheckpoint,
  dir: string,
  kind: TArchiveKind,
  store: TPackStore | null,
  exportId: string,
): Promise<TArchivePack> {
  const filter = {};
  const purpose = MADE_BY[kind];
  // one snapshot: a cut committed between the count and the anchor would look like a gap
  const { tenantName, timeZone, summary, query, anchor, problem } = await withTenantSnapshot(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const tenant = (await sql<{ name: string; time_zone: string }>`select name, time_zone from tenants where id = ${tenantId}`.execute(db)).rows[0];
    if (!tenant) throw new AppError('NOT_FOUND', `no tenant ${tenantId}`);
    const timeZone = tenant.time_zone ?? DEFAULT_TIME_ZONE;
    return {
      tenantName: tenant.name,
      timeZone,
      summary: await summarizeExport(db, tenantId, filter, checkpoint.seq),
      query: csvCopyQuery(db, tenantId, filter, checkpoint.seq, timeZone),
      // the pack starts right after the previous cut: the manifest names it, signed
      ...(await packAnchor(db, tenantId, keyring)),
    };
  });
  if (problem) throw wholeLogRefusal({ anchorProblem: problem });
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const fileName = exportFileName(exportId, 'csv');
  const partial = join(dir, `${fileName}.part`);
  const file = new HashingFile(partial);
  let written: TCsvWritten | undefined;
  await copyOutAsTenant(orm, tenantId, query, async (source) => {
    written = await writeCsvPack(file, source);
  });
  const { rows, rowsDigest } = written!;
  if (rows !== summary.rows) throw new Error(`counted ${summary.rows} events but wrote ${rows}`);
  const chainRange = { fromSeq: summary.fromSeq, toSeq: summary.toSeq };
  const gap = wholeLogGap({ rows, chainRange, checkpoint, anchor, kind });
  if (gap) {
    file.destroy();
    rmSync(partial, { force: true });
    throw wholeLogRefusal({ gap });
  }
  const { sha256, bytes } = await file.close();
  const generatedAt = new Date().toISOString();
  const statementSignature = signer.sign(
    exportStatementText({ exportId, tenantId, format: 'csv', rows, rowsDigest, chainRange, filter, generatedAt, checkpoint }),
  );
  const manifest = signExportManifest(signer, {
    exportId,
    tenantId,
    tenantName,
    format: 'csv',
    file: fileName,
    bytes,
    sha256,
    rows,
    filter,
    generatedAt,
    generatedBy: { userId: null, name: purpose, email: null },
    chainRange,
    checkpoint,
    rowsDigest,
    statementSignature,
    timeZone,
    kind,
    ...(anchor ? { anchor } : {}),
  });
  renameSync(partial, join(dir, fileName));
  const manifestFile = join(dir, `${fileName}.manifest.json`);
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(manifestFile, manifestText, { mode: 0o640 });
  if (store) {
    // the archive outlives this host's disk: the same bytes go to the store every server reads
    const location = await copyIntoStore(store, tenantId, exportId, fileName, join(dir, fileName));
    const ready = { fileName, rows, sha256, signature: manifest.signature, bytes, manifest: manifestText, location };
    if (!(await withTenant(orm, tenantId, (em) => markExportReady(dbOf(em), tenantId, exportId, ready))))
      throw new Error(`the archive export ${exportId} is no longer PENDING`);
  } else {
    await withTenant(orm, tenantId, (em) =>
      sql`update exports set status = 'READY', completed_at = now(), file_name = ${fileName}, rows = ${rows}, sha256 = ${sha256},
        signature = ${manifest.signature} where tenant_id = ${tenantId} and id = ${exportId}`.execute(dbOf(em)),
    );
  }
  return { manifest, file: join(dir, fileName), manifestFile };
}

async function copyIntoStore(store: TPackStore, tenantId: string, exportId: string, fileName: string, path: string): Promise<TPackLocation> {
  const upload = store.upload(tenantId, exportId, fileName);
  try {
    await pipeline(createReadStream(path), upload.sink);
  } catch (err) {
    await upload.abort().catch(() => {});
    throw err;
  }
  return upload.location;
}
