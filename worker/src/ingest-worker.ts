import type { TConfig } from '@modula/config';
import { JOBS, type TIngestJob } from '@modula/contracts';
import type { Orm } from '@modula/db';
import { readJobEvents, storeIsolatedGroup, type TStoreOutcome, type TUnstorable } from '@modula/domain';
import { AlertQueue, configuredRetry, incrementCounters, IngestQueue } from '@modula/queue';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { awaitTurn, wakeNext } from './ack-turn.ts';
import { runJobs, workerConnection, type TJobPayload, type TJobRunner } from './job-runner.ts';
import { TurnGroups } from './turn-groups.ts';

export type TIngestWorker = TJobRunner;

/** A group stores at most this many jobs and events in one transaction: the chain head stays locked only so long. */
const MAX_GROUP_JOBS = 50;
const MAX_GROUP_EVENTS = 2000;

interface TMember {
  payload: TIngestJob;
  unreadable: TUnstorable[];
  job: Job;
}

interface TStoreSummary {
  tenantId: string;
  stored: number;
  duplicates: number;
  quarantined: number;
  waiting: number;
  /** How many jobs were stored in the transaction (absent when one). */
  group?: number;
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
 * every job of the tenant acknowledged before it is stored — with the jobs of its tenant that wait
 * right behind it in this process, in the same transaction (turn-groups.ts). A crash anywhere before the commit
 * re-runs the job whole; after it, the re-run finds every event already stored (same content)
 * and does nothing: exactly once.
 */
export function startIngestWorker(config: TConfig, orm: Orm, log: Logger, hooks: TIngestWorkerHooks = {}): TIngestWorker {
  const connection = workerConnection(config, log);
  const queue = new IngestQueue(connection, config.QUEUE_PREFIX, configuredRetry(config));
  // alerts: one deduplicated nudge per stored batch; the evaluation itself runs on audit-alerts
  const alerts = new AlertQueue(connection, config.QUEUE_PREFIX);

  const groups = new TurnGroups<TMember, TStoreSummary>();

  /** Hands on what waits for a branch, closes each job's ticket in order; one wake, nudge and count for the group. */
  const finishGroup = async (group: TMember[], outcomes: TStoreOutcome[]): Promise<TStoreSummary[]> => {
    const summaries: TStoreSummary[] = [];
    for (const [k, { payload, job }] of group.entries()) {
      const outcome = outcomes[k]!;
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
        payload.events.map((e) => e.eventId).filter((id) => !waiting.has(id)),
      );
      const summary = {
        tenantId: payload.tenantId,
        stored: outcome.stored.length,
        duplicates: outcome.duplicates,
        quarantined: outcome.quarantined.length,
        waiting: outcome.waiting.length,
        ...(group.length > 1 ? { group: group.length } : {}),
      };
      log.debug({ jobId: job.id, ...summary }, 'batch stored');
      if (outcome.quarantined.length > 0) log.warn({ jobId: job.id, tenantId: payload.tenantId, quarantined: outcome.quarantined }, 'events quarantined');
      summaries.push(summary);
    }
    const { tenantId, ticket } = group[0]!.payload;
    if (ticket !== undefined) await wakeNext(queue, tenantId).catch((err: Error) => log.warn({ err: err.message }, 'could not wake the next job'));
    if (outcomes.some((o) => o.stored.length > 0))
      await alerts.nudge(tenantId).catch((err: Error) => log.warn({ err: err.message }, 'could not nudge the alert evaluation; the sweep will'));
    const sum = (f: (o: TStoreOutcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
    await incrementCounters(connection, config.QUEUE_PREFIX, {
      stored: sum((o) => o.stored.length),
      duplicates: sum((o) => o.duplicates),
      quarantined: sum((o) => o.quarantined.length),
      branchWaits: sum((o) => o.waiting.length),
    });
    return summaries;
  };

  /** Stores the job, with the jobs of its tenant waiting right behind it in this process (turn-groups.ts). */
  const storeWithFollowers = async (self: TMember): Promise<TStoreSummary> => {
    const { tenantId, ticket } = self.payload;
    let events = self.payload.events.length;
    const taken =
      ticket === undefined
        ? []
        : groups.takeAfter(tenantId, ticket, (m, before) => {
            if (before.length + 1 >= MAX_GROUP_JOBS || events + m.payload.events.length > MAX_GROUP_EVENTS) return false;
            events += m.payload.events.length;
            return true;
          });
    const group = [self, ...taken.map((e) => e.item)];
    try {
      for (const m of group) await hooks.beforeStore?.(m.payload);
      const outcomes = await storeIsolatedGroup(
        orm,
        group.map((m) => ({ job: m.payload, unreadable: m.unreadable, lastBranchWait: m.payload.branchWaits >= config.UNKNOWN_BRANCH_WAITS })),
      );
      const summaries = await finishGroup(group, outcomes);
      taken.forEach((e, k) => e.resolve(summaries[k + 1]!));
      return summaries[0]!;
    } catch (err) {
      // the jobs taken fail with it and are retried: each finds stored whatever was committed
      for (const e of taken) e.reject(err);
      throw err;
    }
  };

  // the runner parsed the envelope; its events are read here one by one
  const store = async (envelope: TJobPayload<'ingest'>, job: Job, token: string | undefined) => {
    const { events, unreadable } = readJobEvents(envelope.events);
    const payload: TIngestJob = { ...envelope, events };
    const self: TMember = { payload, unreadable, job };
    if (payload.ticket === undefined) return storeWithFollowers(self);
    const { entry, turn } = groups.wait(payload.tenantId, payload.ticket, self);
    let got: 'turn' | 'taken';
    try {
      got = await awaitTurn(queue, job, token, payload.tenantId, payload.ticket, turn);
    } catch (err) {
      // taken while its wait failed (Redis refused a poll): the job that took it answers for it
      if (!turn.leave()) return entry.result;
      throw err;
    }
    return got === 'taken' ? entry.result : storeWithFollowers(self);
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
