import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { TAcceptedEvent, TAuditEventInput } from '@modula/contracts';
import { configuredRetry, IngestQueue, ORPHAN_TICKET_MS } from '@modula/queue';
import { startIngestWorker, type TIngestWorker } from '@modula/worker';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent, postTrpc, provisionBranch, sale } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { awaitTurn } from '../../worker/src/ack-turn.ts';

/**
 * DESIGN rule 0: events of one tenant are judged in the order the service acknowledged them,
 * however many workers run. A freeze acknowledged before a sale must deny the sale even when
 * another worker picks the sale up while the freeze's job has not reached the database yet.
 */
const ROOT = resolve(import.meta.dirname, '../..');
let stack: TestStack;
const workers: TIngestWorker[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  stack = await startStack({ worker: false, env: { WORKER_CONCURRENCY: '1' } });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.close()));
  await stack.close();
});

function freeze(tenantId: string, branchId: string, occurredAt: string): TAuditEventInput {
  return makeEvent(tenantId, {
    action: 'BRANCH_FROZEN',
    branchId,
    occurredAt,
    entity: { type: 'BRANCH', id: branchId },
    actor: { type: 'USER', id: 'owner', role: 'ADMIN' },
  });
}

async function record(apiKey: string, event: TAuditEventInput) {
  const res = await postTrpc(stack.baseUrl, 'ingest.record', event, apiKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function storedRows(tenantId: string, eventIds: string[]) {
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    const r = await db.query('select event_id, seq::int, outcome, reason from audit_events where tenant_id = $1 and event_id = any($2::uuid[])', [
      tenantId,
      eventIds,
    ]);
    return new Map(r.rows.map((row) => [row.event_id as string, row as { seq: number; outcome: string; reason: string | null }]));
  } finally {
    await db.end();
  }
}

async function waitStored(tenantId: string, eventIds: string[], timeoutMs = 60_000) {
  return eventually(async () => {
    const rows = await storedRows(tenantId, eventIds);
    return rows.size === eventIds.length ? rows : undefined;
  }, timeoutMs);
}

describe('judged in the order acknowledged, with several workers', () => {
  it('denies a sale acknowledged after a freeze even while the freeze is held before the chain head and another worker takes the sale', async () => {
    const { tenantId, apiKey } = await stack.createTenant('Forced interleaving');
    const branchId = uuidv7();
    let signalHeld!: () => void;
    const held = new Promise<void>((r) => {
      signalHeld = r;
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // worker 1 holds any job with a freeze after its turn came, before its transaction starts
    workers.push(
      startIngestWorker(stack.config, stack.services.orm, pino({ level: 'silent' }), {
        beforeStore: async (job) => {
          if (!job.events.some((e) => e.action === 'BRANCH_FROZEN')) return;
          signalHeld();
          await gate;
        },
      }),
    );
    const provision = provisionBranch(tenantId, branchId);
    await record(apiKey, provision);
    await waitStored(tenantId, [provision.eventId]);

    const frozenAt = new Date(Date.now() - 60_000);
    const theFreeze = freeze(tenantId, branchId, frozenAt.toISOString());
    await record(apiKey, theFreeze);
    await held;

    // worker 2 is free while worker 1 holds the freeze; the sale is acknowledged only now
    const other = startIngestWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
    workers.push(other);
    let saleJobId: string | undefined;
    other.worker.on('active', (job) => {
      saleJobId = job.id;
    });
    const theSale = sale(tenantId, branchId, new Date(frozenAt.getTime() + 1000).toISOString());
    await record(apiKey, theSale);

    // observable: worker 2 took the sale's job and either stored it or set it aside to wait its turn
    await eventually(async () => {
      if (!saleJobId) return undefined;
      if ((await storedRows(tenantId, [theSale.eventId])).size === 1) return true;
      return (await stack.services.ingestQueue.queue.getJobState(saleJobId)) === 'delayed' ? true : undefined;
    });
    release();
    const rows = await waitStored(tenantId, [theFreeze.eventId, theSale.eventId]);
    const f = rows.get(theFreeze.eventId)!;
    const s = rows.get(theSale.eventId)!;
    expect({ outcome: s.outcome, reason: s.reason }).toEqual({ outcome: 'REJECTED', reason: 'BRANCH_FROZEN' });
    expect(s.seq).toBeGreaterThan(f.seq);
  });

  it('denies every sale of 200 freeze-then-sale pairs sent to two worker processes', async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    for (let i = 0; i < 2; i++) {
      children.push(
        spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'worker/src/main.ts')], {
          cwd: ROOT,
          env: { ...process.env, ...stack.env, WORKER_CONCURRENCY: '2', LOG_LEVEL: 'error' },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
    }
    const { tenantId, apiKey } = await stack.createTenant('Random pairs');
    const PAIRS = 200;
    const branches = Array.from({ length: PAIRS }, () => uuidv7());
    const provisions = branches.map((b) => provisionBranch(tenantId, b));
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events: provisions }, apiKey);
    expect(res.body.result.data.rejected).toEqual([]);
    await waitStored(
      tenantId,
      provisions.map((p) => p.eventId),
      120_000,
    );

    const sales: TAuditEventInput[] = [];
    const lanes = 10;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (let i = lane; i < PAIRS; i += lanes) {
          const at = Date.now() - 30_000;
          await record(apiKey, freeze(tenantId, branches[i]!, new Date(at).toISOString()));
          const s = sale(tenantId, branches[i]!, new Date(at + 1).toISOString());
          sales.push(s);
          await record(apiKey, s);
        }
      }),
    );
    const rows = await waitStored(
      tenantId,
      sales.map((s) => s.eventId),
      120_000,
    );
    const allowed = sales.filter((s) => rows.get(s.eventId)!.outcome !== 'REJECTED');
    expect(allowed.map((s) => s.eventId)).toEqual([]);
    expect([...rows.values()].every((r) => r.reason === 'BRANCH_FROZEN')).toBe(true);
  });
});

/**
 * A ticket is taken before its job is added to Redis. A worker behind it that finds no job for it
 * releases it as an orphan (an add that failed) once it is ORPHAN_TICKET_MS old; if that add was
 * only late (an event loop stall, a failover, a producer clock behind the worker's) and lands after
 * the release, its producer must not acknowledge it: a job acknowledged after it would no longer
 * wait for it. Each test queues on a prefix of its own, which no worker of the stack consumes.
 */
describe('a ticket released while its add is still under way', () => {
  const accepted = (events: TAuditEventInput[]) => events.map((e) => ({ ...e, redactedPaths: [] }) as unknown as TAcceptedEvent);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** BullMQ's Job as the queue package sees it (the tests' own bullmq may be another copy of it). */
  type TJob = Parameters<typeof awaitTurn>[1];

  function queueOn(prefix: string) {
    const queue = new IngestQueue(stack.services.redis, prefix, configuredRetry(stack.config));
    queues.push(queue);
    return queue;
  }
  const queues: IngestQueue[] = [];
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
  });

  /** Holds the queue's add() until `letThrough`, after `onAdded` (if any) ran on the job it added; `jobId` is the id it was given. */
  function holdAdds(queue: IngestQueue, onAdded?: (job: TJob) => Promise<void>) {
    const realAdd = queue.queue.add.bind(queue.queue);
    let letThrough!: () => void;
    const gate = new Promise<void>((r) => {
      letThrough = r;
    });
    let reached!: (jobId: string) => void;
    const jobId = new Promise<string>((r) => {
      reached = r;
    });
    queue.queue.add = (async (...args: Parameters<typeof realAdd>) => {
      reached(args[2]?.jobId as string);
      await gate;
      const job = await realAdd(...args);
      await onAdded?.(job);
      return job;
    }) as typeof queue.queue.add;
    return { letThrough, jobId };
  }

  async function waitingJobOf(queue: IngestQueue, eventId: string): Promise<TJob> {
    const jobs = await queue.queue.getJobs(['waiting']);
    const job = jobs.find((j) => (j.data as { events: TAcceptedEvent[] }).events.some((e) => e.eventId === eventId));
    if (!job) throw new Error(`no waiting job holds ${eventId}`);
    return job;
  }

  it('an add that lands after a worker released its ticket as an orphan is refused (retryable), not acknowledged', async () => {
    const prefix = `${stack.config.QUEUE_PREFIX}-orphan`;
    const producerA = queueOn(prefix);
    const other = queueOn(prefix);
    const tenantId = uuidv7();
    const branchId = uuidv7();
    const at = Date.now() - 60_000;
    const theFreeze = freeze(tenantId, branchId, new Date(at).toISOString());
    const saleB = sale(tenantId, branchId, new Date(at - 1000).toISOString());
    const saleC = sale(tenantId, branchId, new Date(at + 1000).toISOString());

    // A takes ticket 1 for the freeze; its add() is held back
    const held = holdAdds(producerA);
    const answerA = producerA.enqueue(tenantId, accepted([theFreeze]), new Date().toISOString()).then(
      () => 'acknowledged' as const,
      (err: unknown) => err as Error,
    );
    const jobIdA = await held.jobId;
    // B takes ticket 2 and is queued; a worker takes B once A's ticket is old enough to look orphaned
    await other.enqueue(tenantId, accepted([saleB]), new Date().toISOString());
    await sleep(ORPHAN_TICKET_MS + 500);
    const jobB = await waitingJobOf(other, saleB.eventId);
    expect(await awaitTurn(other, jobB, undefined, tenantId, (jobB.data as { ticket: number }).ticket)).toBe('turn');
    await other.order.release(tenantId, jobB.id!, [saleB.eventId]);

    // A's add lands now
    held.letThrough();
    const outcomeA = await answerA;
    // C is sent after A's answer
    await other.enqueue(tenantId, accepted([saleC]), new Date().toISOString());
    const jobC = await waitingJobOf(other, saleC.eventId);
    const blockerOfC = await other.order.blockerOf(tenantId, (jobC.data as { ticket: number }).ticket);
    if (outcomeA === 'acknowledged') {
      // DESIGN rule 0: the freeze was acknowledged before the sale was sent, so the sale must wait for it
      expect(blockerOfC, 'A was acknowledged before C was sent, yet C finds no earlier job to wait for').toMatchObject({ jobId: jobIdA });
    }
    expect(outcomeA).toMatchObject({ name: 'AckTicketReleasedError' });
    // nothing of A is left: no job, not listed as unstored, its event not pending (a resend queues it again)
    expect(await other.queue.getJobState(jobIdA)).toBe('unknown');
    expect(await other.order.ackedAt(jobIdA)).toBeUndefined();
    expect([...(await other.pendingAmong(tenantId, [theFreeze.eventId]))]).toEqual([]);
    expect(blockerOfC).toBeUndefined();
    // the resend takes a new ticket, which C's job (acknowledged first) does not wait for, and which waits for C
    await other.enqueue(tenantId, accepted([theFreeze]), new Date().toISOString());
    expect(await other.order.blockerOf(tenantId, Number.MAX_SAFE_INTEGER)).toMatchObject({ jobId: jobC.id });
    // a ticket whose job is in Redis is never taken for an orphan; one whose confirmed job is gone since is dropped at once
    expect(await other.releaseOrphanTicket(tenantId, jobC.id!)).toBe('present');
    await jobC.remove();
    expect(await other.releaseOrphanTicket(tenantId, jobC.id!)).toBe('released');
    expect(await other.order.blockerOf(tenantId, Number.MAX_SAFE_INTEGER)).not.toMatchObject({ jobId: jobC.id });
  });

  it('a job a fast worker stored (and whose ticket it closed) before add() returned is still acknowledged', async () => {
    const prefix = `${stack.config.QUEUE_PREFIX}-fast`;
    const producer = queueOn(prefix);
    const { tenantId } = await stack.createTenant('Fast worker');
    const event = makeEvent(tenantId);
    const fast = startIngestWorker({ ...stack.config, QUEUE_PREFIX: prefix }, stack.services.orm, pino({ level: 'silent' }));
    workers.push(fast);
    // the add lands, and the worker stores the job and closes its ticket before add() returns to enqueue
    const held = holdAdds(producer, async (job) => {
      await waitStored(tenantId, [event.eventId]);
      await eventually(async () => ((await producer.queue.getJobState(job.id!)) === 'unknown' ? true : undefined));
    });
    held.letThrough();
    await expect(producer.enqueue(tenantId, accepted([event]), new Date().toISOString())).resolves.toBeUndefined();
    expect(await producer.order.blockerOf(tenantId, Number.MAX_SAFE_INTEGER)).toBeUndefined();
    expect(await producer.order.ackedAt(await held.jobId)).toBeUndefined();
  });
});
