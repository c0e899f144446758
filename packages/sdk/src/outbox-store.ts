import type { TJournalOp } from './outbox-state.ts';

/**
 * Where an outbox keeps its journal. Small on purpose so that a browser (IndexedDB) or a test
 * (memory) can provide its own; the outbox folds the records into its state itself.
 */
export interface TOutboxStore {
  /** Takes the store for this outbox alone and returns every record written so far, in order. */
  open(): Promise<TJournalOp[]>;
  /** Appends records; resolves only once they would survive a crash or power loss of the device. */
  append(ops: TJournalOp[]): Promise<void>;
  /** Atomically replaces the whole journal by `ops` (an equivalent, shorter history). */
  compact(ops: TJournalOp[]): Promise<void>;
  /** Releases the store. */
  close(): Promise<void>;
}

/** Keeps the journal in memory: for tests and for processes that accept losing it on exit. */
export class MemoryOutboxStore implements TOutboxStore {
  /** The records "on disk": survives close/open of the same instance, like a file would. */
  ops: TJournalOp[] = [];

  async open(): Promise<TJournalOp[]> {
    return structuredClone(this.ops);
  }

  async append(ops: TJournalOp[]): Promise<void> {
    this.ops.push(...structuredClone(ops));
  }

  async compact(ops: TJournalOp[]): Promise<void> {
    this.ops = structuredClone(ops);
  }

  async close(): Promise<void> {}
}
