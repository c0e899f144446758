import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, startRedis, type LocalRedis } from '@modula/devservers';
import { readCounters } from '@modula/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { expectExactlyOnce, sendUntilAcknowledged } from '../../testing/faults.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

const TOTAL = 30_000;
let stack: TestStack;
let redis: LocalRedis;
let dir: string;
let port: number;

beforeAll(async () => {
  // a Redis of our own: killing the shared one would break the other test files
  dir = mkdtempSync(join(tmpdir(), 'modula-redis-kill-'));
  chmodSync(dir, 0o755);
  port = await findFreePort();
  redis = await startRedis({ dataDir: dir, port, appendfsync: 'always' });
  stack = await startStack({ env: { REDIS_URL: redis.url, WORKER_LOCK_MS: '3000', WORKER_STALLED_CHECK_MS: '2000' } });
});
afterAll(async () => {
  await stack.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('fault: Redis is killed with SIGKILL mid-ingest and restarted from its append-only file', () => {
  it('keeps every acknowledged event: stored exactly once, chain intact, no failed job', async () => {
    const tenant = await stack.createTenant('Redis kill');
    const events = Array.from({ length: TOTAL }, (_, i) => makeEvent(tenant.tenantId, { metadata: { n: i } }));
    const sending = sendUntilAcknowledged(stack.baseUrl, tenant.apiKey, events, 500);

    // let part of the load be acknowledged (and part stored), then kill Redis without warning
    // (completed jobs are removed: count the events the worker stored instead)
    while ((await readCounters(stack.services.redis, stack.config.QUEUE_PREFIX).catch(() => ({ stored: 0 }))).stored < 2500)
      await new Promise((r) => setTimeout(r, 20));
    await redis.kill();
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 2000)); // clients keep trying meanwhile and get 503s
    redis = await startRedis({ dataDir: dir, port, appendfsync: 'always' });
    const restartedAt = Date.now();

    const sent = await sending;
    expect(sent.retriedCalls).toBeGreaterThan(0); // the outage was real for the clients
    const result = await expectExactlyOnce(stack, tenant.tenantId, sent.ackedIds);
    console.log(
      `[fault:redis-kill] ${JSON.stringify({
        sent: sent.sent,
        acknowledged: sent.acknowledged,
        retriedCalls: sent.retriedCalls,
        stored: result.stored,
        duplicates: result.duplicates,
        outageSeconds: (restartedAt - killedAt) / 1000,
        recoverySeconds: (Date.now() - restartedAt) / 1000,
      })}`,
    );
    expect(result.stored).toBe(TOTAL);
  }, 240_000);
});
