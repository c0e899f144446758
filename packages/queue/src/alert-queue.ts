import { JOBS, type TAlertChainBrokenJob } from '@modula/contracts';
import { Queue } from 'bullmq';
import type { TRedis } from './connection.ts';
import { retryOptions } from './job-retry.ts';

/**
 * Producer side of `audit-alerts`. `nudge` is what the ingest worker adds after each stored batch:
 * one evaluation job per tenant at a time (BullMQ deduplication by tenant while it waits or runs),
 * so a burst of batches costs one Redis call each and one evaluation, never a slower ingest.
 */
export class AlertQueue {
  readonly queue: Queue;

  constructor(redis: TRedis, prefix: string) {
    this.queue = new Queue(JOBS.alertEvaluate.queue, { connection: redis, prefix });
    this.queue.on('error', () => {});
  }

  async nudge(tenantId: string): Promise<void> {
    await this.queue.add(
      JOBS.alertEvaluate.name,
      { v: 1, tenantId },
      {
        deduplication: { id: `alert-evaluate-${tenantId}` },
        ...retryOptions(JOBS.alertEvaluate.retry),
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      },
    );
  }

  /**
   * Called by the evaluation as it starts: a nudge from now on makes a new job instead of being
   * absorbed by this one. Without it, a batch stored while an evaluation was finishing (after it
   * had read the chain head) left its tenant behind until the sweep, a minute later.
   */
  async releaseNudge(tenantId: string): Promise<void> {
    await this.queue.removeDeduplicationKey(`alert-evaluate-${tenantId}`);
  }

  /** One delivery job per alert (a second add while it exists is ignored: the sweep may add it again). */
  async enqueueDelivery(tenantId: string, alertId: string): Promise<void> {
    await this.queue.add(
      JOBS.alertDeliver.name,
      { v: 1, tenantId, alertId },
      { jobId: `alert-deliver-${alertId}`, ...retryOptions(JOBS.alertDeliver.retry), removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
    );
  }

  /** A verification found the chain broken: the alert worker raises CHAIN_BROKEN (once per window). */
  async chainBroken(found: Omit<TAlertChainBrokenJob, 'v'>): Promise<void> {
    const payload: TAlertChainBrokenJob = { v: 1, ...found };
    await this.queue.add(JOBS.alertChainBroken.name, payload, {
      ...retryOptions(JOBS.alertChainBroken.retry),
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 1000 },
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
