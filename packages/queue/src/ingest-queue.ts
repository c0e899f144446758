import { JOBS, type TAcceptedEvent, type TIngestJobInput } from '@modula/contracts';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

export interface TRetryPolicy {
  attempts: number;
  backoffMs: number;
  backoffMaxMs: number;
}

/** Exponential backoff with full jitter, capped: transient faults are retried, never dropped. */
export function backoffDelay(attemptsMade: number, policy: Pick<TRetryPolicy, 'backoffMs' | 'backoffMaxMs'>): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export class IngestQueue {
  readonly queue: Queue;
  private readonly jobOptions: JobsOptions;

  constructor(private readonly redis: Redis, private readonly prefix: string, policy: TRetryPolicy) {
    this.queue = new Queue(JOBS.ingest.queue, { connection: redis, prefix });
    // each operation's caller gets its own error; the connection reports the outage (createRedis)
    this.queue.on('error', () => {});
    this.jobOptions = {
      attempts: policy.attempts,
      backoff: { type: 'capped-jitter' },
      removeOnComplete: { count: 1000 },
      // failed jobs stay until an operator re-drives them (metrics alert on them)
      removeOnFail: false,
    };
  }

  /**
   * Queues the accepted events of one tenant as one job. Resolves once Redis has the job, which
   * with `appendfsync always` means it is on disk: only then may the caller acknowledge.
   */
  async enqueue(tenantId: string, events: TAcceptedEvent[], receivedAt: string, opts: { delayMs?: number; branchWaits?: number; jobId?: string } = {}): Promise<void> {
    const payload: TIngestJobInput = { v: 1, tenantId, receivedAt, events, branchWaits: opts.branchWaits ?? 0 };
    const eventIds = events.map((e) => e.eventId);
    // pending first: a fast worker may store (and unmark) the events before add() returns
    await this.markPending(tenantId, eventIds);
    try {
      await this.queue.add(JOBS.ingest.name, payload, {
        ...this.jobOptions,
        ...(opts.delayMs ? { delay: opts.delayMs } : {}),
        ...(opts.jobId ? { jobId: opts.jobId } : {}),
      });
    } catch (err) {
      await this.clearPending(tenantId, eventIds).catch(() => {});
      throw err;
    }
  }

  private pendingKey(tenantId: string): string {
    return `${this.prefix}:pending:${tenantId}`;
  }

  /** Remembers accepted-but-not-stored ids so `ingest.status` can say PENDING. */
  private async markPending(tenantId: string, eventIds: string[]): Promise<void> {
    await this.redis.sadd(this.pendingKey(tenantId), ...eventIds);
  }

  async clearPending(tenantId: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.redis.srem(this.pendingKey(tenantId), ...eventIds);
  }

  async pendingAmong(tenantId: string, eventIds: string[]): Promise<Set<string>> {
    const flags = await this.redis.smismember(this.pendingKey(tenantId), ...eventIds);
    return new Set(eventIds.filter((_, i) => flags[i] === 1));
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
