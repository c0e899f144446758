import type { TConfig } from '@modula/config';
import { JOBS, SYSTEM_PROVENANCE } from '@modula/contracts';
import type { Orm } from '@modula/db';
import { administrationEvent, deliverStream, dueStreams, judgeEvents, streamSettings, type TPausedStream } from '@modula/domain';
import { configuredRetry, IngestQueue } from '@modula/queue';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { runJobs, workerConnection, type TJobPayload, type TJobRunner } from './job-runner.ts';
import { scheduleJob } from './job-schedule.ts';

export interface TStreamWorker extends TJobRunner {
  queue: Queue;
}

const SCHEDULER_ID = 'stream-sweep';
/** Destinations the sweep hands out per run, least recently served first: the rest are found by the next ones. */
const SWEEP_LIMIT = 1000;
/** One delivery loop's time before it gives its slot back (the next sweep continues it). */
const DELIVER_BUDGET_MS = 30_000;

/**
 * Log streams on their own queue, `audit-streams`, so they never slow ingest (the ingest worker
 * does not even know they exist): a job scheduler sweeps every STREAM_POLL_MS for destinations
 * behind their tenant's head and adds one deliver job per destination under a fixed job id (a
 * destination already waiting or being delivered is not added twice); the delivery loop itself
 * also holds a lease in PostgreSQL, so two workers never deliver one destination at once.
 */
export async function startStreamWorker(config: TConfig, orm: Orm, log: Logger): Promise<TStreamWorker> {
  const connection = workerConnection(config, log);
  const settings = streamSettings(config);
  const { queue, scheduled } = scheduleJob(connection, config.QUEUE_PREFIX, JOBS.streamSweep, SCHEDULER_ID, config.STREAM_POLL_MS);
  await scheduled;
  const ingest = new IngestQueue(connection, config.QUEUE_PREFIX, configuredRetry(config));

  // the pause is recorded in the tenant's log once, by the transaction that pauses: a paused
  // destination delivers nothing more, so this event cannot make it fail again
  const recordPaused = async (p: TPausedStream) => {
    const event = administrationEvent(
      p.tenantId,
      'STREAM_PAUSED_BY_FAILURES',
      { type: 'SYSTEM', id: 'log-streams', name: 'Log streams' },
      { type: 'LOG_STREAM', id: p.id, label: p.name },
      { metadata: { kind: p.kind, consecutiveFailures: p.failures, lastError: p.lastError } },
    );
    const judged = judgeEvents([event], { kind: 'system' });
    await ingest.enqueue(
      p.tenantId,
      judged.accepted.map((a) => a.event),
      new Date().toISOString(),
      { provenance: SYSTEM_PROVENANCE },
    );
    log.warn({ tenantId: p.tenantId, streamId: p.id, failures: p.failures, lastError: p.lastError }, 'log stream paused after repeated failures');
  };

  const sweep = async () => {
    const due = await dueStreams(orm, SWEEP_LIMIT);
    if (due.length === 0) return { due: 0 };
    await queue.addBulk(
      due.map((d) => ({
        name: JOBS.streamDeliver.name,
        data: { v: JOBS.streamDeliver.version, tenantId: d.tenantId, destinationId: d.id },
        // one job per destination at a time: an add while one waits or runs is a no-op
        opts: { jobId: `deliver-${d.id}`, removeOnComplete: true, removeOnFail: true },
      })),
    );
    return { due: due.length };
  };

  const deliver = async (payload: TJobPayload<'streamDeliver'>) => {
    const result = await deliverStream(orm, settings, payload.tenantId, payload.destinationId, { budgetMs: DELIVER_BUDGET_MS, onPaused: recordPaused });
    if (result.outcome === 'failed' || result.outcome === 'paused')
      log.warn({ tenantId: payload.tenantId, streamId: payload.destinationId, outcome: result.outcome, err: result.error }, 'log stream delivery failed');
    else log.debug({ tenantId: payload.tenantId, streamId: payload.destinationId, ...result }, 'log stream delivered');
    return result;
  };

  const runner = runJobs(config, log, connection, {
    queue: JOBS.streamSweep.queue,
    handlers: { streamSweep: sweep, streamDeliver: deliver },
    concurrency: config.STREAM_CONCURRENCY,
    // a killed worker's delivery job is handed on as soon as the ingest's would be; re-running one is harmless
    // (the lease in PostgreSQL and the cursor decide what is sent), so it is never failed for stalling
    locks: { lockDuration: config.WORKER_LOCK_MS, stalledInterval: config.WORKER_STALLED_CHECK_MS, maxStalledCount: Number.MAX_SAFE_INTEGER },
    closeAfter: [queue, ingest],
  });
  return { ...runner, queue };
}
