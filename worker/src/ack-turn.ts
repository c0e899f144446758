import type { IngestQueue, TTicket } from '@modula/queue';
import { DelayedError, type Job } from 'bullmq';

/** How long a job waits for its turn in place while the earlier job runs, before it steps aside. */
const IN_PROCESS_WAIT_MS = 1000;
/** A job that stepped aside asks again after this, doubling each time it had to (up to the cap). */
const STEP_ASIDE_MS = 50;
const STEP_ASIDE_MAX_MS = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What to do about the job behind a lower ticket. One that runs elsewhere is waited for in place;
 * one that waits for a slot (queued behind this one, delayed for a retry, or back from a killed
 * worker) needs this slot, so this job steps aside. A ticket whose job failed for good (its
 * retries exhausted; the failed handler normally closes it) or finished without closing it must
 * not hold the tenant; nor one taken by a server whose add never reached Redis: once the ticket is
 * ORPHAN_TICKET_MS old by Redis' clock it is released in one script with the check that its job
 * is still not in Redis, and an add that lands after that is not acknowledged (IngestQueue.enqueue).
 */
async function settleBlocker(queue: IngestQueue, tenantId: string, blocker: TTicket): Promise<'wait' | 'step-aside' | 'settled'> {
  const state = await queue.queue.getJobState(blocker.jobId);
  if (state === 'active') return 'wait';
  if (state === 'failed' || state === 'completed') {
    await queue.order.closeTicket(tenantId, blocker.jobId);
    return 'settled';
  }
  if (state !== 'unknown') return 'step-aside';
  const orphan = await queue.releaseOrphanTicket(tenantId, blocker.jobId);
  if (orphan === 'young') return 'step-aside'; // its add() may still be under way
  if (orphan === 'present') return 'wait'; // its add() landed just now: look at its state again
  return 'settled';
}

/**
 * How a job waiting for its turn hears that the job holding the turn took it into its own
 * transaction (turn-groups.ts): `taken` says so; `leave` takes the job off the waiting list as it
 * stops waiting (its turn came, or it steps aside), false when it was taken just before.
 */
export interface TTurnWait {
  taken(): boolean;
  leave(): boolean;
}

const ALONE: TTurnWait = { taken: () => false, leave: () => true };

/**
 * Returns once every job of the tenant acknowledged before this one has been stored (DESIGN
 * rule 0): 'turn'. While an earlier job runs elsewhere this one waits briefly in place; otherwise
 * (or past that) it is delayed — not failed, no attempt spent — so that it never holds a worker
 * slot that the earlier job needs. 'taken': the job holding the turn in this process took this one
 * into its transaction, and stores it.
 */
export async function awaitTurn(
  queue: IngestQueue,
  job: Job,
  token: string | undefined,
  tenantId: string,
  ticket: number | undefined,
  wait: TTurnWait = ALONE,
): Promise<'turn' | 'taken'> {
  if (ticket === undefined) return 'turn';
  const deadline = Date.now() + IN_PROCESS_WAIT_MS;
  let pause = 2;
  for (;;) {
    const blocker = await queue.order.blockerOf(tenantId, ticket);
    // checked after every await: the holder of the turn may have taken this job meanwhile
    if (wait.taken()) return 'taken';
    if (!blocker) return wait.leave() ? 'turn' : 'taken';
    const next = await settleBlocker(queue, tenantId, blocker);
    if (wait.taken()) return 'taken';
    if (next === 'settled') continue;
    if (next === 'step-aside' || Date.now() >= deadline) {
      if (!wait.leave()) return 'taken';
      // attemptsStarted counts every time the job became active; attemptsMade only real attempts
      const stepsAside = Math.max(0, (job.attemptsStarted ?? 0) - job.attemptsMade - 1);
      await job.moveToDelayed(Date.now() + Math.min(STEP_ASIDE_MAX_MS, STEP_ASIDE_MS * 2 ** Math.min(stepsAside, 6)), token);
      throw new DelayedError(`waiting for job ${blocker.jobId} (ticket ${blocker.ticket}) of the same tenant`);
    }
    await sleep(pause);
    if (wait.taken()) return 'taken';
    pause = Math.min(pause * 2, 50);
  }
}

/**
 * After a job's ticket closed: the tenant's next ticket may belong to a job that stepped aside and
 * sleeps in the delayed set. Bring it back now, so a tenant's backlog drains one job after another
 * instead of one step-aside delay after another (after a worker was killed, say).
 */
export async function wakeNext(queue: IngestQueue, tenantId: string): Promise<void> {
  const next = await queue.order.blockerOf(tenantId, Number.MAX_SAFE_INTEGER);
  if (!next || (await queue.queue.getJobState(next.jobId)) !== 'delayed') return;
  // it may have been promoted or taken meanwhile: then there is nothing to do
  await (await queue.queue.getJob(next.jobId))?.promote().catch(() => {});
}
