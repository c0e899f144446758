import { randomUUID } from 'node:crypto';
import { JOBS } from '@modula/contracts';
import { AlertQueue, createRedis } from '@modula/queue';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../testing/events.ts';

/**
 * The alert evaluation's nudges on the real Redis and BullMQ of the test run. A nudge is
 * deduplicated per tenant while its job waits or runs — and a batch stored while the evaluation
 * runs, after it read the chain head, must still get an evaluation of its own, not wait for the
 * sweep a minute later. The evaluation releases the deduplication as it starts (releaseNudge).
 */
const redisUrl = inject('redisUrl');
let redis: ReturnType<typeof createRedis>;

beforeAll(() => {
  redis = createRedis(redisUrl, 'producer');
});
afterAll(() => redis?.disconnect());

/**
 * A queue of its own (its own prefix: a closed worker's last blocking fetch must not take the next
 * test's job) and one evaluator that runs jobs one at a time, each holding until `release()`, as a
 * long evaluation does.
 */
function evaluator(onStart: (alerts: AlertQueue, tenantId: string) => Promise<void>) {
  const prefix = `nudge-${randomUUID().slice(0, 8)}`;
  const alerts = new AlertQueue(redis, prefix);
  const connection = createRedis(redisUrl, 'worker');
  const started: string[] = [];
  let release = () => {};
  const worker = new Worker(
    JOBS.alertEvaluate.queue,
    async (job) => {
      await onStart(alerts, job.data.tenantId);
      started.push(job.id!);
      await new Promise<void>((r) => {
        release = r;
      });
    },
    { connection, prefix, concurrency: 1 },
  );
  const close = async () => {
    release();
    await worker.close();
    connection.disconnect();
    await alerts.close();
  };
  return { alerts, worker, started, release: () => release(), close };
}

describe('alert nudges', () => {
  it('a burst while one waits is one job; a nudge while it runs is a job of its own once the run released it', async () => {
    const tenantId = randomUUID();
    const run = evaluator((alerts, t) => alerts.releaseNudge(t));
    const { alerts } = run;
    try {
      await eventually(async () => ((await run.worker.isRunning()) ? true : undefined));
      for (let i = 0; i < 5; i++) await alerts.nudge(tenantId);
      await eventually(async () => (run.started.length === 1 ? true : undefined));
      // stored while the first evaluation runs: without the release this nudge was absorbed
      await alerts.nudge(tenantId);
      await alerts.nudge(tenantId);
      expect(await alerts.queue.getWaitingCount()).toBe(1);
      run.release();
      await eventually(async () => (run.started.length === 2 ? true : undefined));
      run.release();
      await eventually(async () => ((await alerts.queue.getJobCounts('waiting', 'active')).active === 0 ? true : undefined));
      expect(run.started).toHaveLength(2);
    } finally {
      await run.close();
    }
  });

  it('without the release, the nudge during a run is absorbed (what the release is for)', async () => {
    const tenantId = randomUUID();
    const run = evaluator(async () => {});
    const { alerts } = run;
    try {
      await eventually(async () => ((await run.worker.isRunning()) ? true : undefined));
      await alerts.nudge(tenantId);
      await eventually(async () => (run.started.length === 1 ? true : undefined));
      await alerts.nudge(tenantId);
      expect(await alerts.queue.getWaitingCount()).toBe(0);
      run.release();
    } finally {
      await run.close();
    }
  });
});
