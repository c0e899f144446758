/**
 * Integrity figures on servers this script starts itself: verify-chain events/s, checkpoint
 * time, and (when the exports exist) export time and peak memory. `pnpm exec tsx bench/integrity.ts [EVENTS]`.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createOrm, migrate } from '@modula/db';
import { findFreePort, startPostgres } from '@modula/devservers';
import { createCheckpoint, createTenant, GENESIS_HASH, loadSigner, verifyChain } from '@modula/domain';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_COLUMNS, generateStoredRows, toCsvLine } from './stored-rows.ts';

const EVENTS = Number(process.argv[2] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'modula-integrity-'));
chmodSync(dir, 0o755);
const log = (m: string) => console.error(`[integrity] ${m}`);

async function seed(url: string, tenantId: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let prev = GENESIS_HASH;
  const chunk = 50_000;
  for (let start = 1; start <= count; start += chunk) {
    const rows = generateStoredRows(tenantId, Math.min(chunk, count - start + 1), start, prev);
    prev = rows.at(-1)!.hash;
    await pipeline(Readable.from(rows.map(toCsvLine)), client.query(copyFrom(`copy audit_events (${COPY_COLUMNS}) from stdin with (format csv)`)));
  }
  await client.query('insert into chain_heads (tenant_id, seq, hash, updated_at) values ($1, $2, $3, now())', [tenantId, count, prev]);
  await client.query('vacuum analyze audit_events');
  await client.end();
}

async function main() {
  const server = await startPostgres({ dataDir: join(dir, 'postgres'), port: await findFreePort(), fsync: false });
  try {
    await migrate(server.url);
    const orm = await createOrm({ url: server.url });
    const { tenantId } = await createTenant(orm, 'Integrity bench');
    log(`seeding ${EVENTS} events`);
    await seed(server.superuserUrl.replace(/\/postgres$/, '/modula_audit'), tenantId, EVENTS);
    const signer = loadSigner({ DATA_DIR: join(dir, 'data') });
    for (const merkle of [false, true]) {
      const t0 = performance.now();
      const r = await verifyChain(orm, tenantId, { merkle });
      const s = (performance.now() - t0) / 1000;
      log(`verify-chain (merkle ${merkle}): ok=${r.ok} ${r.checked} events in ${s.toFixed(2)} s = ${Math.round(r.checked / s)} events/s`);
    }
    let t0 = performance.now();
    await createCheckpoint(orm, signer, tenantId);
    log(`first checkpoint (whole log): ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    t0 = performance.now();
    const r = await verifyChain(orm, tenantId);
    const s = (performance.now() - t0) / 1000;
    log(`verify-chain with a checkpoint (Merkle root recomputed): ok=${r.ok} ${Math.round(r.checked / s)} events/s`);
    await orm.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
await main();
