import { listQuarantine, replayQuarantine, verifyChain } from '@modula/domain';
import { readCounters } from '@modula/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually, makeEvent, postTrpc, provisionBranch, sale } from '../../testing/events.ts';
import { untilStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

let stack: TestStack;
let tenant: { tenantId: string; apiKey: string };

const query = <T>(text: string, params: unknown[] = []) => queryRows<T>(stack.databaseSuperuserUrl, text, params);

beforeAll(async () => {
  // UNKNOWN_BRANCH_WAITS=3 with 100 ms doubling: quarantine after ~1.5 s
  stack = await startStack();
  tenant = await stack.createTenant('Context');
});
afterAll(() => stack.close());

describe('context rule', () => {
  it('retries an event whose branch is not provisioned yet and stores it once the branch appears', async () => {
    const branchId = '0193a0b4-2222-7000-8000-000000000001';
    const early = sale(tenant.tenantId, branchId, new Date().toISOString());
    await stack.caller.ingest.batch({ events: [early] });
    // the worker has seen it and set it aside to wait for its branch
    await eventually(async () => ((await readCounters(stack.services.redis, stack.config.QUEUE_PREFIX)).branchWaits >= 1 ? true : undefined));
    expect((await stack.caller.ingest.status({ tenantId: tenant.tenantId, eventIds: [early.eventId] })).statuses[0]!.state).toBe('PENDING');
    await stack.caller.ingest.batch({ events: [provisionBranch(tenant.tenantId, branchId)] });
    const [status] = await untilStored(stack, tenant.tenantId, [early.eventId], { orQuarantined: true });
    expect(status).toMatchObject({ state: 'STORED', outcome: 'SUCCESS' });
  });

  it('quarantines an event whose branch never appears as UNKNOWN_BRANCH, keeps it, and replays it', async () => {
    const branchId = '0193a0b4-2222-7000-8000-000000000002';
    const orphan = sale(tenant.tenantId, branchId, new Date().toISOString());
    const bystander = makeEvent(tenant.tenantId);
    const res = await stack.caller.ingest.batch({ events: [orphan, bystander] });
    expect(res.accepted).toHaveLength(2);
    // the rest of the batch does not wait for the bad one
    expect((await untilStored(stack, tenant.tenantId, [bystander.eventId]))[0]!.state).toBe('STORED');
    const [status] = await untilStored(stack, tenant.tenantId, [orphan.eventId], { orQuarantined: true });
    expect(status).toEqual({ eventId: orphan.eventId, state: 'QUARANTINED', reason: 'UNKNOWN_BRANCH' });
    const entries = await listQuarantine(stack.services.orm, { tenantId: tenant.tenantId });
    expect(entries.find((e) => e.eventId === orphan.eventId)).toMatchObject({ reason: 'UNKNOWN_BRANCH' });

    // the branch is provisioned later: an operator replays and the event is stored
    const provision = provisionBranch(tenant.tenantId, branchId);
    await stack.caller.ingest.batch({ events: [provision] });
    await untilStored(stack, tenant.tenantId, [provision.eventId]);
    const replay = await replayQuarantine(stack.services.orm, (t, events, receivedAt) => stack.services.ingestQueue.enqueue(t, events, receivedAt), {
      tenantId: tenant.tenantId,
      reason: 'UNKNOWN_BRANCH',
    });
    expect(replay).toEqual({ replayed: 1, skipped: [], byTenant: [{ tenantId: tenant.tenantId, replayed: 1, skipped: 0 }] });
    expect((await untilStored(stack, tenant.tenantId, [orphan.eventId]))[0]!.state).toBe('STORED');
  });

  it("quarantines an event naming another tenant's branch at once as CONTEXT_MISMATCH", async () => {
    const other = await stack.createTenant('Other tenant');
    const theirBranch = '0193a0b4-2222-7000-8000-000000000003';
    const theirs = provisionBranch(other.tenantId, theirBranch);
    await stack.caller.ingest.batch({ events: [theirs] });
    await untilStored(stack, other.tenantId, [theirs.eventId]);

    const intruder = sale(tenant.tenantId, theirBranch, new Date().toISOString());
    const hijack = provisionBranch(tenant.tenantId, theirBranch);
    const started = Date.now();
    await stack.caller.ingest.batch({ events: [intruder, hijack] });
    const statuses = await untilStored(stack, tenant.tenantId, [intruder.eventId, hijack.eventId], { orQuarantined: true });
    expect(statuses.map((s) => s.reason)).toEqual(['CONTEXT_MISMATCH', 'CONTEXT_MISMATCH']);
    expect(Date.now() - started).toBeLessThan(1000); // no waiting for a branch that exists elsewhere
    expect(await query('select * from audit_events where event_id = any($1)', [[intruder.eventId, hijack.eventId]])).toEqual([]);
  });
});

describe('dedupe on (tenant, eventId), forever', () => {
  it('stores the same events sent concurrently by several clients exactly once, seq gap-free', async () => {
    const t = await stack.createTenant('Concurrent');
    const events = Array.from({ length: 300 }, () => makeEvent(t.tenantId));
    const senders = Array.from({ length: 6 }, (_, i) => {
      const order = i % 2 === 0 ? events : [...events].reverse();
      return postTrpc(stack.baseUrl, 'ingest.batch', { events: order }, t.apiKey);
    });
    for (const res of await Promise.all(senders)) expect(res.body.result.data.accepted).toHaveLength(300);
    await untilStored(
      stack,
      t.tenantId,
      events.map((e) => e.eventId),
    );
    // all jobs done: no straggler can still add a copy
    await eventually(async () =>
      (await stack.services.ingestQueue.counts()).waiting === 0 && (await stack.services.ingestQueue.counts()).active === 0 ? true : undefined,
    );
    const rows = await query<{ n: string; distinct_ids: string; min: string; max: string }>(
      'select count(*) n, count(distinct event_id) distinct_ids, min(seq) min, max(seq) max from audit_events where tenant_id = $1',
      [t.tenantId],
    );
    expect(rows[0]).toEqual({ n: '300', distinct_ids: '300', min: '1', max: '300' });
    expect((await verifyChain(stack.services.orm, t.tenantId)).ok).toBe(true);
  });

  it('a resend days later is a no-op; the same id with different content is quarantined as DUPLICATE_CONFLICT', async () => {
    const t = await stack.createTenant('Conflicts');
    const original = makeEvent(t.tenantId, { metadata: { note: 'first' } });
    await stack.caller.ingest.record(original);
    await untilStored(stack, t.tenantId, [original.eventId]);
    await stack.caller.ingest.record(original);
    const altered = { ...original, metadata: { note: 'second' } };
    await stack.caller.ingest.record(altered);
    await eventually(async () => ((await listQuarantine(stack.services.orm, { tenantId: t.tenantId })).length === 1 ? true : undefined));
    const [q] = await listQuarantine(stack.services.orm, { tenantId: t.tenantId });
    expect(q).toMatchObject({ eventId: original.eventId, reason: 'DUPLICATE_CONFLICT' });
    const rows = await query<{ metadata: unknown }>('select metadata from audit_events where tenant_id = $1', [t.tenantId]);
    expect(rows).toEqual([{ metadata: { note: 'first' } }]);
    // the stored event stays the answer for its id, and the sender learns its second content was refused
    expect((await stack.caller.ingest.status({ tenantId: t.tenantId, eventIds: [original.eventId] })).statuses[0]).toMatchObject({
      state: 'STORED',
      seq: 1,
      conflict: 'DUPLICATE_CONFLICT',
    });
  });

  it('treats an event re-sent with another offset for the same instant as the same event', async () => {
    const t = await stack.createTenant('Offsets');
    const utc = makeEvent(t.tenantId, { occurredAt: '2026-06-01T10:00:00.000Z' });
    await stack.caller.ingest.record(utc);
    await stack.caller.ingest.record({ ...utc, occurredAt: '2026-06-01T12:00:00+02:00' });
    await untilStored(stack, t.tenantId, [utc.eventId]);
    await eventually(async () =>
      (await stack.services.ingestQueue.counts()).waiting === 0 && (await stack.services.ingestQueue.counts()).active === 0 ? true : undefined,
    );
    expect(await listQuarantine(stack.services.orm, { tenantId: t.tenantId })).toEqual([]);
    expect(await query('select 1 from audit_events where tenant_id = $1', [t.tenantId])).toHaveLength(1);
  });
});
