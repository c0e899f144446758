import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { TAuditEventInput } from '@modula/contracts';
import { startIngestWorker, type TIngestWorker } from '@modula/worker';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent, postTrpc, provisionBranch, sale } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

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
