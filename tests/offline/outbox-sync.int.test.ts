import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TAuditEventInput } from '@modula/contracts';
import { verifyChain } from '@modula/domain';
import { JOURNAL_FILE, type AuditOutbox, type TSyncReport } from '@modula/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, postTrpc } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { cashierSale, openTill, storedRows, tillDir, tillTenant, unreachableUrl } from './offline.ts';

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

async function allStored(outbox: AuditOutbox, eventIds: string[]) {
  return eventually(async () => {
    const { statuses } = await outbox.client.ingest.status.query({ eventIds });
    return statuses.every((s) => s.state === 'STORED') ? statuses : undefined;
  });
}

describe('a till that records while the service is unreachable, restarts, and reconnects', () => {
  it('stores every event exactly once with its original occurredAt, its device number and the offline flag', async () => {
    const tenant = await tillTenant(stack, 'Offline till');
    const dir = await newTill();
    const offlineUrl = await unreachableUrl();
    const reports: TSyncReport[] = [];

    // 1. no network: five sales; the background sender keeps failing and backing off
    const first = await openTill({ url: offlineUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir, onSync: (r) => reports.push(r) });
    expect(first.reachability).toBe('offline');
    const recorded: TAuditEventInput[] = [];
    for (let n = 1; n <= 5; n++) recorded.push(await first.record(cashierSale(n, tenant.branchId)));
    await expect(first.flush()).rejects.toThrow();
    await eventually(async () => (reports.filter((r) => !r.ok).length >= 2 ? true : undefined), 5_000);
    expect(reports.every((r) => !r.ok && r.retryInMs !== null)).toBe(true);
    expect(reports.at(-1)).toMatchObject({ ok: false, pending: 5 });
    await first.close();

    // 2. the till restarts, still offline: the outbox resumes its events and its counter
    const second = await openTill({ url: offlineUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir });
    expect(second.pending()).toEqual(recorded);
    expect(second.lastDeviceSeq).toBe(5);
    for (let n = 6; n <= 7; n++) recorded.push(await second.record(cashierSale(n, tenant.branchId)));
    await second.close();
    expect(recorded.map((e) => e.context)).toEqual(recorded.map((_, i) => ({ deviceId: 'till-7', deviceSeq: i + 1, offline: true })));

    // one event's acknowledgement "got lost": the service already has it when the outbox sends it
    const lostAck = await postTrpc(stack.baseUrl, 'ingest.record', recorded[2], tenant.apiKey);
    expect(lostAck.status).toBe(200);

    // 3. the network is back: a new instance on the same directory sends everything by itself
    const synced: TSyncReport[] = [];
    const third = await openTill({ url: stack.baseUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir, onSync: (r) => synced.push(r) });
    expect(third.reachability).toBe('online');
    await eventually(async () => (third.pending().length === 0 ? true : undefined), 10_000);
    expect(synced.find((r) => r.ok && r.accepted > 0)).toMatchObject({ ok: true, accepted: 7, rejected: 0 });
    expect(third.deadLetters()).toEqual([]);
    const statuses = await allStored(
      third,
      recorded.map((e) => e.eventId),
    );
    expect(statuses).toHaveLength(7);

    const rows = await storedRows(stack, tenant.tenantId);
    expect(rows.map((r) => r.event_id).sort()).toEqual([tenant.provisionedEventId, ...recorded.map((e) => e.eventId)].sort()); // exactly once each, beside the branch's provisioning
    expect(rows[0]!.event_id).toBe(tenant.provisionedEventId);
    for (const event of recorded) {
      const row = rows.find((r) => r.event_id === event.eventId)!;
      expect(row.occurred_at.getTime()).toBe(Date.parse(event.occurredAt)); // the original time, not the sync time
      expect(row).toMatchObject({ device_id: 'till-7', device_seq: event.context?.deviceSeq, offline: true });
    }
    // a new event while online is not offline, and takes the next number
    const online = await third.record(cashierSale(8, tenant.branchId));
    expect(online.context).toEqual({ deviceId: 'till-7', deviceSeq: 8 });
    await third.flush();
    await third.flush(); // nothing left: a no-op
    await allStored(third, [online.eventId]);
    expect(await storedRows(stack, tenant.tenantId)).toHaveLength(1 + 8); // the provisioning and the 8 sales
    expect(await verifyChain(stack.services.orm, tenant.tenantId)).toMatchObject({ ok: true, checked: 1 + 8 });
    await third.close();
  });

  it('keeps events the service refuses as dead letters (across restarts) and sends the rest', async () => {
    const tenant = await tillTenant(stack, 'Dead letters');
    const other = await stack.createTenant('Someone else');
    const dir = await newTill();
    const outbox = await openTill({ url: stack.baseUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir, autoSync: false });
    const good = await outbox.record(cashierSale(1, tenant.branchId));
    const foreign = await outbox.record({ ...cashierSale(2, tenant.branchId), tenantId: other.tenantId });
    const future = await outbox.record({ ...cashierSale(3, tenant.branchId), occurredAt: new Date(Date.now() + 3_600_000).toISOString() });
    const alsoGood = await outbox.record(cashierSale(4, tenant.branchId));

    const report = await outbox.flush();
    expect(report).toMatchObject({ ok: true, accepted: 2, rejected: 2, pending: 0 });
    expect(outbox.pending()).toEqual([]);
    const dead = outbox.deadLetters();
    expect(dead.map((d) => d.event)).toEqual([foreign, future]);
    expect(dead[0]!.issues).toEqual([{ path: ['tenantId'], message: 'FORBIDDEN: not the tenant of this API key' }]);
    expect(dead[1]!.issues[0]).toMatchObject({ path: ['occurredAt'], message: expect.stringMatching(/ahead of the service clock/) });
    await outbox.close();

    const reopened = await openTill({ url: stack.baseUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir, autoSync: false });
    expect(reopened.deadLetters()).toEqual(dead);
    await reopened.removeDeadLetters([foreign.eventId]);
    expect(reopened.deadLetters().map((d) => d.event.eventId)).toEqual([future.eventId]);
    await allStored(reopened, [good.eventId, alsoGood.eventId]);
    const rows = await storedRows(stack, tenant.tenantId);
    expect(rows.map((r) => r.event_id)).toEqual([tenant.provisionedEventId, good.eventId, alsoGood.eventId]); // the refused ones were never stored
    await reopened.close();
  });

  it('measures a till clock that runs 10 minutes ahead and stores the corrected time, keeping the raw one', async () => {
    const tenant = await tillTenant(stack, 'Clock ahead');
    const dir = await newTill();
    const ahead = () => Date.now() + 10 * 60_000;

    // recorded before any measurement (offline): the device time is kept until the first send
    const offline = await openTill({ url: await unreachableUrl(), apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir, clock: ahead, deviceId: 'till-fast' });
    const early = await offline.record(cashierSale(1, tenant.branchId));
    expect(Date.parse(early.occurredAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    await offline.close();

    const outbox = await openTill({
      url: stack.baseUrl,
      apiKey: tenant.apiKey,
      tenantId: tenant.tenantId,
      dir,
      clock: ahead,
      deviceId: 'till-fast',
      autoSync: false,
    });
    expect(outbox.clockOffsetMs).toBeLessThan(-9.9 * 60_000);
    const late = await outbox.record(cashierSale(2, tenant.branchId));
    expect(Math.abs(Date.parse(late.occurredAt) - Date.now())).toBeLessThan(2_000);
    expect(late.metadata).toMatchObject({ clock: { offsetMs: outbox.clockOffsetMs } });
    const report = await outbox.flush();
    expect(report).toMatchObject({ accepted: 2, rejected: 0 }); // not refused as "ahead of the service clock"
    await allStored(outbox, [early.eventId, late.eventId]);

    const rows = await storedRows(stack, tenant.tenantId);
    const stored = rows.find((r) => r.event_id === early.eventId)!;
    expect(Math.abs(stored.occurred_at.getTime() - (Date.parse(early.occurredAt) - 10 * 60_000))).toBeLessThan(2_000);
    expect(stored.metadata).toMatchObject({ clock: { deviceTime: early.occurredAt } });
    expect(rows.find((r) => r.event_id === late.eventId)!.metadata).toMatchObject({
      clock: { deviceTime: (late.metadata!.clock as { deviceTime: string }).deviceTime },
    });
    await outbox.close();
  });

  it('compacts its journal once events are acknowledged, keeping the counter and the dead letters', async () => {
    const tenant = await tillTenant(stack, 'Compaction');
    const dir = await newTill();
    const outbox = await openTill({ url: stack.baseUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir, autoSync: false, compactEvery: 10 });
    for (let n = 1; n <= 25; n++) await outbox.record(cashierSale(n, tenant.branchId));
    const refused = await outbox.record({ ...cashierSale(26, tenant.branchId), occurredAt: new Date(Date.now() + 3_600_000).toISOString() });
    const journal = join(dir, JOURNAL_FILE);
    expect((await readFile(journal, 'utf8')).trim().split('\n')).toHaveLength(1 + 26); // meta + one line per event
    await outbox.flush();
    const lines = (await readFile(journal, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: string });
    expect(lines.map((l) => l.t)).toEqual(['meta', 'dead']);
    await outbox.close();

    const reopened = await openTill({ url: stack.baseUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir, autoSync: false });
    expect(reopened.pending()).toEqual([]);
    expect(reopened.deadLetters().map((d) => d.event)).toEqual([refused]);
    expect((await reopened.record(cashierSale(27, tenant.branchId))).context?.deviceSeq).toBe(27);
    await reopened.close();
  });

  it('lets two tills of different devices flush concurrently: every event once, each device without gaps', async () => {
    const tenant = await tillTenant(stack, 'Two tills');
    const offlineUrl = await unreachableUrl();
    const devices = ['till-1', 'till-2'];
    const dirs = await Promise.all(devices.map(() => newTill()));
    const recorded: TAuditEventInput[] = [];
    await Promise.all(
      devices.map(async (deviceId, i) => {
        const outbox = await openTill({ url: offlineUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir: dirs[i]!, deviceId, autoSync: false });
        for (let n = 1; n <= 150; n++) recorded.push(await outbox.record(cashierSale(n, tenant.branchId)));
        await outbox.close();
      }),
    );
    const tills = await Promise.all(
      devices.map((deviceId, i) =>
        openTill({
          url: stack.baseUrl,
          apiKey: tenant.apiKey,
          tenantId: tenant.tenantId,
          dir: dirs[i]!,
          deviceId,
          autoSync: false,
          batch: { maxEvents: 20 },
        }),
      ),
    );
    const reports = await Promise.all(tills.map((t) => t.flush()));
    expect(reports.map((r) => r.accepted)).toEqual([150, 150]);
    await allStored(tills[0]!, recorded.map((e) => e.eventId).slice(0, 1000));

    const rows = await eventually(async () => {
      const r = await storedRows(stack, tenant.tenantId);
      return r.length >= 1 + 300 ? r : undefined;
    });
    expect(rows).toHaveLength(1 + 300); // the provisioning and 150 sales of each till
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set([tenant.provisionedEventId, ...recorded.map((e) => e.eventId)]));
    for (const deviceId of devices) {
      expect(
        rows
          .filter((r) => r.device_id === deviceId)
          .map((r) => r.device_seq)
          .sort((a, b) => a! - b!),
      ).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    }
    expect(await verifyChain(stack.services.orm, tenant.tenantId)).toMatchObject({ ok: true, checked: 1 + 300 });
    await Promise.all(tills.map((t) => t.close()));
  });
});
