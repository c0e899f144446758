import { LIMITS, type TAcceptedEvent } from '@modula/contracts';
import type { IngestQueue } from './ingest-queue.ts';

interface Pending {
  events: TAcceptedEvent[];
  receivedAt: string;
  waiters: { resolve(): void; reject(err: unknown): void }[];
}

/**
 * Group commit for the ingest queue: calls for the same tenant made in the same turn of the
 * event loop share one job (up to a full batch), so many single-event callers cost one Redis
 * write and one fsync, and the worker stores them in one transaction. Every caller still
 * resolves only once its events are durably queued.
 */
export class CoalescingEnqueuer {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly queue: IngestQueue) {}

  enqueue(tenantId: string, events: TAcceptedEvent[], receivedAt: string): Promise<void> {
    if (events.length >= LIMITS.batchMaxEvents) return this.queue.enqueue(tenantId, events, receivedAt);
    return new Promise((resolve, reject) => {
      let group = this.pending.get(tenantId);
      if (group && group.events.length + events.length > LIMITS.batchMaxEvents) {
        this.flush(tenantId);
        group = undefined;
      }
      if (!group) {
        group = { events: [], receivedAt, waiters: [] };
        this.pending.set(tenantId, group);
        setImmediate(() => { if (this.pending.get(tenantId) === group) this.flush(tenantId); });
      }
      group.events.push(...events);
      group.waiters.push({ resolve, reject });
    });
  }

  private flush(tenantId: string): void {
    const group = this.pending.get(tenantId);
    if (!group) return;
    this.pending.delete(tenantId);
    this.queue.enqueue(tenantId, group.events, group.receivedAt).then(
      () => group.waiters.forEach((w) => w.resolve()),
      (err: unknown) => group.waiters.forEach((w) => w.reject(err)),
    );
  }
}
