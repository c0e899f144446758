import type { TJournalOp } from './outbox-state.ts';
import type { TOutboxStore } from './outbox-store.ts';

const OBJECT_STORE = 'journal';

export class OutboxBusyError extends Error {
  constructor(readonly outboxName: string) {
    super(`the outbox ${JSON.stringify(outboxName)} is open in another tab or window; one outbox per name`);
    this.name = 'OutboxBusyError';
  }
}

export interface TIndexedDbStoreOptions {
  /** Names the database (`modula-audit-outbox:<name>`): one outbox per name, e.g. the till's id. */
  name: string;
  /** Default: the browser's `indexedDB` (tests pass fake-indexeddb's). */
  indexedDB?: IDBFactory;
  /** Default: `navigator.locks` when the browser has it (one writer across tabs). */
  locks?: LockManager;
}

/**
 * The browser store: the same journal records as the Node file store, one IndexedDB record each
 * under an auto-incremented key (so their order is kept). Every append is one `readwrite`
 * transaction with `durability: 'strict'`, which resolves only once the browser reports the data
 * flushed to disk; compaction clears and rewrites the records in one transaction (all or
 * nothing). A Web Lock keeps a second tab from writing the same journal.
 */
export class IndexedDbOutboxStore implements TOutboxStore {
  private db: IDBDatabase | null = null;
  private releaseLock: (() => void) | null = null;

  constructor(private readonly opts: TIndexedDbStoreOptions) {}

  async open(): Promise<TJournalOp[]> {
    await this.lock();
    try {
      const factory = this.opts.indexedDB ?? globalThis.indexedDB;
      const request = factory.open(`modula-audit-outbox:${this.opts.name}`, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(OBJECT_STORE, { autoIncrement: true });
      this.db = await done(request);
      const tx = this.db.transaction(OBJECT_STORE, 'readonly');
      return (await done(tx.objectStore(OBJECT_STORE).getAll())) as TJournalOp[];
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async append(ops: TJournalOp[]): Promise<void> {
    const tx = this.transaction();
    const store = tx.objectStore(OBJECT_STORE);
    for (const op of ops) store.add(op);
    await committed(tx);
  }

  async compact(ops: TJournalOp[]): Promise<void> {
    const tx = this.transaction();
    const store = tx.objectStore(OBJECT_STORE);
    store.clear();
    for (const op of ops) store.add(op);
    await committed(tx);
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = null;
    this.releaseLock?.();
    this.releaseLock = null;
  }

  private transaction(): IDBTransaction {
    if (!this.db) throw new Error('the outbox store is closed');
    return this.db.transaction(OBJECT_STORE, 'readwrite', { durability: 'strict' });
  }

  /** Holds an exclusive Web Lock named after the outbox until close(); refuses if another tab holds it. */
  private async lock(): Promise<void> {
    const locks = this.opts.locks ?? (globalThis.navigator as Navigator | undefined)?.locks;
    if (!locks) return;
    const granted = await new Promise<boolean>((resolveGranted) => {
      void locks.request(`modula-audit-outbox:${this.opts.name}`, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolveGranted(false);
          return undefined;
        }
        resolveGranted(true);
        return new Promise<void>((release) => {
          this.releaseLock = release;
        });
      });
    });
    if (!granted) throw new OutboxBusyError(this.opts.name);
  }
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}
