export { createRedis, parseClusterNodes, redisReady, type TRedis, type TRedisTarget } from './connection.ts';
export { IngestQueue, type TEnqueueOptions } from './ingest-queue.ts';
export { backoffDelay, configuredRetry, retryOptions, type TRetryPolicy } from './job-retry.ts';
export { AckOrder, ORPHAN_TICKET_MS, type TTicket } from './ack-order.ts';
export { incrementCounters, readCounters, type TCounterName } from './counters.ts';
export { CoalescingEnqueuer } from './coalescing-enqueuer.ts';
export { ExportQueue } from './export-queue.ts';
export { TokenBucketLimiter, type TTake } from './rate-limit.ts';
export { RedisLock, type TLockHandle } from './redis-lock.ts';
