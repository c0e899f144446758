import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { dbOf, withTenant, type Orm } from '@modula/db';
import { exportDir } from './build-export.ts';
import { findExportRow } from './export-requests.ts';
import type { TPackStores } from './pack-stores.ts';

export interface TOpenedPart {
  stream: Readable;
  bytes: number;
  name: string;
}

/**
 * The bytes of a READY export's file or signed manifest, streamed from wherever they are kept, for
 * whichever server got the request: the pack store named in the row (database or S3), or — for a pack
 * built before issue 14 — the file in this host's DATA_DIR, served if this host has it. Undefined when
 * the bytes are gone (deleted after EXPORT_RETENTION_HOURS, or on another host's disk).
 */
export async function openExportPart(
  orm: Orm,
  stores: TPackStores,
  dataDir: string,
  tenantId: string,
  exportId: string,
  part: 'file' | 'manifest',
): Promise<TOpenedPart | undefined> {
  const row = await withTenant(orm, tenantId, (em) => findExportRow(dbOf(em), tenantId, exportId));
  if (row?.status !== 'READY' || !row.file_name) return undefined;
  const name = part === 'file' ? row.file_name : `${row.file_name}.manifest.json`;
  if (part === 'manifest' && row.manifest !== null) {
    const bytes = Buffer.from(row.manifest, 'utf8');
    return { stream: Readable.from([bytes]), bytes: bytes.length, name };
  }
  if (part === 'file' && row.store !== null) {
    if (row.file_deleted_at) return undefined;
    const bytes = Number(row.bytes);
    const location = { store: row.store, blobId: row.blob_id, objectKey: row.object_key };
    return { stream: await stores.of(row.store).open(tenantId, exportId, location, bytes), bytes, name };
  }
  // built before issue 14: a file on the disk of the host that built it
  const path = join(exportDir(dataDir, tenantId), name);
  if (!existsSync(path)) return undefined;
  return { stream: createReadStream(path), bytes: statSync(path).size, name };
}
