import { administrationEvent } from '@modula/domain';
import { printJson, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withIngestQueue } from './with-ingest-queue.ts';

export const jobsFailed: TCommand = {
  summary: 'Lists ingest jobs that exhausted their retries (id, tenant, events, last error).',
  options: {},
  async run() {
    await withIngestQueue(async (queue) => {
      for (const job of await queue.queue.getFailed(0, 999)) {
        const data = job.data as { tenantId?: string; events?: unknown[] };
        printJson({ jobId: job.id, tenantId: data.tenantId, events: data.events?.length ?? 0, attemptsMade: job.attemptsMade, failedReason: job.failedReason });
      }
    });
    return 0;
  },
};

export const jobsRetry: TCommand = {
  summary: 'Re-drives every failed ingest job (after the cause is fixed); events already stored stay stored once.',
  options: {},
  async run() {
    const perTenant = new Map<string, { jobs: number; events: number }>();
    const retried = await withIngestQueue(async (queue) => {
      const failed = await queue.queue.getFailed(0, -1);
      for (const job of failed) {
        // from attempt one again: a re-driven job gets its retries with backoff, not a single try
        await job.retry('failed', { resetAttemptsMade: true });
        const data = job.data as { tenantId?: string; events?: unknown[] };
        if (typeof data.tenantId !== 'string') continue;
        const n = perTenant.get(data.tenantId) ?? { jobs: 0, events: 0 };
        perTenant.set(data.tenantId, { jobs: n.jobs + 1, events: n.events + (data.events?.length ?? 0) });
      }
      return failed.length;
    });
    const operator = operatorActor();
    await recordAdministration(
      [...perTenant].map(([tenantId, counts]) => administrationEvent(tenantId, 'JOBS_REDRIVEN', operator, undefined, { metadata: counts })),
    );
    printJson({ retried });
    return 0;
  },
};
