import type { TConfig } from '@modula/config';
import { JOBS, type TJobKey, type TQueueName } from '@modula/contracts';
import { backoffDelay, configuredRetry, createRedis, type TRedis } from '@modula/queue';
import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { z } from 'zod';

type TJobsOf<Q extends TQueueName> = { [K in TJobKey]: (typeof JOBS)[K]['queue'] extends Q ? K : never }[TJobKey];

/** What the handler gets: the payload parsed by the registry's schema (its envelope, when it has one). */
export type TJobPayload<K extends TJobKey> = (typeof JOBS)[K] extends { envelope: infer E extends z.ZodType }
  ? z.output<E>
  : z.output<(typeof JOBS)[K]['schema']>;

export type TJobHandler<K extends TJobKey> = (payload: TJobPayload<K>, job: Job, token: string | undefined) => Promise<unknown>;

export interface TRunJobsOptions<Q extends TQueueName> {
  queue: Q;
  /** One handler per job of the queue in the registry: a missing one is a compile error. */
  handlers: { [K in TJobsOf<Q>]: TJobHandler<K> };
  concurrency: number;
  /** BullMQ's lock and stall settings, where its defaults do not fit the queue's jobs. */
  locks?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
  /** Told after each failure is logged; `exhausted` when the job will not run again. */
  onFailed?: (job: Job, err: Error, exhausted: boolean) => void;
  /** What an operator should do about a job that failed for good (appended to the log line). */
  redrive?: string;
  /** Queues the handlers write to on the same connection: closed after the worker, in this order. */
  closeAfter?: { close(): Promise<unknown> }[];
}

export interface TJobRunner {
  worker: Worker;
  close(graceMs?: number): Promise<void>;
}

/** A worker's connection: it waits for Redis to come back instead of failing (`createRedis`). */
export function workerConnection(config: TConfig, log: Logger): TRedis {
  return createRedis(config, 'worker', (f, m) => log.warn(f, m));
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.')}: ${i.message}`)
    .join('; ');
}

/**
 * Consumes one queue of the job registry on `connection`, which it disconnects on close: each job
 * is dispatched by name to its handler with its payload re-parsed by the registry's schema.
 */
export function runJobs<Q extends TQueueName>(config: TConfig, log: Logger, connection: TRedis, opts: TRunJobsOptions<Q>): TJobRunner {
  const keys = Object.keys(opts.handlers) as TJobsOf<Q>[];
  const keyOf = new Map<string, TJobsOf<Q>>(keys.map((key) => [JOBS[key].name, key]));

  const process = async (job: Job, token?: string) => {
    const key = keyOf.get(job.name);
    if (key === undefined) throw new UnrecoverableError(`no job named ${job.name} on ${opts.queue}`);
    const def: (typeof JOBS)[TJobKey] = JOBS[key];
    const parsed = ('envelope' in def ? def.envelope : def.schema).safeParse(job.data);
    if (!parsed.success) {
      // retrying cannot fix a payload this version cannot read: keep it in the failed set for an operator
      throw new UnrecoverableError(`payload does not match ${def.name} v${def.version}: ${describeIssues(parsed.error)}`);
    }
    const handle = opts.handlers[key] as (payload: unknown, job: Job, token: string | undefined) => Promise<unknown>;
    return handle(parsed.data, job, token);
  };

  const jitter = keys.some((key) => JOBS[key].retry === 'configured');
  const policy = configuredRetry(config);
  const worker = new Worker(opts.queue, process, {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: opts.concurrency,
    ...opts.locks,
    // BullMQ hands the custom backoff type of `configured` jobs (retryOptions) to this strategy
    ...(jitter ? { settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, policy) } } : {}),
  });
  worker.on('failed', (job, err) => {
    const exhausted = job !== undefined && (job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError);
    const message = exhausted ? `job failed for good${opts.redrive ? `: ${opts.redrive}` : ''}` : 'job failed, will retry';
    log[exhausted ? 'error' : 'warn']({ queue: opts.queue, job: job?.name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, message);
    if (job) opts.onFailed?.(job, err, exhausted);
  });
  worker.on('error', (err) => {
    // a lock not renewed in time (an event loop starved of CPU, Redis slow): the job may run again
    // in another worker, which at-least-once processing and the store's dedupe make safe — worth a
    // warning for the operator, not an error
    if (err.message.startsWith('could not renew lock')) log.warn({ queue: opts.queue, err: err.message }, 'job lock lost; the job may run again');
    else log.error({ queue: opts.queue, err: err.message }, 'worker error');
  });

  return {
    worker,
    async close(graceMs = 15_000) {
      // Finish active jobs, but never hang a shutdown: BullMQ's close can wait on its blocking
      // connection indefinitely after an outage. A job cut short runs again later.
      const closed = await Promise.race([worker.close().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
      if (!closed) log.warn({ queue: opts.queue, graceMs }, 'worker did not close in time; disconnecting anyway');
      for (const resource of opts.closeAfter ?? []) await resource.close();
      connection.disconnect();
    },
  };
}
