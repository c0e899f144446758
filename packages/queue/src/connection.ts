import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producers fail fast when Redis is down (an API call must answer, not hang), while workers
 * wait forever for Redis to come back (BullMQ requires `maxRetriesPerRequest: null` for them).
 */
export function createRedis(url: string, role: 'producer' | 'worker'): Redis {
  const options: RedisOptions = role === 'worker'
    ? { maxRetriesPerRequest: null, enableReadyCheck: true }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 };
  return new Redis(url, { ...options, lazyConnect: false });
}
