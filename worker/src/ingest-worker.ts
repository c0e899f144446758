import type { TConfig } from '@modula/config';
import { JOBS, type TIngestJob } from '@modula/contracts';
import type { Orm } from '@modula/db';
import { readJobEvents, storeIsolated } from '@modula/domain';
import { AlertQueue, configuredRetry, incrementCounters, IngestQueue } from '@modula/queue';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { awaitTurn, wakeNext } from './ack-turn.ts';
import { runJobs, workerConnection, type TJobPayload, type TJobRunner } from './job-runner.ts';

export type TIngestWorker = TJobRunner;

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
  const connection = workerConnection(config, log);
  const queue = new IngestQueue(connection, config.QUEUE_PREFIX, configuredRetry(config));
  // alerts: one deduplicated nudge per stored batch; the evaluation itself runs on audit-alerts
  const alerts = new AlertQueue(connection, config.QUEUE_PREFIX);

  // the runner parsed the envelope; its events are read here one by one
  const store = async (envelope: TJobPayload<'ingest'>, job: Job, token: string | undefined) => {
    const { events, unreadable } = readJobEvents(envelope.events);
    const payload: TIngestJob = { ...envelope, events };
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
          ackAtMs: (await queue.order.ackedAt(job.id!)) ?? job.timestamp,
        },
      });
    }
    const waiting = new Set(outcome.waiting.map((e) => e.eventId));
    await queue.order.release(
      payload.tenantId,
      job.id!,
      events.map((e) => e.eventId).filter((id) => !waiting.has(id)),
    );
    if (payload.ticket !== undefined)
      await wakeNext(queue, payload.tenantId).catch((err: Error) => log.warn({ err: err.message }, 'could not wake the next job'));
    if (outcome.stored.length > 0)
      await alerts.nudge(payload.tenantId).catch((err: Error) => log.warn({ err: err.message }, 'could not nudge the alert evaluation; the sweep will'));
    await incrementCounters(connection, config.QUEUE_PREFIX, {
      stored: outcome.stored.length,
      duplicates: outcome.duplicates,
      quarantined: outcome.quarantined.length,
      branchWaits: outcome.waiting.length,
    });
    const summary = {
      tenantId: payload.tenantId,
      stored: outcome.stored.length,
      duplicates: outcome.duplicates,
      quarantined: outcome.quarantined.length,
      waiting: outcome.waiting.length,
    };
    log.debug({ jobId: job.id, ...summary }, 'batch stored');
    if (outcome.quarantined.length > 0) log.warn({ jobId: job.id, tenantId: payload.tenantId, quarantined: outcome.quarantined }, 'events quarantined');
    return summary;
  };

  return runJobs(config, log, connection, {
    queue: JOBS.ingest.queue,
    handlers: { ingest: store },
    concurrency: config.WORKER_CONCURRENCY,
    locks: {
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_CHECK_MS,
      // a stalled job is re-run, never failed for stalling: its events were acknowledged
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    },
    redrive: 're-drive it with the CLI',
    onFailed(job, _err, exhausted) {
      // a job failed for good must not hold its tenant's later jobs; it stays unstored (and alerted on) until re-driven
      const tenantId = (job.data as { tenantId?: unknown } | undefined)?.tenantId;
      if (exhausted && job.id && typeof tenantId === 'string') void queue.order.closeTicket(tenantId, job.id).catch(() => {});
    },
    closeAfter: [queue, alerts],
  });
}
