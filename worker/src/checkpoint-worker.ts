import type { TConfig } from '@modula/config';
import { JOBS, SYSTEM_PROVENANCE } from '@modula/contracts';
import type { Orm } from '@modula/db';
import { AppError, allTenantIds, createCheckpoint, judgeEvents, loadSigner, pinnedKeys, type TSigner } from '@modula/domain';
import { AlertQueue, configuredRetry, IngestQueue } from '@modula/queue';
import { expireDueTenants } from './retention-job.ts';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { runJobs, workerConnection, type TJobPayload, type TJobRunner } from './job-runner.ts';
import { scheduleJob } from './job-schedule.ts';

export interface TCheckpointWorker extends TJobRunner {
  queue: Queue;
}

const SCHEDULER_ID = 'checkpoint-every-tenant';
const RETENTION_SCHEDULER_ID = 'retention-every-tenant';

/**
 * Signs checkpoints on `audit-checkpoints`: a job scheduler (one per installation, whatever the
 * number of workers: `upsertJobScheduler` is idempotent) adds a job every CHECKPOINT_EVERY_MINUTES
 * that checkpoints every tenant whose log grew; a job naming a tenant checkpoints that one.
 */
export async function startCheckpointWorker(config: TConfig, orm: Orm, log: Logger): Promise<TCheckpointWorker> {
  const connection = workerConnection(config, log);
  // loaded at the first job (worker/src/main.ts checked at start that it exists and is published)
  let signer: TSigner | undefined;
  const { queue, scheduled } = scheduleJob(
    connection,
    config.QUEUE_PREFIX,
    JOBS.checkpoint,
    SCHEDULER_ID,
    Math.round(config.CHECKPOINT_EVERY_MINUTES * 60_000),
  );
  await scheduled;
  // a refusal because the log contradicts its chain or checkpoints raises CHAIN_BROKEN (issue 16)
  const alerts = new AlertQueue(connection, config.QUEUE_PREFIX);

  const checkpoint = async (payload: TJobPayload<'checkpoint'>) => {
    const tenants = payload.tenantId ? [payload.tenantId] : await allTenantIds(orm);
    let created = 0;
    const refused: string[] = [];
    signer ??= loadSigner(config);
    // a new checkpoint extends only one signed by a key pinned on this host, never a key a superuser added to signing_keys
    const { keyring } = await pinnedKeys(orm, config.DATA_DIR, signer);
    for (const tenantId of tenants) {
      try {
        if ((await createCheckpoint(orm, signer, tenantId, { onlyIfGrown: !payload.tenantId, keyring })).created) created += 1;
      } catch (err) {
        // a broken chain is never signed over: say so loudly, and go on with the other tenants
        refused.push(tenantId);
        log.error({ tenantId, err: (err as Error).message }, 'checkpoint refused');
        if (err instanceof AppError && err.code === 'CONFLICT') {
          const seq = /seq (\d+)/.exec(err.message)?.[1];
          await alerts
            .chainBroken({
              tenantId,
              brokenSeq: seq ? Number(seq) : null,
              source: 'checkpoint',
              reason: err.message.slice(0, 500),
              detectedAt: new Date().toISOString(),
            })
            .catch((e: Error) => log.error({ tenantId, err: e.message }, 'could not queue the chain-broken alert'));
        }
      }
    }
    return { tenants: tenants.length, created, refused };
  };

  // retention's expiry shares the queue: once per installation every RETENTION_EVERY_HOURS
  const retentionSchedule = scheduleJob(
    connection,
    config.QUEUE_PREFIX,
    JOBS.retention,
    RETENTION_SCHEDULER_ID,
    Math.round(config.RETENTION_EVERY_HOURS * 3_600_000),
  );
  await retentionSchedule.scheduled;
  const ingest = new IngestQueue(connection, config.QUEUE_PREFIX, configuredRetry(config));
  const retention = async (payload: TJobPayload<'retention'>) => {
    signer ??= loadSigner(config);
    return expireDueTenants(config, orm, signer, log, payload.tenantId, async (event) => {
      const judged = judgeEvents([event], { kind: 'system' });
      await ingest.enqueue(
        event.tenantId,
        judged.accepted.map((a) => a.event),
        new Date().toISOString(),
        { provenance: SYSTEM_PROVENANCE },
      );
    });
  };

  const runner = runJobs(config, log, connection, {
    queue: JOBS.checkpoint.queue,
    handlers: { checkpoint, retention },
    concurrency: 1,
    closeAfter: [queue, retentionSchedule.queue, ingest, alerts],
  });
  return { ...runner, queue };
}
