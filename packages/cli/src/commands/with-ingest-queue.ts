import { configuredRetry, createRedis, IngestQueue, redisReady } from '@modula/queue';
import { cliConfig } from '../runtime-config.ts';

/**
 * The ingest queue for one command: connected (at most 5 s, or what Redis said), then closed
 * whatever happens. Jobs it adds carry the same retry policy as the server's.
 */
export async function withIngestQueue<T>(fn: (queue: IngestQueue) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const redis = createRedis(config, 'producer');
  const queue = new IngestQueue(redis, config.QUEUE_PREFIX, configuredRetry(config));
  try {
    await redisReady(redis);
    return await fn(queue);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
