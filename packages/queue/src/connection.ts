import { Redis, type RedisOptions } from 'ioredis';

type TWarn = (fields: { err: string }, message: string) => void;

/**
 * Producers fail fast when Redis is down (an API call must answer, not hang), while workers
 * wait forever for Redis to come back (BullMQ requires `maxRetriesPerRequest: null` for them).
 * Connection errors are reported once per outage, not once per reconnect attempt.
 */
export function createRedis(url: string, role: 'producer' | 'worker', warn?: TWarn): Redis {
  const options: RedisOptions =
    role === 'worker' ? { maxRetriesPerRequest: null, enableReadyCheck: true } : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 };
  const redis = new Redis(url, { ...options, lazyConnect: false });
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    warn?.({ err: err.message }, 'Redis unreachable; reconnecting');
  });
  redis.on('ready', () => {
    down = false;
  });
  return redis;
}

/**
 * For one-shot tools (the CLI): resolves once the connection is ready, or fails after `timeoutMs`
 * with the last error Redis gave (a wrong password, a closed port) instead of waiting forever.
 */
export function redisReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last = 'no answer';
    const onError = (err: Error) => {
      last = err.message;
    };
    redis.on('error', onError);
    const timer = setTimeout(() => {
      redis.off('error', onError);
      reject(new Error(`Redis is not reachable (${last}) after ${timeoutMs / 1000} s: check REDIS_URL and its password`));
    }, timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      redis.off('error', onError);
      resolve();
    });
  });
}
