import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import type { TPackLocation, TPackStore, TPackUpload } from './pack-store.ts';

/** Bytes per row of `export_pack_chunks`: a 1M-event CSV (~570 MB) is ~570 rows, each written and read in its own short transaction. */
export const PACK_CHUNK_BYTES = 1024 * 1024;

/**
 * The embedded default store: a pack's bytes in the database, in rows of 1 MiB under the tenant's
 * row-level security (migration 20261201140000). The writer fills one buffer and inserts it when
 * full (backpressure: the pack's writer waits for the insert), the reader fetches one row at a time
 * as the client takes them: neither holds more than a chunk or two of a pack.
 */
export function databasePackStore(orm: Orm): TPackStore {
  return {
    kind: 'database',
    upload(tenantId, exportId): TPackUpload {
      const blobId = randomUUID();
      let buffer = Buffer.allocUnsafe(PACK_CHUNK_BYTES);
      let filled = 0;
      let n = 0;
      const insert = async (data: Buffer) => {
        const chunk = n++;
        await withTenant(orm, tenantId, (em) =>
          sql`insert into export_pack_chunks (tenant_id, export_id, blob_id, n, data) values (${tenantId}, ${exportId}, ${blobId}, ${chunk}, ${data})`.execute(
            dbOf(em),
          ),
        );
      };
      const sink = new Writable({
        highWaterMark: PACK_CHUNK_BYTES,
        write(chunk: Buffer, _encoding, done) {
          void (async () => {
            let at = 0;
            while (at < chunk.length) {
              const take = Math.min(chunk.length - at, PACK_CHUNK_BYTES - filled);
              chunk.copy(buffer, filled, at, at + take);
              filled += take;
              at += take;
              if (filled === PACK_CHUNK_BYTES) {
                const full = buffer;
                buffer = Buffer.allocUnsafe(PACK_CHUNK_BYTES);
                filled = 0;
                await insert(full);
              }
            }
          })().then(() => done(), done);
        },
        final(done) {
          if (filled === 0) return done();
          insert(buffer.subarray(0, filled)).then(() => done(), done);
        },
      });
      return {
        sink,
        location: { store: 'database', blobId, objectKey: null },
        abort: () => removeChunks(orm, tenantId, exportId, blobId),
      };
    },
    async open(tenantId, exportId, location, bytes) {
      const blobId = location.blobId;
      if (!blobId) throw new Error(`export ${exportId} names no database copy`);
      async function* chunks() {
        let sent = 0;
        for (let n = 0; sent < bytes; n++) {
          const row = await withTenant(orm, tenantId, async (em) => {
            const found = await sql<{ data: Buffer }>`select data from export_pack_chunks
              where tenant_id = ${tenantId} and export_id = ${exportId} and blob_id = ${blobId} and n = ${n}`.execute(dbOf(em));
            return found.rows[0];
          });
          if (!row) throw new Error(`export ${exportId}: chunk ${n} is missing after ${sent} of ${bytes} bytes`);
          sent += row.data.length;
          yield row.data;
        }
      }
      return Readable.from(chunks(), { objectMode: false });
    },
    remove: (tenantId, exportId, location: TPackLocation) => (location.blobId ? removeChunks(orm, tenantId, exportId, location.blobId) : Promise.resolve()),
  };
}

async function removeChunks(orm: Orm, tenantId: string, exportId: string, blobId: string): Promise<void> {
  await withTenant(orm, tenantId, (em) =>
    sql`delete from export_pack_chunks where tenant_id = ${tenantId} and export_id = ${exportId} and blob_id = ${blobId}`.execute(dbOf(em)),
  );
}

/**
 * Copies of packs no READY export names: chunks of a build attempt cut short (its worker killed)
 * or beaten by another attempt, once the export is no longer PENDING. Called by the retention sweep.
 */
export async function removeStrayChunks(orm: Orm, tenantId: string): Promise<number> {
  return withTenant(orm, tenantId, async (em) => {
    const result = await sql`delete from export_pack_chunks c using exports e
      where c.tenant_id = ${tenantId} and e.tenant_id = c.tenant_id and e.id = c.export_id
        and e.status <> 'PENDING' and c.blob_id is distinct from e.blob_id`.execute(dbOf(em));
    return Number(result.numAffectedRows ?? 0);
  });
}
