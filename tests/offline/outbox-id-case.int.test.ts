import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TAuditEventInput } from '@modula/contracts';
import { JOURNAL_FILE, type AuditOutbox, type TJournalOp } from '@modula/sdk';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { cashierSale, openTill, storedRows, tillDir, tillTenant } from './offline.ts';

// Swift's UUID().uuidString and Windows GUIDs spell ids in upper case; CONTRACT: "an upper-case
// UUID is the same id as its lower-case form everywhere". The service answers in lower case.

let stack: TestStack;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await stack.close();
});

async function newTill() {
  const till = await tillDir();
  cleanups.push(till.remove);
  return till.dir;
}

async function statesOf(outbox: AuditOutbox, eventIds: string[]) {
  return eventually(async () => {
    const { statuses } = await outbox.client.ingest.status.query({ eventIds });
    return statuses.every((s) => s.state === 'STORED') ? statuses : undefined;
  });
}

describe('an outbox given upper-case ids', () => {
  it('sends an upper-case eventId, takes its acknowledgement, and stays online', async () => {
    const tenant = await tillTenant(stack, 'Upper-case eventId');
    const outbox = await openTill({ url: stack.baseUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir: await newTill(), autoSync: false });
    const eventId = uuidv7();
    await outbox.record({ ...cashierSale(1, tenant.branchId), eventId: eventId.toUpperCase() });
    expect(await outbox.flush()).toMatchObject({ ok: true, accepted: 1, rejected: 0, pending: 0 });
    expect(outbox.pending()).toEqual([]);
    expect(outbox.reachability).toBe('online');
    expect(await statesOf(outbox, [eventId.toUpperCase()])).toMatchObject([{ eventId, state: 'STORED' }]);

    const later = await outbox.record(cashierSale(2, tenant.branchId));
    expect(later.context).toEqual({ deviceId: 'till-7', deviceSeq: 2 }); // not marked offline
    await outbox.flush();
    await statesOf(outbox, [later.eventId]);
    expect((await storedRows(stack, tenant.tenantId)).map((r) => r.event_id)).toEqual([tenant.provisionedEventId, eventId, later.eventId]);
    await outbox.close();
  });

  it('keeps one event for the two spellings of one eventId', async () => {
    const tenant = await tillTenant(stack, 'Both spellings');
    const outbox = await openTill({ url: stack.baseUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir: await newTill(), autoSync: false });
    const eventId = uuidv7();
    await outbox.record({ ...cashierSale(1, tenant.branchId), eventId: eventId.toUpperCase() });
    await expect(outbox.record({ ...cashierSale(1, tenant.branchId), eventId })).rejects.toThrow(/eventId: is already in this outbox/);
    expect(outbox.pending()).toHaveLength(1);
    await outbox.close();
  });

  it('records upper-case eventId, tenantId and branchId in the one spelling the service stores', async () => {
    const tenant = await tillTenant(stack, 'Upper-case tenant and branch');
    const outbox = await openTill({
      url: stack.baseUrl,
      apiKey: tenant.apiKey,
      tenantId: tenant.tenantId.toUpperCase(),
      dir: await newTill(),
      autoSync: false,
    });
    const eventId = uuidv7();
    const event = await outbox.record({ ...cashierSale(1, tenant.branchId.toUpperCase()), eventId: eventId.toUpperCase() });
    const implicit = await outbox.record({ ...cashierSale(2, tenant.branchId) }); // tenantId from the options
    const explicit = await outbox.record({ ...cashierSale(3, tenant.branchId), tenantId: tenant.tenantId.toUpperCase() });
    expect([event, implicit, explicit]).toMatchObject([
      { eventId, tenantId: tenant.tenantId, branchId: tenant.branchId },
      { tenantId: tenant.tenantId },
      { tenantId: tenant.tenantId },
    ]);
    expect(outbox.pending()).toEqual([event, implicit, explicit]);
    expect(await outbox.flush()).toMatchObject({ ok: true, accepted: 3, rejected: 0, pending: 0 });
    await outbox.close();
  });

  it('drains a journal written before the fix, whose events carry upper-case ids, without starving later events', async () => {
    const tenant = await tillTenant(stack, 'Old upper-case journal');
    const dir = await newTill();
    const at = new Date().toISOString();
    const sale = (n: number, eventId: string): TAuditEventInput =>
      ({
        ...cashierSale(n, tenant.branchId.toUpperCase()),
        eventId,
        tenantId: tenant.tenantId.toUpperCase(),
        occurredAt: at,
        context: { deviceId: 'till-7', deviceSeq: n },
      }) as TAuditEventInput;
    const old = [sale(1, uuidv7().toUpperCase()), sale(2, uuidv7().toUpperCase()), sale(3, uuidv7())];
    const journal: TJournalOp[] = [{ t: 'meta', deviceId: 'till-7', lastSeq: 0 }, ...old.map((event) => ({ t: 'add' as const, event, sealed: true }))];
    await writeFile(join(dir, JOURNAL_FILE), journal.map((op) => `${JSON.stringify(op)}\n`).join(''));

    // batches of two: the two upper-case events are the whole first batch
    const outbox = await openTill({ url: stack.baseUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir, autoSync: false, batch: { maxEvents: 2 } });
    expect(outbox.pending()).toHaveLength(3);
    expect(await outbox.flush()).toMatchObject({ ok: true, accepted: 3, rejected: 0, pending: 0 });
    expect(outbox.pending()).toEqual([]);
    expect(outbox.reachability).toBe('online');
    const ids = old.map((e) => e.eventId.toLowerCase());
    await statesOf(outbox, ids);
    expect((await storedRows(stack, tenant.tenantId)).map((r) => r.event_id)).toEqual([tenant.provisionedEventId, ...ids]);
    await outbox.close();
  });
});
