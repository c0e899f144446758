import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisCluster, type LocalRedisCluster } from '@modula/devservers';
import { createRedis, readCounters, redisDurabilityProblems } from '@modula/queue';
import { startCheckpointWorker, startExportWorker, type TCheckpointWorker, type TExportWorker } from '@modula/worker';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, getTrpc, makeEvent } from '../../testing/events.ts';
import { exportWhenReady } from '../../testing/exports.ts';
import { expectExactlyOnce, sendUntilAcknowledged } from '../../testing/faults.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { PASSWORD, signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 14, item 2: the whole ingest path on a real Redis Cluster of three masters that this file
 * starts (redis-server in cluster mode): BullMQ's queues and job scheduler, the acknowledgement
 * tickets and pending sets, counters, the ingest rate limit, sign-in guard and locks.
 */
const TOTAL = 8_000;
let dir: string;
let cluster: LocalRedisCluster;
let stack: TestStack;
let checkpoints: TCheckpointWorker;
let exportsWorker: TExportWorker;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modula-redis-cluster-'));
  chmodSync(dir, 0o755);
  cluster = await startRedisCluster({ dataDir: dir, masters: 3 });
  stack = await startStack({ redisClusterNodes: cluster.nodes, env: { ...VIEWER_ENV, CHECKPOINT_EVERY_MINUTES: '0.02' } });
  const silent = pino({ level: 'silent' });
  checkpoints = await startCheckpointWorker(stack.config, stack.services.orm, silent);
  exportsWorker = startExportWorker(stack.config, stack.services.orm, silent);
});
afterAll(async () => {
  await checkpoints?.close();
  await exportsWorker?.close();
  await stack?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  it('connects through an ioredis Cluster with the queue prefix as a hash tag', () => {
    expect(stack.services.redis).toBeInstanceOf(Cluster);
    expect(stack.config.QUEUE_PREFIX).toMatch(/^\{t[0-9a-f]{10}\}$/);
  });

  let tenant: { tenantId: string; apiKey: string };
  it('stores every event acknowledged over HTTP exactly once, resends included; the chain verifies; ingest.status answers', async () => {
    tenant = await stack.createTenant('Cluster tenant');
    const events = Array.from({ length: TOTAL }, (_, i) => makeEvent(tenant.tenantId, { metadata: { n: i } }));
    const started = Date.now();
    const sent = await sendUntilAcknowledged(stack.baseUrl, tenant.apiKey, events, 500, 2);
    // a client that did not see its reply sends the same batch again
    const resent = await sendUntilAcknowledged(stack.baseUrl, tenant.apiKey, events.slice(0, 500), 500, 1);
    const result = await expectExactlyOnce(stack, tenant.tenantId, sent.ackedIds, 45_000);
    const seconds = (Date.now() - started) / 1000;
    expect(sent.acknowledged).toBe(TOTAL);
    expect(resent.acknowledged).toBe(500);
    expect(result).toEqual({ stored: TOTAL, duplicates: 0 });

    const some = [events[0]!.eventId, events[TOTAL - 1]!.eventId];
    const status = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: some }, tenant.apiKey);
    expect(status.body.result.data.statuses.map((s: { state: string }) => s.state)).toEqual(['STORED', 'STORED']);
    const counters = await readCounters(stack.services.redis, stack.config.QUEUE_PREFIX);
    expect(counters.stored).toBe(TOTAL);
    expect(counters.duplicates).toBeGreaterThanOrEqual(500);
    console.log(`[redis-cluster] ${JSON.stringify({ events: TOTAL, seconds, eventsPerSecond: Math.round(TOTAL / seconds), retriedCalls: sent.retriedCalls })}`);
  });

  it('takes events from the in-process caller of a second tenant alongside', async () => {
    const other = await stack.createTenant('Cluster tenant 2');
    const statuses = await ingestStored(
      stack,
      other.tenantId,
      Array.from({ length: 300 }, () => makeEvent(other.tenantId)),
    );
    expect(statuses.map((s) => s.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('lets the CLI queue its administration record through the same connection factory', async () => {
    const created = runCli(stack, [
      'user',
      'create',
      '--tenant',
      tenant.tenantId,
      '--email',
      'cashier@cluster.test',
      '--password',
      PASSWORD,
      '--role',
      'CASHIER',
    ]);
    expect(created.status, created.stderr).toBe(0);
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const stored = await eventually(async () => {
        const { rows } = await db.query("select action from audit_events where tenant_id = $1 and actor_id like 'operator:%'", [tenant.tenantId]);
        return rows.length > 0 ? rows : undefined;
      });
      expect(stored).toHaveLength(1);
    } finally {
      await db.end();
    }
  });

  it('runs the checkpoint scheduler and builds an export pack on the cluster', async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      await eventually(async () => {
        const { rows } = await db.query('select count(*)::int as n from checkpoints where tenant_id = $1', [tenant.tenantId]);
        return rows[0].n > 0 ? true : undefined;
      }, 30_000);
    } finally {
      await db.end();
    }
    const admin = await signedInAdmin(stack, tenant.tenantId);
    const ready = await exportWhenReady(stack, admin.cookie, 'csv');
    expect(ready.rows).toBeGreaterThanOrEqual(TOTAL);
    const file = await fetch(`${stack.baseUrl}${ready.url}`, { headers: { cookie: admin.cookie } });
    expect(file.status).toBe(200);
    await file.arrayBuffer();
  });

  it('gives a working queue to a producer whose cluster connection is not ready yet', async () => {
    // BullMQ takes a Cluster in state `connect` for connected: its version check used to fail and break the Queue for good
    const redis = createRedis(stack.config, 'producer');
    await new Promise((resolve) => redis.once('connect', resolve));
    const queue = new Queue('cluster-probe', { connection: redis, prefix: stack.config.QUEUE_PREFIX });
    try {
      // a producer fails fast until the cluster is ready; from then on the queue must work
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      expect((await queue.add('probe', { n: 1 }, { removeOnComplete: true })).id).toBeDefined();
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });

  it("reads every master's durability settings", async () => {
    const redis = createRedis(stack.config, 'producer');
    try {
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      // the cluster of this suite keeps an append-only file and never evicts, on every node, and
      // the service's restricted user may read INFO on each of the three masters
      expect((redis as Cluster).nodes('master')).toHaveLength(3);
      expect(await redisDurabilityProblems(redis)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('keeps every key of the installation in the hash slot of its prefix', async () => {
    const redis = stack.services.redis as Cluster;
    const perMaster: number[] = [];
    for (const node of redis.nodes('master')) {
      let cursor = '0';
      let n = 0;
      do {
        const [next, keys] = await node.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) expect(key.startsWith(stack.config.QUEUE_PREFIX)).toBe(true);
        n += keys.length;
      } while (cursor !== '0');
      perMaster.push(n);
    }
    // one BullMQ queue is one slot anyway; the masters holding nothing of this installation hold other installations' prefixes
    expect(perMaster.filter((n) => n > 0)).toHaveLength(1);
  });
});
