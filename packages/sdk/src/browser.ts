/**
 * @modula/sdk for browsers: everything of the Node entry except the file-backed journal (and its
 * directory lock), which need node:fs. Persist with `IndexedDbOutboxStore`:
 *
 * ```ts
 * const outbox = await AuditOutbox.open({ url, apiKey, tenantId, deviceId: 'till-7', store: new IndexedDbOutboxStore({ name: 'till-7' }) });
 * ```
 */
export { AuditOutbox } from './outbox.ts';
export type { TAuditOutboxOptions, TRecordInput, TSyncReport, TReachability } from './outbox-options.ts';
export { createAuditClient, type AuditClient, type TAuditClientOptions } from './client.ts';
export { IndexedDbOutboxStore, OutboxBusyError, type TIndexedDbStoreOptions } from './indexeddb-store.ts';
export { MemoryOutboxStore, type TOutboxStore } from './outbox-store.ts';
export type { TOutboxEntry, TDeadLetter, TJournalOp } from './outbox-state.ts';
export { backoffDelay, retryAfterMs, DEFAULT_BACKOFF, RETRY_AFTER_MAX_MS, type TBackoffPolicy } from './backoff.ts';
export { splitBatches, INGEST_BATCH_LIMITS, type TBatchLimits } from './batches.ts';
export { measureClockOffset, isoWithOffset, type TClockSample } from './clock.ts';
export { InvalidAuditEventError, OutboxClosedError, RetryLaterError } from './errors.ts';
