import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createOrm, dbOf, sql, withTenant, type Orm } from '@modula/db';
import { createExportRequest, createTenant, databasePackStore, PACK_CHUNK_BYTES } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase } from '../../testing/database.ts';

/** The database pack store (EXPORT_STORE=database, the default) on its own, as the runtime role. */
let orm: Orm;
let superuserUrl: string;
beforeAll(async () => {
  const db = await createTestDatabase();
  superuserUrl = db.superuserUrl;
  orm = await createOrm({ url: db.url });
});
afterAll(async () => {
  await orm?.close();
});

async function newExport(tenantId: string) {
  return createExportRequest(orm, tenantId, { format: 'csv', filter: {}, requestedBy: { userId: null, name: 'test', email: null } });
}

describe('database pack store', () => {
  it('keeps a pack in rows of 1 MiB and streams back exactly its bytes; another tenant sees no chunk, and nobody changes one', async () => {
    const { tenantId } = await createTenant(orm, 'Pack owner');
    const other = await createTenant(orm, 'Other tenant');
    const exportId = await newExport(tenantId);
    const bytes = randomBytes(2 * PACK_CHUNK_BYTES + 12_345);
    const store = databasePackStore(orm);
    const upload = store.upload(tenantId, exportId, 'p.csv');
    // odd-sized writes, as a CSV writer's buffers come
    const pieces = Array.from({ length: Math.ceil(bytes.length / 70_001) }, (_, i) => bytes.subarray(i * 70_001, (i + 1) * 70_001));
    await pipeline(Readable.from(pieces), upload.sink);

    const c = await connect(superuserUrl);
    try {
      const rows = (await c.query('select n, octet_length(data)::int as len from export_pack_chunks where export_id = $1 order by n', [exportId])).rows;
      expect(rows).toEqual([
        { n: 0, len: PACK_CHUNK_BYTES },
        { n: 1, len: PACK_CHUNK_BYTES },
        { n: 2, len: 12_345 },
      ]);
    } finally {
      await c.end();
    }
    const read = await store.open(tenantId, exportId, upload.location, bytes.length);
    const back = Buffer.concat(await read.toArray());
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));

    // row-level security: the other tenant's transaction sees nothing of it, and a stream for it fails
    const seen = await withTenant(
      orm,
      other.tenantId,
      async (em) => (await sql<{ n: number }>`select count(*)::int as n from export_pack_chunks`.execute(dbOf(em))).rows[0]!.n,
    );
    expect(seen).toBe(0);
    await expect((await store.open(other.tenantId, exportId, upload.location, bytes.length)).toArray()).rejects.toThrow(/chunk 0 is missing/);
    // the runtime may add and delete chunks, never change one
    await expect(
      withTenant(orm, tenantId, (em) => sql`update export_pack_chunks set data = '\\x00'::bytea where export_id = ${exportId}`.execute(dbOf(em))),
    ).rejects.toThrow(/permission denied/);

    await upload.abort();
    const left = await withTenant(
      orm,
      tenantId,
      async (em) => (await sql<{ n: number }>`select count(*)::int as n from export_pack_chunks`.execute(dbOf(em))).rows[0]!.n,
    );
    expect(left).toBe(0);
  });
});
