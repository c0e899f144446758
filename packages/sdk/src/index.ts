/**
 * @modula/sdk — the client side of Modula Audit: the typed tRPC client and the durable offline
 * outbox that tills use to record audit events while the network comes and goes.
 */
import { FileOutboxStore } from './file-store.ts';
import { useDirectoryStore } from './outbox.ts';

useDirectoryStore((dir) => new FileOutboxStore(dir));

export { AuditOutbox } from './outbox.ts';
export type { TAuditOutboxOptions, TRecordInput, TSyncReport, TReachability } from './outbox-options.ts';
export { createAuditClient, type AuditClient, type TAuditClientOptions } from './client.ts';
export { FileOutboxStore, JournalCorruptError, parseJournal, JOURNAL_FILE } from './file-store.ts';
export { MemoryOutboxStore, type TOutboxStore } from './outbox-store.ts';
export { IndexedDbOutboxStore, OutboxBusyError, type TIndexedDbStoreOptions } from './indexeddb-store.ts';
export type { TOutboxEntry, TDeadLetter, TJournalOp } from './outbox-state.ts';
export { backoffDelay, retryAfterMs, DEFAULT_BACKOFF, RETRY_AFTER_MAX_MS, type TBackoffPolicy } from './backoff.ts';
export { splitBatches, INGEST_BATCH_LIMITS, type TBatchLimits } from './batches.ts';
export { measureClockOffset, isoWithOffset, type TClockSample } from './clock.ts';
export { InvalidAuditEventError, OutboxClosedError, RetryLaterError } from './errors.ts';
export { OutboxLockedError } from './dir-lock.ts';
