import type { TIntegrityVerifyOutput } from '@modula/contracts';
import { AppError, loadSigner, pinnedKeys, verifyChain, verifySinceCheckpoint, type TTrustedKeys } from '@modula/domain';
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
 *
 * Either way a checkpoint must be signed by a key this server trusts — its own and those pinned in
 * DATA_DIR/pinned-keys.json at first use, as the CLI's verify-chain does — never by whatever
 * `signing_keys` lists (a database superuser could add a key there). Listed keys that are not
 * trusted are named in `notTrustedKeys`.
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

/** The keys this server trusts (see pinned-keys.ts), and what to add to an answer about those it does not. */
type TTrust = TTrustedKeys & { report: { notTrustedKeys?: string[] } };

async function trustedKeys(services: TServices): Promise<TTrust> {
  const trusted = await pinnedKeys(services.orm, services.config.DATA_DIR, loadSigner(services.config));
  return { ...trusted, report: trusted.notTrusted.length > 0 ? { notTrustedKeys: trusted.notTrusted } : {} };
}

async function quickVerification(services: TServices, tenantId: string): Promise<TIntegrityVerifyOutput> {
  const trusted = await trustedKeys(services);
  const since = await verifySinceCheckpoint(services.orm, tenantId, { keyring: trusted.keyring });
  if (since.kind === 'verified') return { ...since.result, ...trusted.report };
  try {
    return await fullVerification(services, tenantId, trusted);
  } catch (err) {
    // a full verification of this tenant runs elsewhere: say what the checkpoint showed
    if (since.kind === 'contradicted' && err instanceof AppError && err.code === 'TOO_MANY_REQUESTS') return { ...since.result, ...trusted.report };
    throw err;
  }
}

async function fullVerification(services: TServices, tenantId: string, known?: TTrust): Promise<TIntegrityVerifyOutput> {
  const trusted = known ?? (await trustedKeys(services));
  let lock;
  try {
    lock = await new RedisLock(services.redis, FULL_LOCK_TTL_MS).acquire(`${services.config.QUEUE_PREFIX}:integrity:full-verify:${tenantId}`);
  } catch {
    throw new AppError('UNAVAILABLE', 'cannot coordinate the full verification right now (Redis is unreachable); retry later');
  }
  if (!lock) {
    throw new AppError(
      'TOO_MANY_REQUESTS',
      "a full verification of this tenant's log is already running (one at a time per tenant): try again once it has finished, or ask without `full` for the check from the latest signed checkpoint",
    );
  }
  try {
    return { ...(await verifyChain(services.orm, tenantId, { keyring: trusted.keyring })), fromCheckpointSeq: null, ...trusted.report };
  } finally {
    await lock.release();
  }
}
