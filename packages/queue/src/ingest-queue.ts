import { JOBS, ZProvenance, type TAcceptedEvent, type TIngestJobInput, type TProvenance } from '@modula/contracts';
import { Queue, type JobsOptions } from 'bullmq';
import type { TRedis } from './connection.ts';
import { AckOrder, AckTicketReleasedError, type TOrphanRelease } from './ack-order.ts';
import { retryOptions, type TRetryPolicy } from './job-retry.ts';

export interface TEnqueueOptions {
  /** Events that wait for their branch: queued with a delay, outside the acknowledgement order. */
  waitFor?: { delayMs: number; branchWaits: number; jobId: string; ackAtMs: number };
  /** Who sent the events, kept in their stored records (absent only for jobs of an unknown sender). */
  provenance?: TProvenance | null | undefined;
}

export class IngestQueue {
  readonly queue: Queue;
  readonly order: AckOrder;
  private readonly jobOptions: JobsOptions;

  constructor(
    private readonly redis: TRedis,
    private readonly prefix: string,
    policy: TRetryPolicy,
  ) {
    this.queue = new Queue(JOBS.ingest.queue, { connection: redis, prefix });
    this.order = new AckOrder(redis, prefix);
    // each operation's caller gets its own error; the connection reports the outage (createRedis)
    this.queue.on('error', () => {});
    this.jobOptions = {
      ...retryOptions(JOBS.ingest.retry, policy),
      // a completed job's payload is a copy of events now in PostgreSQL: none is kept in Redis
      removeOnComplete: true,
      // failed jobs stay until an operator re-drives them (metrics alert on them)
      removeOnFail: false,
    };
  }

  /**
   * Queues the accepted events of one tenant as one job. Resolves once Redis has the job, which
   * with `appendfsync always` means it is on disk: only then may the caller acknowledge. The job
   * holds the tenant's next ticket, so it is judged after every job acknowledged before it. Rejects
   * with AckTicketReleasedError when a worker released that ticket as an orphan while the add was
   * under way: a job acknowledged after this one would not wait for it, so it is not acknowledged.
   */
  async enqueue(tenantId: string, events: TAcceptedEvent[], receivedAt: string, opts: TEnqueueOptions = {}): Promise<void> {
    const eventIds = events.map((e) => e.eventId);
    const { waitFor, provenance } = opts;
    // checked before anything is queued: a job the worker cannot read would hold acknowledged events forever
    if (provenance) ZProvenance.parse(provenance);
    // listed first: a fast worker may store (and release) the events before add() returns
    const { jobId, ticket } = waitFor ? { jobId: waitFor.jobId, ticket: undefined } : await this.order.take(tenantId, eventIds);
    if (waitFor) await this.order.listUnstored(tenantId, jobId, waitFor.ackAtMs, eventIds);
    const payload: TIngestJobInput = {
      v: 1,
      tenantId,
      receivedAt,
      events,
      branchWaits: waitFor?.branchWaits ?? 0,
      ...(ticket ? { ticket } : {}),
      ...(provenance ? { provenance } : {}),
    };
    try {
      await this.queue.add(JOBS.ingest.name, payload, { ...this.jobOptions, jobId, ...(waitFor ? { delay: waitFor.delayMs } : {}) });
    } catch (err) {
      // never acknowledged (or, for waiting events, still held by the job that hands them on):
      // the ticket must not hold the tenant's later jobs
      await this.order.release(tenantId, jobId, waitFor ? [] : eventIds).catch(() => {});
      throw err;
    }
    if (ticket === undefined || (await this.order.confirm(tenantId, jobId))) return;
    // Its ticket was released as an orphan while the add was under way, and jobs behind it may
    // already be stored. Not acknowledged: the job goes if BullMQ still lets it (a worker holding
    // it stores it, harmlessly: the client resends and dedupe makes that a no-op).
    await this.queue.remove(jobId).catch(() => 0);
    await this.order.release(tenantId, jobId, eventIds).catch(() => {});
    throw new AckTicketReleasedError(jobId);
  }

  /**
   * A worker found no job for the ticket that holds its own: releases it when its job is not in
   * Redis and its producer either confirmed the add (the job is gone since) or, by Redis' clock,
   * took it ORPHAN_TICKET_MS ago without confirming (AckOrder.releaseOrphan).
   */
  async releaseOrphanTicket(tenantId: string, jobId: string): Promise<TOrphanRelease> {
    return this.order.releaseOrphan(tenantId, jobId, this.queue.toKey(jobId));
  }

  async pendingAmong(tenantId: string, eventIds: string[]): Promise<Set<string>> {
    return this.order.pendingAmong(tenantId, eventIds);
  }

  async counts() {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
  }

  /**
   * Age in ms of the oldest job still waiting (0 when none). Reads the job's timestamp field only:
   * loading the job would parse its whole payload (up to a full batch) on every scrape.
   */
  async lagMs(): Promise<number> {
    const base = `${this.prefix}:${JOBS.ingest.queue}`;
    const oldestId = await this.redis.lindex(`${base}:wait`, -1);
    if (!oldestId) return 0;
    const timestamp = Number(await this.redis.hget(`${base}:${oldestId}`, 'timestamp'));
    return timestamp ? Math.max(0, Date.now() - timestamp) : 0;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
