import type { TJobDefinition } from '@modula/contracts';
import { retryOptions, type TRedis } from '@modula/queue';
import { Queue } from 'bullmq';

/** A registry job with a fixed retry policy whose whole payload is its version: what a scheduler adds. */
type TScheduledJob = Pick<TJobDefinition, 'queue' | 'name' | 'version'> & { retry: { attempts: number; backoffMs: number } };

/**
 * Registers the job scheduler `id`, which adds `job` every `everyMs`. One per installation however
 * many workers run: `upsertJobScheduler` is idempotent. `scheduled` settles once Redis has it.
 */
export function scheduleJob(
  connection: TRedis,
  prefix: string,
  job: TScheduledJob,
  id: string,
  everyMs: number,
): { queue: Queue; scheduled: Promise<unknown> } {
  const queue = new Queue(job.queue, { connection, prefix });
  queue.on('error', () => {});
  const scheduled = queue.upsertJobScheduler(
    id,
    { every: everyMs },
    {
      name: job.name,
      data: { v: job.version },
      opts: { ...retryOptions(job.retry), removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
    },
  );
  return { queue, scheduled };
}
