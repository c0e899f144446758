import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findFreePort } from '@modula/devservers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { exportWhenReady } from '../../testing/exports.ts';
import { expectExactlyOnce, sendUntilAcknowledged } from '../../testing/faults.ts';
import { killProcess, startServiceProcess, waitHealthy, type TServiceProcess } from '../../testing/processes.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 14: two servers and three workers, each its own process started as `pnpm start:server` /
 * `pnpm start:worker` start them (scripts/start-one.ts), each with a DATA_DIR of its own (they share
 * nothing on disk, as on separate hosts), on one PostgreSQL and one Redis. The test's own stack only
 * creates the database, publishes the signing key (as the owner) and reads the results.
 */
const TOTAL = Number(process.env.MULTI_PROCESS_EVENTS ?? 20_000);
const BATCH = 500;
let stack: TestStack;
const processes: TServiceProcess[] = [];

function serviceEnv(): Record<string, string> {
  const secretFile = join(stack.config.DATA_DIR, 'shared-server-secret');
  writeFileSync(secretFile, VIEWER_ENV.SERVER_SECRET, { mode: 0o600 });
  return {
    DATABASE_URL: stack.env.DATABASE_URL!,
    REDIS_URL: stack.env.REDIS_URL!,
    QUEUE_PREFIX: stack.env.QUEUE_PREFIX!,
    // the same secret and signing key on every process, from files (as Docker secrets give them)
    SERVER_SECRET_FILE: secretFile,
    SIGNING_KEY_FILE: join(stack.config.DATA_DIR, 'signing-key.pem'),
    LOGIN_BACKOFF_MS: '0',
    LOG_LEVEL: 'warn',
    // a killed worker's jobs run again soon
    WORKER_LOCK_MS: '3000',
    WORKER_STALLED_CHECK_MS: '2000',
    JOB_BACKOFF_MS: '100',
    JOB_BACKOFF_MAX_MS: '1000',
  };
}

beforeAll(async () => {
  stack = await startStack({ worker: false, env: VIEWER_ENV });
}, 120_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => killProcess(p, 'SIGKILL')));
  await stack?.close();
});

describe('several servers and workers, each its own process, on one PostgreSQL and one Redis', () => {
  it('stores every acknowledged event once while workers are SIGKILLed, the chain verifies, and a pack built by a worker downloads from the other server', async () => {
    const env = serviceEnv();
    const servers = [
      startServiceProcess('server', 'server-a', env, await findFreePort()),
      startServiceProcess('server', 'server-b', env, await findFreePort()),
    ];
    processes.push(...servers);
    const workers = [0, 1, 2].map((i) => startServiceProcess('worker', `worker-${i}`, env));
    processes.push(...workers);
    await Promise.all(servers.map((s) => waitHealthy(s)));
    const [a, b] = servers as [TServiceProcess, TServiceProcess];

    const tenant = await stack.createTenant('Many processes');
    const events = Array.from({ length: TOTAL }, (_, i) => makeEvent(tenant.tenantId, { metadata: { n: i } }));
    // batches alternate between the two servers
    const toA = events.filter((_, i) => Math.floor(i / BATCH) % 2 === 0);
    const toB = events.filter((_, i) => Math.floor(i / BATCH) % 2 === 1);
    const started = Date.now();
    const sendSeconds = () => (Date.now() - started) / 1000;
    let sentAfter = 0;
    let sending = true;
    const sent = Promise.all([
      sendUntilAcknowledged(a.baseUrl!, tenant.apiKey, toA, BATCH, 1),
      sendUntilAcknowledged(b.baseUrl!, tenant.apiKey, toB, BATCH, 1),
    ]).finally(() => {
      sending = false;
      sentAfter = sendSeconds();
    });

    // while events arrive, SIGKILL a worker now and then and start another in its place
    let kills = 0;
    const killing = (async () => {
      await new Promise((r) => setTimeout(r, 1500));
      while (sending || kills < 3) {
        const victim = kills % workers.length;
        // not before it has had a moment to start: a worker killed while booting proves nothing
        while (Date.now() - workers[victim]!.startedAt < 2500) await new Promise((r) => setTimeout(r, 100));
        await killProcess(workers[victim]!);
        kills++;
        workers[victim] = startServiceProcess('worker', `worker-${victim}-${kills}`, env);
        processes.push(workers[victim]!);
        await new Promise((r) => setTimeout(r, 1200 + Math.random() * 600));
      }
    })();
    const [sentA, sentB] = await sent;
    await killing;
    const killsDone = Date.now();
    const acked = [...sentA.ackedIds, ...sentB.ackedIds];
    expect(acked).toHaveLength(TOTAL);

    const result = await expectExactlyOnce(stack, tenant.tenantId, acked, 120_000);
    expect(result).toEqual({ stored: TOTAL, duplicates: 0 });
    const ingestSeconds = (Date.now() - started) / 1000;
    const storedAfterLastKillSeconds = (Date.now() - killsDone) / 1000;
    const exportStarted = Date.now();

    // an export asked of server A, built by whichever worker took it, downloaded from server B
    const viaA = { ...stack, baseUrl: a.baseUrl! };
    const viaB = { ...stack, baseUrl: b.baseUrl! };
    const admin = await signedInAdmin(viaA, tenant.tenantId);
    const ready = await exportWhenReady(viaA, admin.cookie, 'csv');
    expect(ready.rows).toBeGreaterThanOrEqual(TOTAL);
    const file = await fetch(`${b.baseUrl}${ready.url}`, { headers: { cookie: admin.cookie } });
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(ready.sha256);
    const manifest = await fetch(`${b.baseUrl}${ready.manifestUrl}`, { headers: { cookie: admin.cookie } });
    expect(await manifest.json()).toMatchObject({ exportId: ready.exportId, sha256: ready.sha256, bytes: bytes.length });
    // and server B sees what A was asked (one database, no server keeps state of its own)
    expect((await trpc(viaB, 'query', 'exports.get', { exportId: ready.exportId }, { cookie: admin.cookie })).data).toMatchObject({ sha256: ready.sha256 });

    const figures = {
      events: TOTAL,
      acknowledged: acked.length,
      rateLimitedCalls: (sentA.rateLimitedCalls ?? 0) + (sentB.rateLimitedCalls ?? 0),
      retriedCalls: sentA.retriedCalls + sentB.retriedCalls,
      acknowledgedAfterSeconds: sentAfter,
      workerKills: kills,
      stored: result.stored,
      duplicates: result.duplicates,
      ingestSeconds,
      storedAfterLastKillSeconds,
      exportAndDownloadSeconds: (Date.now() - exportStarted) / 1000,
      packBytes: bytes.length,
    };
    console.log(`[ops:multi-process] ${JSON.stringify(figures)}`);
    for (const p of processes) expect(p.output(), p.name).not.toMatch(/"level":(50|60)/);
  }, 180_000);

  it('start:server and start:worker start nothing and list what is missing when the environment does not name the servers, the secret and the key', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_|REDIS_|SERVER_SECRET|SIGNING_KEY|DATA_DIR)/.test(k)));
    const run = (role: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../../scripts/start-one.ts'), role], {
        env: { ...env, DATA_DIR: join(stack.config.DATA_DIR, 'empty') },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const server = run('server');
    expect(server.status).toBe(78);
    for (const missing of [
      'DATABASE_URL',
      'REDIS_URL (redis://user:password@host:6379) or REDIS_CLUSTER_NODES',
      'SERVER_SECRET or SERVER_SECRET_FILE',
      'SIGNING_KEY_FILE',
    ]) {
      expect(server.stderr).toContain(`  - ${missing}`);
    }
    const worker = run('worker');
    expect(worker.status).toBe(78);
    expect(worker.stderr).toContain('  - DATABASE_URL');
    // a worker opens the log streams' and alert webhooks' sealed credentials: the servers' secret, not one of its own
    expect(worker.stderr).toContain('  - SERVER_SECRET or SERVER_SECRET_FILE');
  });
});
