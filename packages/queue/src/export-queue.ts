import { JOBS, type TExportJob } from '@modula/contracts';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { retryOptions } from './job-retry.ts';

/** Producer side of `audit-exports`: one job per requested export pack, deduplicated by export id. */
export class ExportQueue {
  readonly queue: Queue;

  constructor(redis: Redis, prefix: string) {
    this.queue = new Queue(JOBS.export.queue, { connection: redis, prefix });
    this.queue.on('error', () => {});
  }

  async enqueue(tenantId: string, exportId: string): Promise<void> {
    const payload: TExportJob = { v: 1, tenantId, exportId };
    await this.queue.add(JOBS.export.name, payload, {
      jobId: `export-${exportId}`,
      ...retryOptions(JOBS.export.retry),
      removeOnComplete: { count: 1000 },
      removeOnFail: false,
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
