/**
 * `pnpm exec tsx bench/redis-cluster-failover.ts`: a failover by hand, not part of `npm test`. A local
 * Redis Cluster of three masters with one replica each; one server and one worker process; a
 * careful client sends BENCH_EVENTS (default 30000) over HTTP (a batch not acknowledged is sent
 * again); mid-way the master holding the installation's slot is SIGKILLed, its replica takes over
 * after cluster-node-timeout (2 s). Prints how many acknowledged events were stored, how many were
 * lost, and how long ingest was refused. Asynchronous replication makes a loss possible; this
 * measures what one run on this machine lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TAuditEventInput } from '@modula/contracts';
import { loadConfig } from '@modula/config';
import { createOrm, migrate } from '@modula/db';
import { findFreePort, startPostgres, startRedisCluster, stopProcess } from '@modula/devservers';
import { createTenant, loadSigner, publishSigningKey, verifyChain } from '@modula/domain';
import { createRedis } from '@modula/queue';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

const ROOT = resolve(import.meta.dirname, '..');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 30_000);
const BATCH = 500;
const dir = mkdtempSync(join(tmpdir(), 'modula-bench-failover-'));
chmodSync(dir, 0o755);
const log = (msg: string) => console.error(`[bench:failover] ${msg}`);

const db = await startPostgres({ dataDir: join(dir, 'postgres'), port: await findFreePort() });
const cluster = await startRedisCluster({ dataDir: join(dir, 'cluster'), masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2000, maxmemory: '1gb' });
const port = await findFreePort();
const env = {
  ...process.env,
  DATABASE_URL: db.appUrl,
  REDIS_CLUSTER_NODES: cluster.nodes,
  DATA_DIR: join(dir, 'data'),
  PORT: String(port),
  LOG_LEVEL: 'error',
  CHECKPOINT_EVERY_MINUTES: '1440',
  INGEST_RATE_PER_KEY: '0',
  WORKER_LOCK_MS: '5000',
  WORKER_STALLED_CHECK_MS: '2000',
} as Record<string, string>;
const children: ChildProcess[] = [];
try {
  await migrate(db.url);
  const config = loadConfig(env);
  await publishSigningKey(db.url, loadSigner(config));
  const orm = await createOrm({ url: db.url });
  const tenant = await createTenant(orm, 'Failover tenant');
  for (const entry of ['server/src/main.ts', 'worker/src/main.ts'])
    children.push(spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry)], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  const baseUrl = `http://127.0.0.1:${port}`;
  while (
    !(await fetch(`${baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  )
    await new Promise((r) => setTimeout(r, 200));

  // the master of the installation's slot
  const probe = createRedis(config, 'worker');
  const slot = Number(await probe.cluster('KEYSLOT', config.QUEUE_PREFIX));
  const slots = await probe.cluster('SLOTS');
  const master = slots.find(([from, to]) => slot >= from && slot <= to)![2]![1];
  probe.disconnect();
  log(`prefix ${config.QUEUE_PREFIX}, slot ${slot}, master on port ${master}`);

  const events: TAuditEventInput[] = Array.from({ length: EVENTS }, (_, i) => ({
    eventId: uuidv7(),
    tenantId: tenant.tenantId,
    action: 'POLICY_UPDATED',
    outcome: 'SUCCESS',
    actor: { type: 'SYSTEM', id: 'failover-bench' },
    occurredAt: new Date().toISOString(),
    metadata: { n: i },
  }));
  const acked: string[] = [];
  let refused = 0;
  let firstRefusal = 0;
  let lastRefusal = 0;
  let next = 0;
  const started = Date.now();
  const killAfter = Math.floor(EVENTS / BATCH / 3);
  let killedAt = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next * BATCH < EVENTS) {
        const b = next++;
        if (b === killAfter && !killedAt) {
          killedAt = Date.now();
          log(`killing the master on port ${master} after ${acked.length} acknowledged`);
          void cluster.kill(master);
        }
        const body = JSON.stringify({ events: events.slice(b * BATCH, (b + 1) * BATCH) });
        for (;;) {
          const res = await fetch(`${baseUrl}/trpc/ingest.batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.apiKey}` },
            body,
            signal: AbortSignal.timeout(15_000),
          }).catch(() => undefined);
          const json = res?.ok ? ((await res.json()) as { result?: { data: { accepted: string[] } } }) : undefined;
          if (json?.result) {
            acked.push(...json.result.data.accepted);
            break;
          }
          refused++;
          firstRefusal ||= Date.now();
          lastRefusal = Date.now();
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }),
  );
  const sentSeconds = (Date.now() - started) / 1000;
  const c = new pg.Client({ connectionString: db.superuserUrl.replace(/\/postgres$/, '/modula_audit') });
  await c.connect();
  const deadline = Date.now() + 120_000;
  let stored = 0;
  let same = 0;
  let last = -1;
  while (Date.now() < deadline) {
    stored = (await c.query('select count(*)::int n from audit_events where tenant_id = $1 and event_id = any($2::uuid[])', [tenant.tenantId, acked])).rows[0]
      .n;
    if (stored >= acked.length) break;
    same = stored === last ? same + 1 : 0;
    last = stored;
    if (same >= 40) break; // nothing moved for 20 s: what is missing is lost
    await new Promise((r) => setTimeout(r, 500));
  }
  const total = (await c.query('select count(*)::int n, count(distinct event_id)::int d from audit_events where tenant_id = $1', [tenant.tenantId])).rows[0];
  await c.end();
  const chain = await verifyChain(orm, tenant.tenantId);
  await orm.close();
  console.log(
    JSON.stringify(
      {
        events: EVENTS,
        acknowledged: acked.length,
        storedOfAcknowledged: stored,
        lostAcknowledged: acked.length - stored,
        duplicates: total.n - total.d,
        refusedCalls: refused,
        refusedForSeconds: firstRefusal ? (lastRefusal - firstRefusal) / 1000 : 0,
        killedAfterSeconds: (killedAt - started) / 1000,
        sendSeconds: sentSeconds,
        chain: { ok: chain.ok, checked: chain.checked },
      },
      null,
      2,
    ),
  );
} finally {
  await Promise.all(children.map((child) => stopProcess(child, 'SIGTERM', 30_000)));
  await cluster.stop();
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
}
