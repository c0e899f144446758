import type { TJobRetry } from '@modula/contracts';
import type { JobsOptions } from 'bullmq';

/** The environment's retry policy (JOB_ATTEMPTS, JOB_BACKOFF_MS, JOB_BACKOFF_MAX_MS), for jobs whose `retry` is `configured`. */
export interface TRetryPolicy {
  attempts: number;
  backoffMs: number;
  backoffMaxMs: number;
}

/** The environment's policy, read from the configuration (server, worker and CLI queue with the same one). */
export function configuredRetry(config: { JOB_ATTEMPTS: number; JOB_BACKOFF_MS: number; JOB_BACKOFF_MAX_MS: number }): TRetryPolicy {
  return { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS, backoffMaxMs: config.JOB_BACKOFF_MAX_MS };
}

/** Exponential backoff with full jitter, capped: transient faults are retried, never dropped. */
export function backoffDelay(attemptsMade: number, policy: Pick<TRetryPolicy, 'backoffMs' | 'backoffMaxMs'>): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * BullMQ's `attempts` and `backoff` for a job of the registry. A `configured` job names a custom
 * backoff type, which BullMQ hands to the worker's backoffStrategy (`backoffDelay`, worker/src/job-runner.ts).
 */
export function retryOptions(retry: TJobRetry, configured?: TRetryPolicy): Pick<JobsOptions, 'attempts' | 'backoff'> {
  if (retry !== 'configured') return { attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.backoffMs } };
  if (!configured) throw new Error('a job with the configured retry policy needs JOB_ATTEMPTS, JOB_BACKOFF_MS and JOB_BACKOFF_MAX_MS');
  return { attempts: configured.attempts, backoff: { type: 'capped-jitter' } };
}
