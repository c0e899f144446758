import type { TAcceptedEvent, TAuditEventInput } from '@modula/contracts';
import { startIngestWorker, type TIngestWorker } from '@modula/worker';
import type pg from 'pg';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent, provisionBranch, sale } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * Group commit (worker/src/turn-groups.ts): a tenant's small batches waiting behind the job that
 * holds the tenant's turn are stored in that job's one transaction. What must not change is DESIGN
 * rule 0 and exactly once: every acknowledged event stored once, in the order acknowledged (a
 * freeze acknowledged before a sale denies it, one acknowledged after does not), an event
 * PostgreSQL refuses quarantined alone. That the jobs really shared transactions is read from the
 * rows themselves: rows written by one transaction carry the same xmin.
 */
let stack: TestStack;
let db: pg.Client;
let worker: TIngestWorker | undefined;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  db = await connect(stack.databaseSuperuserUrl);
});
afterAll(async () => {
  await worker?.close();
  await db?.end();
  await stack?.close();
});

const accepted = (events: TAuditEventInput[]) => events.map((e) => ({ ...e, redactedPaths: [] }) as unknown as TAcceptedEvent);

/** Queues each batch as its own job, one after another: the order acknowledged is the order given. */
async function queueJobs(tenantId: string, batches: TAuditEventInput[][]) {
  for (const batch of batches) await stack.services.ingestQueue.enqueue(tenantId, accepted(batch), new Date().toISOString());
}

async function rowsOf(tenantId: string) {
  const { rows } = await db.query(`select event_id, seq::int, outcome, reason, xmin::text as tx from audit_events where tenant_id = $1 order by seq`, [
    tenantId,
  ]);
  return rows as { event_id: string; seq: number; outcome: string; reason: string | null; tx: string }[];
}

async function untilRows(tenantId: string, n: number) {
  return eventually(async () => {
    const rows = await rowsOf(tenantId);
    return rows.length >= n ? rows : undefined;
  }, 60_000);
}

describe('a tenant’s small batches stored together', () => {
  it('40 jobs of 10 events queued before the worker starts: all 400 stored once, in the order queued, in fewer transactions than jobs', async () => {
    const { tenantId } = await stack.createTenant('Busy tills');
    const batches = Array.from({ length: 40 }, (_, j) => Array.from({ length: 10 }, (_, i) => makeEvent(tenantId, { metadata: { job: j, i } })));
    await queueJobs(tenantId, batches);
    worker = startIngestWorker({ ...stack.config, WORKER_CONCURRENCY: 8 }, stack.services.orm, pino({ level: 'silent' }));

    const rows = await untilRows(tenantId, 400);
    await new Promise((r) => setTimeout(r, 500));
    const all = await rowsOf(tenantId);
    expect(all).toHaveLength(400);
    expect(all.map((r) => r.event_id)).toEqual(batches.flat().map((e) => e.eventId));
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    const transactions = new Set(rows.map((r) => r.tx));
    expect(transactions.size).toBeLessThan(40);
    // a job's events are never split across transactions
    for (const batch of batches) expect(new Set(all.filter((r) => batch.some((e) => e.eventId === r.event_id)).map((r) => r.tx)).size).toBe(1);
    await worker.close();
    worker = undefined;
  });

  it('a freeze inside a group denies the sales acknowledged after it, not those before', async () => {
    const { tenantId } = await stack.createTenant('Freeze in a group');
    const branchId = uuidv7();
    const frozenAt = new Date(Date.now() - 60 * 60_000);
    const at = (minutes: number) => new Date(frozenAt.getTime() + minutes * 60_000).toISOString();
    const before = sale(tenantId, branchId, at(1));
    const theFreeze = makeEvent(tenantId, {
      action: 'BRANCH_FROZEN',
      branchId,
      occurredAt: frozenAt.toISOString(),
      entity: { type: 'BRANCH', id: branchId },
      actor: { type: 'USER', id: 'owner', role: 'ADMIN' },
    });
    const after = sale(tenantId, branchId, at(2));
    const batches = [[provisionBranch(tenantId, branchId)], [before], [theFreeze], [after], ...Array.from({ length: 20 }, () => [makeEvent(tenantId)])];
    await queueJobs(tenantId, batches);
    worker = startIngestWorker({ ...stack.config, WORKER_CONCURRENCY: 8 }, stack.services.orm, pino({ level: 'silent' }));
    await untilRows(tenantId, batches.length);
    await new Promise((r) => setTimeout(r, 500));
    const rows = await rowsOf(tenantId);
    expect(rows.map((r) => r.event_id)).toEqual(batches.flat().map((e) => e.eventId));
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    expect(byId.get(before.eventId)).toMatchObject({ outcome: 'SUCCESS', reason: null });
    expect(byId.get(after.eventId)).toMatchObject({ outcome: 'REJECTED', reason: 'BRANCH_FROZEN' });
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(batches.length);
    await worker.close();
    worker = undefined;
  });

  it('an event PostgreSQL refuses inside a group is quarantined alone; every other event of the group is stored, in order', async () => {
    const { tenantId } = await stack.createTenant('Refused in a group');
    // a real refusal by the database: a check only this one event breaks (as tests/ingest/poison-event)
    const poison = makeEvent(tenantId, { entity: { type: 'INVOICE', id: `poison-${tenantId}` } });
    const batches = Array.from({ length: 16 }, (_, j) =>
      j === 5 ? [makeEvent(tenantId), poison, makeEvent(tenantId)] : [makeEvent(tenantId), makeEvent(tenantId)],
    );
    await db.query(`alter table audit_events add constraint group_poison_test check (entity_id is distinct from 'poison-${tenantId}')`);
    try {
      await queueJobs(tenantId, batches);
      worker = startIngestWorker({ ...stack.config, WORKER_CONCURRENCY: 8 }, stack.services.orm, pino({ level: 'silent' }));
      const expected = batches.flat().filter((e) => e !== poison);
      await untilRows(tenantId, expected.length);
      await new Promise((r) => setTimeout(r, 500));
      const rows = await rowsOf(tenantId);
      expect(rows.map((r) => r.event_id)).toEqual(expected.map((e) => e.eventId));
      expect(rows.map((r) => r.seq)).toEqual(expected.map((_, i) => i + 1));
      const quarantined = (await db.query('select event_id, reason, detail from quarantined_events where tenant_id = $1', [tenantId])).rows;
      expect(quarantined.map((q) => [q.event_id, q.reason])).toEqual([[poison.eventId, 'INVALID_PAYLOAD']]);
      expect(quarantined[0].detail).toMatch(/group_poison_test/);
    } finally {
      await db.query('alter table audit_events drop constraint group_poison_test');
      await worker?.close();
      worker = undefined;
    }
  });
});
