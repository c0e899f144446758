import type { TIntegrityVerifyOutput } from '@modula/contracts';
import { AppError, verifyChain, verifySinceCheckpoint } from '@modula/domain';
import { RedisLock } from '@modula/queue';
import type { TServices } from './context.ts';

/** A full verification holds its tenant's lock this long without renewal (renewed every 20 s while it runs). */
const FULL_LOCK_TTL_MS = 60_000;

const quickRuns = new WeakMap<TServices, Map<string, Promise<TIntegrityVerifyOutput>>>();

/**
 * `integrity.verify` for the viewer's badge.
 *
 * - Default: from the latest signed checkpoint (verifySinceCheckpoint) — its signature and its
 *   chain hash against the stored row, then only the events after it recomputed. Concurrent calls
 *   for one tenant on this server share one run (a viewer batching five calls does one check). A
 *   tenant without a checkpoint yet, or whose checkpoint the log contradicts, gets the full
 *   verification below (which names where the rewrite starts).
 * - `full`: verifyChain from event 1, at most one per tenant at a time across every server
 *   instance (a lock in Redis with a TTL); a second one while it runs is refused with
 *   TOO_MANY_REQUESTS rather than queued or shared, so no request holds a connection and a
 *   database snapshot waiting for another.
 */
export function verifyForViewer(services: TServices, tenantId: string, opts: { full: boolean }): Promise<TIntegrityVerifyOutput> {
  if (opts.full) return fullVerification(services, tenantId);
  let runs = quickRuns.get(services);
  if (!runs) quickRuns.set(services, (runs = new Map()));
  let run = runs.get(tenantId);
  if (!run) {
    run = quickVerification(services, tenantId).finally(() => runs.delete(tenantId));
    runs.set(tenantId, run);
  }
  return run;
}

async function quickVerification(services: TServices, tenantId: string): Promise<TIntegrityVerifyOutput> {
  const since = await verifySinceCheckpoint(services.orm, tenantId);
  if (since.kind === 'verified') return since.result;
  try {
    return await fullVerification(services, tenantId);
  } catch (err) {
    // a full verification of this tenant runs elsewhere: say what the checkpoint showed
    if (since.kind === 'contradicted' && err instanceof AppError && err.code === 'TOO_MANY_REQUESTS') return since.result;
    throw err;
  }
}

async function fullVerification(services: TServices, tenantId: string): Promise<TIntegrityVerifyOutput> {
  let lock;
  try {
    lock = await new RedisLock(services.redis, FULL_LOCK_TTL_MS).acquire(`${services.config.QUEUE_PREFIX}:integrity:full-verify:${tenantId}`);
  } catch {
    throw new AppError('UNAVAILABLE', 'cannot coordinate the full verification right now (Redis is unreachable); retry later');
  }
  if (!lock) {
    throw new AppError('TOO_MANY_REQUESTS',
      'a full verification of this tenant\'s log is already running (one at a time per tenant): try again once it has finished, or ask without `full` for the check from the latest signed checkpoint');
  }
  try {
    return { ...await verifyChain(services.orm, tenantId), fromCheckpointSeq: null };
  } finally {
    await lock.release();
  }
}
