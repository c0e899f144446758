import { resolveServerSecret, type TConfig } from '@modula/config';
import { assertLeastPrivilegedLogin, createOrm } from '@modula/db';
import { assertServerSecretOfDatabase } from '@modula/domain';
import { CoalescingEnqueuer, configuredRetry, createRedis, IngestQueue, redisReady } from '@modula/queue';
import { pino } from 'pino';
import type { TServices } from './context.ts';
import { IngestMetrics } from './http/metrics.ts';

export async function createServices(config: TConfig): Promise<TServices & { close(): Promise<void> }> {
  const log = pino({ name: 'server', level: config.LOG_LEVEL });
  const orm = await createOrm({ url: config.DATABASE_URL, poolMax: 20 });
  try {
    await assertLeastPrivilegedLogin(orm);
    await assertServerSecretOfDatabase(orm, resolveServerSecret(config), log);
  } catch (err) {
    await orm.close();
    throw err;
  }
  const redis = createRedis(config, 'producer', (f, m) => log.warn(f, m));
  // a producer has no offline queue: the first calls after start must not find its connection still
  // opening (they would get 503 though Redis is up). A Redis that is down does not stop the start.
  await redisReady(redis, 10_000).catch((err: Error) => log.warn({ err: err.message }, 'Redis not ready at start: ingest answers 503 until it is'));
  const ingestQueue = new IngestQueue(redis, config.QUEUE_PREFIX, configuredRetry(config));
  const enqueuer = new CoalescingEnqueuer(ingestQueue);
  const metrics = new IngestMetrics(orm, redis, ingestQueue, config.QUEUE_PREFIX);
  return {
    config,
    orm,
    redis,
    ingestQueue,
    enqueuer,
    metrics,
    log,
    async close() {
      await ingestQueue.close();
      redis.disconnect();
      await orm.close();
    },
  };
}
