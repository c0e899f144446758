export { createRedis } from './connection.ts';
export { IngestQueue, backoffDelay, type TRetryPolicy } from './ingest-queue.ts';
export { incrementCounters, readCounters, type TCounterName } from './counters.ts';
export { CoalescingEnqueuer } from './coalescing-enqueuer.ts';
export { ExportQueue } from './export-queue.ts';
