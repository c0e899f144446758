import type { TConfig } from '@modula/config';
import { JOBS, ZCheckpointJob } from '@modula/contracts';
import type { Orm } from '@modula/db';
import { allTenantIds, createCheckpoint, loadSigner, pinnedKeys, type TSigner } from '@modula/domain';
import { createRedis } from '@modula/queue';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';

export interface TCheckpointWorker {
  worker: Worker;
  queue: Queue;
  close(): Promise<void>;
}

const SCHEDULER_ID = 'checkpoint-every-tenant';

/**
 * Signs checkpoints on `audit-checkpoints`: a job scheduler (one per installation, whatever the
 * number of workers: `upsertJobScheduler` is idempotent) adds a job every CHECKPOINT_EVERY_MINUTES
 * that checkpoints every tenant whose log grew; a job naming a tenant checkpoints that one.
 */
export async function startCheckpointWorker(config: TConfig, orm: Orm, log: Logger): Promise<TCheckpointWorker> {
  const connection = createRedis(config.REDIS_URL, 'worker', (f, m) => log.warn(f, m));
  // loaded at the first job (worker/src/main.ts checked at start that it exists and is published)
  let signer: TSigner | undefined;
  const queue = new Queue(JOBS.checkpoint.queue, { connection, prefix: config.QUEUE_PREFIX });
  queue.on('error', () => {});
  await queue.upsertJobScheduler(SCHEDULER_ID, { every: Math.round(config.CHECKPOINT_EVERY_MINUTES * 60_000) }, {
    name: JOBS.checkpoint.name,
    data: { v: 1 },
    opts: { attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
  });

  const process = async (job: Job) => {
    const parsed = ZCheckpointJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`payload does not match ${JOBS.checkpoint.name} v1`);
    const tenants = parsed.data.tenantId ? [parsed.data.tenantId] : await allTenantIds(orm);
    let created = 0;
    const refused: string[] = [];
    signer ??= loadSigner(config);
    // a new checkpoint extends only one signed by a key pinned on this host, never a key a superuser added to signing_keys
    const { keyring } = await pinnedKeys(orm, config.DATA_DIR, signer);
    for (const tenantId of tenants) {
      try {
        if ((await createCheckpoint(orm, signer, tenantId, { onlyIfGrown: !parsed.data.tenantId, keyring })).created) created += 1;
      } catch (err) {
        // a broken chain is never signed over: say so loudly, and go on with the other tenants
        refused.push(tenantId);
        log.error({ tenantId, err: (err as Error).message }, 'checkpoint refused');
      }
    }
    return { tenants: tenants.length, created, refused };
  };

  const worker = new Worker(JOBS.checkpoint.queue, process, { connection, prefix: config.QUEUE_PREFIX, concurrency: 1 });
  worker.on('error', (err) => log.error({ err: err.message }, 'checkpoint worker error'));
  return {
    worker,
    queue,
    async close() {
      await worker.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
