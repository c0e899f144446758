import { LIMITS, type TAcceptedEvent, type TProvenance } from '@modula/contracts';
import type { IngestQueue } from './ingest-queue.ts';

interface Pending {
  tenantId: string;
  provenance: TProvenance;
  events: TAcceptedEvent[];
  receivedAt: string;
  waiters: { resolve(): void; reject(err: unknown): void }[];
}

/**
 * Group commit for the ingest queue: calls for the same tenant made in the same turn of the
 * event loop share one job (up to a full batch), so many single-event callers cost one Redis
 * write and one fsync, and the worker stores them in one transaction. Every caller still
 * resolves only once its events are durably queued. Calls from different senders (credential and
 * address) never share a job: each stored event records who sent it.
 */
export class CoalescingEnqueuer {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly queue: IngestQueue) {}

  enqueue(tenantId: string, events: TAcceptedEvent[], receivedAt: string, provenance: TProvenance): Promise<void> {
    if (events.length >= LIMITS.batchMaxEvents) return this.queue.enqueue(tenantId, events, receivedAt, { provenance });
    const key = `${tenantId}|${provenance.credential}|${provenance.sourceAddress ?? ''}`;
    return new Promise((resolve, reject) => {
      let group = this.pending.get(key);
      if (group && group.events.length + events.length > LIMITS.batchMaxEvents) {
        this.flush(key);
        group = undefined;
      }
      if (!group) {
        group = { tenantId, provenance, events: [], receivedAt, waiters: [] };
        this.pending.set(key, group);
        setImmediate(() => {
          if (this.pending.get(key) === group) this.flush(key);
        });
      }
      group.events.push(...events);
      group.waiters.push({ resolve, reject });
    });
  }

  private flush(key: string): void {
    const group = this.pending.get(key);
    if (!group) return;
    this.pending.delete(key);
    this.queue.enqueue(group.tenantId, group.events, group.receivedAt, { provenance: group.provenance }).then(
      () => group.waiters.forEach((w) => w.resolve()),
      (err: unknown) => group.waiters.forEach((w) => w.reject(err)),
    );
  }
}
