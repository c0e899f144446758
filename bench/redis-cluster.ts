/**
 * `pnpm exec tsx bench/redis-cluster.ts`: the HTTP ingest of `pnpm bench` (10 tenants, batches of
 * 1000, 4 clients, until every event is STORED) once on one Redis and once on a local Redis Cluster
 * of three masters, with one server and one worker process each time, on one PostgreSQL. Not part of
 * `npm test`. Sizes (env): BENCH_EVENTS (default 50000), BENCH_RUNS (default 2, alternating).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '@modula/config';
import { createOrm, migrate } from '@modula/db';
import { findFreePort, startPostgres, startRedis, startRedisCluster, stopProcess } from '@modula/devservers';
import { createTenant, loadSigner, publishSigningKey, verifyChain } from '@modula/domain';
import { measureHttpIngest } from './e2e-http.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'modula-bench-cluster-'));
chmodSync(dir, 0o755);
const log = (msg: string) => console.error(`[bench:redis-cluster] ${msg}`);

const pg = await startPostgres({ dataDir: join(dir, 'postgres'), port: await findFreePort() });
const redis = await startRedis({ dataDir: join(dir, 'redis'), port: await findFreePort() });
const cluster = await startRedisCluster({ dataDir: join(dir, 'cluster'), masters: 3, maxmemory: '1gb' });
const base = { ...process.env, DATABASE_URL: pg.appUrl, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', CHECKPOINT_EVERY_MINUTES: '1440' } as Record<
  string,
  string
>;
const targets = {
  'one Redis': { ...base, REDIS_URL: redis.url },
  'Redis Cluster (3 masters)': { ...base, REDIS_CLUSTER_NODES: cluster.nodes },
};
const results: Record<string, number[]> = {};
try {
  await migrate(pg.url);
  await publishSigningKey(pg.url, loadSigner(loadConfig(targets['one Redis'])));
  const orm = await createOrm({ url: pg.url });
  const tenants = await Promise.all(Array.from({ length: 10 }, (_, i) => createTenant(orm, `Cluster bench tenant ${i + 1}`)));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, target] of Object.entries(targets)) {
      const port = await findFreePort();
      const env = { ...target, PORT: String(port) };
      const children: ChildProcess[] = ['server/src/main.ts', 'worker/src/main.ts'].map((entry) =>
        spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry)], { env, stdio: ['ignore', 'ignore', 'inherit'] }),
      );
      const baseUrl = `http://127.0.0.1:${port}`;
      try {
        while (
          !(await fetch(`${baseUrl}/healthz`).then(
            (r) => r.ok,
            () => false,
          ))
        )
          await new Promise((r) => setTimeout(r, 200));
        const perSecond = await measureHttpIngest(baseUrl, tenants, EVENTS, 1000, 4);
        (results[name] ??= []).push(Math.round(perSecond));
        log(`run ${run + 1}, ${name}: ${Math.round(perSecond)} events/s`);
      } finally {
        await Promise.all(children.map((child) => stopProcess(child, 'SIGTERM', 30_000)));
      }
    }
  }
  for (const t of tenants) {
    const chain = await verifyChain(orm, t.tenantId);
    if (!chain.ok) throw new Error(`chain of ${t.tenantId} broken at ${chain.firstBrokenSeq}`);
  }
  await orm.close();
  console.log(JSON.stringify({ events: EVENTS, runs: RUNS, eventsPerSecond: results, chainsVerified: tenants.length }, null, 2));
} finally {
  await cluster.stop();
  await redis.stop();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
