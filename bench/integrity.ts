/**
 * Integrity figures on servers this script starts itself: verify-chain events/s, checkpoint
 * time, and (when the exports exist) export time and peak memory. `pnpm exec tsx bench/integrity.ts [EVENTS]`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
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
    // exports in their own process (as the worker runs them): wall time and peak resident memory
    const env = { ...process.env, DATABASE_URL: server.url, REDIS_URL: 'redis://127.0.0.1:1', DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent' };
    const heap = process.env.BENCH_EXPORT_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_EXPORT_HEAP_MB}`] : [];
    for (const format of (process.env.BENCH_FORMATS ?? 'csv,pdf').split(',')) {
      const t1 = performance.now();
      const run = spawnSync('/usr/bin/time', ['-v', process.execPath, ...heap, '--import', 'tsx', join(import.meta.dirname, '../packages/cli/src/main.ts'), 'export', 'create', '--tenant', tenantId, '--format', format],
        { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const secs = (performance.now() - t1) / 1000;
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? 0) / 1024;
      let manifest: { rows?: number; bytes?: number; path?: string } = {};
      try { manifest = JSON.parse(run.stdout); } catch { log(run.stderr.slice(0, 2000)); }
      log(`export ${format}: ${manifest.rows} events, ${((manifest.bytes ?? 0) / 1e6).toFixed(1)} MB in ${secs.toFixed(1)} s (process included), peak RSS ${rss.toFixed(0)} MiB`);
      if (manifest.path) {
        const t2 = performance.now();
        const v = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../packages/cli/src/main.ts'), 'verify-export', manifest.path], { env, encoding: 'utf8' });
        log(`verify-export ${format}: exit ${v.status} in ${((performance.now() - t2) / 1000).toFixed(1)} s (${statSync(manifest.path).size} bytes)`);
      }
    }
    await orm.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
await main();
