/**
 * Issue 14's multi-process run at full size, by hand (not part of `npm test`, whose
 * tests/ops/multi-process sends 20,000): its own PostgreSQL (fsync on) and Redis (appendfsync
 * always), two servers and three workers as `pnpm start:server` / `start:worker` processes (each
 * with a DATA_DIR of its own), EVENTS events (default 100,000) sent in batches of 1000 alternately
 * to both servers while a worker is SIGKILLed and restarted (KILLS times, every KILL_EVERY_MS, each
 * after it ran MIN_UP_MS); then every event
 * stored once, the chain verified, and a CSV pack asked of server A downloaded from server B.
 * The per-key ingest limit is off (INGEST_RATE_PER_KEY=0): one key sends everything here.
 * Usage: pnpm exec tsx bench/multi-process.ts [EVENTS]
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, migrate } from '@modula/db';
import { findFreePort, startPostgres, startRedis } from '@modula/devservers';
import { createTenant, loadSigner, publishSigningKey, verifyChain } from '@modula/domain';
import pg from 'pg';
import { makeEvent } from '../testing/events.ts';
import { killProcess, startServiceProcess, waitHealthy, type TServiceProcess } from '../testing/processes.ts';
import { makeUser, signInFirstTime, trpc } from '../testing/viewer.ts';

const EVENTS = Number(process.argv[2] ?? 100_000);
const BATCH = 1000;
const KILL_EVERY_MS = Number(process.env.KILL_EVERY_MS ?? 2000);
const MIN_UP_MS = Number(process.env.MIN_UP_MS ?? 6000);
const KILLS = Number(process.env.KILLS ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'modula-multi-'));
chmodSync(dir, 0o755);
const procs: TServiceProcess[] = [];
const seconds = (from: number) => Number(((Date.now() - from) / 1000).toFixed(1));

const pgServer = await startPostgres({ dataDir: join(dir, 'postgres'), port: await findFreePort() });
const redis = await startRedis({ dataDir: join(dir, 'redis'), port: await findFreePort() });
try {
  await migrate(pgServer.url);
  const keyDir = join(dir, 'keys');
  const signer = loadSigner({ DATA_DIR: keyDir });
  await publishSigningKey(pgServer.url, signer);
  writeFileSync(join(keyDir, 'server-secret'), 'bench-server-secret-of-at-least-32-characters', { mode: 0o600 });
  const env = {
    DATABASE_URL: pgServer.appUrl,
    REDIS_URL: redis.url,
    SERVER_SECRET_FILE: join(keyDir, 'server-secret'),
    SIGNING_KEY_FILE: join(keyDir, 'signing-key.pem'),
    LOG_LEVEL: 'warn',
    INGEST_RATE_PER_KEY: '0',
    LOGIN_BACKOFF_MS: '0',
    WORKER_LOCK_MS: '3000',
    WORKER_STALLED_CHECK_MS: '2000',
  };
  const servers = [startServiceProcess('server', 'a', env, await findFreePort()), startServiceProcess('server', 'b', env, await findFreePort())];
  const workers = [0, 1, 2].map((i) => startServiceProcess('worker', `w${i}`, env));
  procs.push(...servers, ...workers);
  await Promise.all(servers.map((s) => waitHealthy(s)));
  const [a, b] = servers as [TServiceProcess, TServiceProcess];
  const orm = await createOrm({ url: pgServer.appUrl });
  const { tenantId, apiKey } = await createTenant(orm, 'Multi-process bench');
  const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(tenantId, { metadata: { n: i } }));

  const started = Date.now();
  let next = 0;
  let acked = 0;
  let retried = 0;
  // two clients per server take the next batch in turn, so consecutive batches go to both servers
  const send = async (baseUrl: string) => {
    for (;;) {
      const i = next++;
      if (i * BATCH >= EVENTS) return;
      const batch = events.slice(i * BATCH, (i + 1) * BATCH);
      for (;;) {
        const res = await fetch(`${baseUrl}/trpc/ingest.batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ events: batch }),
        }).catch(() => undefined);
        const body = (await res?.json().catch(() => undefined)) as { result?: { data: { accepted: string[] } } } | undefined;
        if (res?.ok && body?.result) {
          acked += body.result.data.accepted.length;
          break;
        }
        retried++;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  let sending = true;
  const sent = Promise.all([send(a.baseUrl!), send(b.baseUrl!), send(a.baseUrl!), send(b.baseUrl!)]).then(() => {
    sending = false;
    return seconds(started);
  });
  const db = new pg.Client({ connectionString: pgServer.superuserUrl.replace(/\/postgres$/, '/modula_audit') });
  await db.connect();
  const stored = async () => (await db.query('select count(*)::int as n from audit_events where tenant_id = $1', [tenantId])).rows[0].n as number;
  // a worker is killed only once it has run MIN_UP_MS (else, on a loaded machine, workers would be
  // killed while still starting and nothing would be stored), at most KILLS times
  let kills = 0;
  let lastKill = Date.now();
  for (;;) {
    const n = await stored();
    if (n >= EVENTS && !sending) break;
    const victim = kills % workers.length;
    if (kills < KILLS && n < EVENTS * 0.9 && Date.now() - lastKill >= KILL_EVERY_MS && Date.now() - workers[victim]!.startedAt >= MIN_UP_MS) {
      await killProcess(workers[victim]!);
      workers[victim] = startServiceProcess('worker', `w${victim}-${++kills}`, env);
      procs.push(workers[victim]!);
      lastKill = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const ackSeconds = await sent;
  const storedSeconds = seconds(started);
  const check = (
    await db.query('select count(*)::int n, count(distinct event_id)::int ids, min(seq)::int lo, max(seq)::int hi from audit_events where tenant_id = $1', [
      tenantId,
    ])
  ).rows[0];
  const verifyStarted = Date.now();
  const chain = await verifyChain(orm, tenantId);

  const viaA = { baseUrl: a.baseUrl!, services: { orm } } as never;
  const user = await makeUser(viaA, tenantId, 'ADMIN', 'Bench Admin');
  const { cookie } = await signInFirstTime(viaA, user.email);
  const exportStarted = Date.now();
  const created = await trpc(viaA, 'mutation', 'exports.create', { format: 'csv', filter: {} }, { cookie });
  const exportId = created.data.exportId as string;
  let ready: { sha256: string; url: string; rows: number } | undefined;
  while (!ready) {
    const r = await trpc(viaA, 'query', 'exports.get', { exportId }, { cookie });
    if (r.data?.status === 'FAILED') throw new Error(r.data.error);
    if (r.data?.status === 'READY') ready = r.data;
    else await new Promise((res) => setTimeout(res, 250));
  }
  const builtSeconds = seconds(exportStarted);
  const downloadStarted = Date.now();
  const file = await fetch(`${b.baseUrl}${ready.url}`, { headers: { cookie } });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of file.body!) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  const figures = {
    events: EVENTS,
    acknowledged: acked,
    retriedCalls: retried,
    acknowledgedSeconds: ackSeconds,
    storedSeconds,
    eventsPerSecondStored: Math.round(EVENTS / storedSeconds),
    workerKills: kills,
    stored: check.n,
    duplicates: check.n - check.ids,
    seqRange: [check.lo, check.hi],
    chainOk: chain.ok,
    verifySeconds: seconds(verifyStarted),
    export: {
      rows: ready.rows,
      bytes,
      builtSeconds,
      downloadFromOtherServerSeconds: seconds(downloadStarted),
      sameSha256: hash.digest('hex') === ready.sha256,
    },
  };
  console.log(JSON.stringify(figures, null, 2));
  await db.end();
  await orm.close();
} finally {
  await Promise.all(procs.map((p) => killProcess(p, 'SIGTERM')));
  await redis.stop();
  await pgServer.stop();
  rmSync(dir, { recursive: true, force: true });
}
