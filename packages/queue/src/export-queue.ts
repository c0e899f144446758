import { JOBS, type TExportJob, type TExportMailJob } from '@modula/contracts';
import { Queue } from 'bullmq';
import type { TRedis } from './connection.ts';
import { retryOptions } from './job-retry.ts';

/** Producer side of `audit-exports`: one job per requested export pack, deduplicated by export id. */
export class ExportQueue {
  readonly queue: Queue;

  constructor(redis: TRedis, prefix: string) {
    this.queue = new Queue(JOBS.export.queue, { connection: redis, prefix });
    this.queue.on('error', () => {});
  }

  /** `request`: the digest of what was asked for (exportRequestDigest), checked by the worker against the row. */
  async enqueue(tenantId: string, exportId: string, request?: string): Promise<void> {
    const payload: TExportJob = { v: 1, tenantId, exportId, ...(request ? { request } : {}) };
    await this.queue.add(JOBS.export.name, payload, {
      jobId: `export-${exportId}`,
      ...retryOptions(JOBS.export.retry),
      removeOnComplete: { count: 1000 },
      removeOnFail: false,
    });
  }

  /** The mail with the link of a ready pack: one per export (a re-run of the export job adds none). */
  async enqueueMail(tenantId: string, exportId: string): Promise<void> {
    const payload: TExportMailJob = { v: 1, tenantId, exportId };
    await this.queue.add(JOBS.exportMail.name, payload, {
      jobId: `export-mail-${exportId}`,
      ...retryOptions(JOBS.exportMail.retry),
      removeOnComplete: { count: 1000 },
      removeOnFail: false,
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
