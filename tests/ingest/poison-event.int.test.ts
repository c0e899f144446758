import type { TAcceptedEvent } from '@modula/contracts';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, getTrpc, makeEvent, postTrpc } from '../../testing/events.ts';
import { untilStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * DESIGN rule 7: a permanently bad event never blocks the rest of its batch, and nothing that
 * PostgreSQL cannot store is ever acknowledged. The stuck-work metric tells an operator when an
 * acknowledged event stays unstored.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${stack.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) throw new Error(`no metric ${name}`);
  return Number(line.split(' ').at(-1));
}

/** Events of three devices, each numbered, as the worker receives them from the queue. */
function goodEvents(tenantId: string, n: number): TAcceptedEvent[] {
  return Array.from(
    { length: n },
    (_, i) =>
      ({
        ...makeEvent(tenantId, { context: { deviceId: `till-${i % 3}`, deviceSeq: Math.floor(i / 3) + 1 } }),
        redactedPaths: [],
      }) as TAcceptedEvent,
  );
}

describe('one poison event never holds the others', () => {
  it('a queued job with a year-0000 event and 29 good ones from three devices: 29 stored at once, the one quarantined, stuck-work back to 0', async () => {
    const { tenantId } = await stack.createTenant('Poison in the queue');
    const good = goodEvents(tenantId, 29);
    // as a server before the acceptance check would have queued it
    const poison = { ...goodEvents(tenantId, 1)[0]!, occurredAt: '0000-06-15T10:00:00.000Z' };
    const events = [...good.slice(0, 14), poison, ...good.slice(14)];
    await stack.services.ingestQueue.enqueue(tenantId, events, new Date().toISOString());

    const states = await untilStored(
      stack,
      tenantId,
      events.map((e) => e.eventId),
      { orQuarantined: true, timeoutMs: 10_000 },
    );
    expect(states.filter((s) => s.state === 'STORED')).toHaveLength(29);
    expect(states.find((s) => s.eventId === poison.eventId)).toEqual({ eventId: poison.eventId, state: 'QUARANTINED', reason: 'INVALID_PAYLOAD' });
    // the stored ones keep their order and their device numbering
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const rows = (await db.query('select event_id from audit_events where tenant_id = $1 order by seq', [tenantId])).rows.map((r) => r.event_id);
      expect(rows).toEqual(good.map((e) => e.eventId));
      const q = (await db.query('select detail, payload from quarantined_events where tenant_id = $1', [tenantId])).rows;
      expect(q).toHaveLength(1);
      expect(q[0].detail).toMatch(/occurredAt/);
      expect(JSON.stringify(q[0].payload)).toContain('0000-06-15T10:00:00.000Z');
    } finally {
      await db.end();
    }
    await eventually(async () => ((await metric('audit_oldest_unstored_seconds')) === 0 ? true : undefined));
    expect(await metric('audit_queue_jobs{state="failed"}')).toBe(0);
  });

  it('an event PostgreSQL refuses (a constraint) is isolated by halving the batch; the other 29 are stored in order', async () => {
    const { tenantId, apiKey } = await stack.createTenant('Refused by PostgreSQL');
    const admin = await connect(stack.databaseSuperuserUrl);
    // a real refusal by the database: a check that only this one event breaks
    await admin.query(`alter table audit_events add constraint poison_test check (entity_id is distinct from 'poison-${tenantId}')`);
    try {
      const events = Array.from({ length: 30 }, (_, i) => makeEvent(tenantId, i === 21 ? { entity: { type: 'INVOICE', id: `poison-${tenantId}` } } : {}));
      const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events }, apiKey);
      expect(res.body.result.data.accepted).toHaveLength(30);
      const states = await untilStored(
        stack,
        tenantId,
        events.map((e) => e.eventId),
        { orQuarantined: true, timeoutMs: 10_000 },
      );
      expect(states.filter((s) => s.state === 'QUARANTINED').map((s) => [s.eventId, s.reason])).toEqual([[events[21]!.eventId, 'INVALID_PAYLOAD']]);
      const rows = (await admin.query('select event_id, seq::int from audit_events where tenant_id = $1 order by seq', [tenantId])).rows;
      expect(rows.map((r) => r.event_id)).toEqual(events.filter((_, i) => i !== 21).map((e) => e.eventId));
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 29 }, (_, i) => i + 1));
      const detail = (await admin.query('select detail from quarantined_events where tenant_id = $1', [tenantId])).rows[0].detail;
      expect(detail).toMatch(/poison_test/);
    } finally {
      await admin.query('alter table audit_events drop constraint poison_test');
      await admin.end();
    }
  });

  it('ingest.status answers 1000 ids in one GET, as documented', async () => {
    const { tenantId, apiKey } = await stack.createTenant('Status of 1000');
    const events = Array.from({ length: 10 }, () => makeEvent(tenantId));
    await postTrpc(stack.baseUrl, 'ingest.batch', { events }, apiKey);
    const ids = [...events.map((e) => e.eventId), ...Array.from({ length: 990 }, () => uuidv7())];
    const r = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: ids }, apiKey);
    expect(r.status).toBe(200);
    const statuses = r.body.result.data.statuses as { eventId: string; state: string }[];
    expect(statuses.map((s) => s.eventId)).toEqual(ids);
    expect(statuses.slice(10).every((s) => s.state === 'UNKNOWN')).toBe(true);
  });
});
