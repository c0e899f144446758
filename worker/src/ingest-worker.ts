import type { TConfig } from '@modula/config';
import { JOBS, ZIngestJobEnvelope, type TIngestJob } from '@modula/contracts';
import type { Orm } from '@modula/db';
import { readJobEvents, storeIsolated } from '@modula/domain';
import { backoffDelay, createRedis, incrementCounters, IngestQueue } from '@modula/queue';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { awaitTurn, wakeNext } from './ack-turn.ts';

export interface TIngestWorker {
  worker: Worker;
  close(graceMs?: number): Promise<void>;
}

export interface TIngestWorkerHooks {
  /**
   * Runs after the job's turn has come and before its transaction starts. For tests that force an
   * interleaving of jobs (hold one while another runs); nothing in the service sets it.
   */
  beforeStore?: (job: TIngestJob) => Promise<void>;
}

/**
 * Consumes `audit-ingest`: one job is one tenant's accepted batch, stored in one transaction once
 * every job of the tenant acknowledged before it is stored. A crash anywhere before the commit
 * re-runs the job whole; after it, the re-run finds every event already stored (same content)
 * and does nothing: exactly once.
 */
export function startIngestWorker(config: TConfig, orm: Orm, log: Logger, hooks: TIngestWorkerHooks = {}): TIngestWorker {
  const connection = createRedis(config.REDIS_URL, 'worker', (f, m) => log.warn(f, m));
  const policy = { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS, backoffMaxMs: config.JOB_BACKOFF_MAX_MS };
  const queue = new IngestQueue(connection, config.QUEUE_PREFIX, policy);

  const process = async (job: Job, token?: string) => {
    const parsed = ZIngestJobEnvelope.safeParse(job.data);
    if (!parsed.success) {
      // retrying cannot fix an envelope this version cannot read: keep it in the failed set for an operator
      throw new UnrecoverableError(`payload does not match ${JOBS.ingest.name} v1: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const { events, unreadable } = readJobEvents(parsed.data.events);
    const payload: TIngestJob = { ...parsed.data, events };
    await awaitTurn(queue, job, token, payload.tenantId, payload.ticket);
    await hooks.beforeStore?.(payload);
    const lastBranchWait = payload.branchWaits >= config.UNKNOWN_BRANCH_WAITS;
    const outcome = await storeIsolated(orm, payload, unreadable, { lastBranchWait });

    if (outcome.waiting.length > 0) {
      const waits = payload.branchWaits + 1;
      await queue.enqueue(payload.tenantId, outcome.waiting, payload.receivedAt, {
        provenance: payload.provenance,
        waitFor: {
          delayMs: config.UNKNOWN_BRANCH_DELAY_MS * 2 ** payload.branchWaits,
          branchWaits: waits,
          jobId: `${job.id}-w${waits}`,
          ackAtMs: await queue.order.ackedAt(job.id!) ?? job.timestamp,
        },
      });
    }
    const waiting = new Set(outcome.waiting.map((e) => e.eventId));
    await queue.order.release(payload.tenantId, job.id!, events.map((e) => e.eventId).filter((id) => !waiting.has(id)));
    if (payload.ticket !== undefined) await wakeNext(queue, payload.tenantId).catch((err: Error) => log.warn({ err: err.message }, 'could not wake the next job'));
    await incrementCounters(connection, config.QUEUE_PREFIX, {
      stored: outcome.stored.length, duplicates: outcome.duplicates, quarantined: outcome.quarantined.length, branchWaits: outcome.waiting.length,
    });
    const summary = { tenantId: payload.tenantId, stored: outcome.stored.length, duplicates: outcome.duplicates, quarantined: outcome.quarantined.length, waiting: outcome.waiting.length };
    log.debug({ jobId: job.id, ...summary }, 'batch stored');
    if (outcome.quarantined.length > 0) log.warn({ jobId: job.id, tenantId: payload.tenantId, quarantined: outcome.quarantined }, 'events quarantined');
    return summary;
  };

  const worker = new Worker(JOBS.ingest.queue, process, {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_STALLED_CHECK_MS,
    // a stalled job is re-run, never failed for stalling: its events were acknowledged
    maxStalledCount: Number.MAX_SAFE_INTEGER,
    settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, policy) },
  });
  worker.on('failed', (job, err) => {
    const exhausted = job && (job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError);
    // a job failed for good must not hold its tenant's later jobs; it stays unstored (and alerted on) until re-driven
    const tenantId = (job?.data as { tenantId?: unknown } | undefined)?.tenantId;
    if (exhausted && job?.id && typeof tenantId === 'string') void queue.order.closeTicket(tenantId, job.id).catch(() => {});
    log[exhausted ? 'error' : 'warn']({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, exhausted ? 'job failed for good: re-drive it with the CLI' : 'job failed, will retry');
  });
  worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));

  return {
    worker,
    async close(graceMs = 15_000) {
      // Finish active jobs, but never hang a shutdown: BullMQ's close can wait on its blocking
      // connection indefinitely after an outage. A job cut short runs again later, exactly once.
      const closed = await Promise.race([
        worker.close().then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref()),
      ]);
      if (!closed) log.warn({ graceMs }, 'worker did not close in time; disconnecting anyway');
      await queue.close();
      connection.disconnect();
    },
  };
}
