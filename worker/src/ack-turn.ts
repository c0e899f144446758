import { ORPHAN_TICKET_MS, type IngestQueue, type TTicket } from '@modula/queue';
import { DelayedError, type Job } from 'bullmq';

/** How long a job waits for its turn while holding its worker slot, before it steps aside. */
const IN_PROCESS_WAIT_MS = 1000;
/** How long a job that stepped aside stays delayed before it asks again. */
const STEP_ASIDE_MS = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Whether the job behind a lower ticket can still be stored. A ticket whose job failed for good
 * (its retries exhausted; the failed handler normally closes it) or finished without closing it
 * must not hold the tenant; nor one taken by a server whose add never reached Redis.
 */
async function settleBlocker(queue: IngestQueue, tenantId: string, blocker: TTicket): Promise<'wait' | 'settled'> {
  const state = await queue.queue.getJobState(blocker.jobId);
  if (state === 'failed' || state === 'completed') {
    await queue.order.closeTicket(tenantId, blocker.jobId);
    return 'settled';
  }
  if (state !== 'unknown') return 'wait';
  const ackedAt = await queue.order.ackedAt(blocker.jobId);
  if (ackedAt !== undefined && Date.now() - ackedAt < ORPHAN_TICKET_MS) return 'wait'; // its add() is still under way
  await queue.order.release(tenantId, blocker.jobId, []);
  return 'settled';
}

/**
 * Returns once every job of the tenant acknowledged before this one has been stored (DESIGN
 * rule 0). While an earlier job runs elsewhere this one waits briefly in place; past that it is
 * delayed (not failed, no attempt spent) so that it never holds a worker slot that the earlier
 * job may need.
 */
export async function awaitTurn(queue: IngestQueue, job: Job, token: string | undefined, tenantId: string, ticket: number | undefined): Promise<void> {
  if (ticket === undefined) return;
  const deadline = Date.now() + IN_PROCESS_WAIT_MS;
  let pause = 2;
  for (;;) {
    const blocker = await queue.order.blockerOf(tenantId, ticket);
    if (!blocker) return;
    if (await settleBlocker(queue, tenantId, blocker) === 'settled') continue;
    if (Date.now() >= deadline) {
      await job.moveToDelayed(Date.now() + STEP_ASIDE_MS, token);
      throw new DelayedError(`waiting for job ${blocker.jobId} (ticket ${blocker.ticket}) of the same tenant`);
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 50);
  }
}
