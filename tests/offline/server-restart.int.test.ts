import type { AddressInfo } from 'node:net';
import { buildApp } from '@modula/server';
import type { AuditOutbox, TSyncReport } from '@modula/sdk';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../testing/events.ts';
import { expectExactlyOnce } from '../../testing/faults.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { cashierSale, openTill, storedRows, tillDir, tillTenant } from './offline.ts';

let stack: TestStack;
let restarted: FastifyInstance | undefined;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await restarted?.close();
  await stack.close();
});

describe('fault: the server restarts while till outboxes hold pending events', () => {
  it('delivers everything after the restart by itself: every event once, each device gap-free, the chain intact', async () => {
    const tenant = await tillTenant(stack, 'Server restart');
    const { port } = stack.app.server.address() as AddressInfo;
    const devices = ['till-a', 'till-b'];
    const dirs = await Promise.all(
      devices.map(async () => {
        const t = await tillDir();
        cleanups.push(t.remove);
        return t.dir;
      }),
    );
    const failures: Record<string, number> = { 'till-a': 0, 'till-b': 0 };
    const open = (i: number) =>
      openTill({
        url: stack.baseUrl,
        apiKey: tenant.apiKey,
        tenantId: tenant.tenantId,
        dir: dirs[i]!,
        deviceId: devices[i]!,
        onSync: (r: TSyncReport) => {
          if (!r.ok) failures[devices[i]!]! += 1;
        },
      });
    const tills: AuditOutbox[] = await Promise.all(devices.map((_, i) => open(i)));
    const ids: string[] = [];
    const recordEach = async (count: number) => {
      for (let n = 0; n < count; n++) for (const till of tills) ids.push((await till.record(cashierSale(n, tenant.branchId))).eventId);
    };

    // online: sent in the background
    await recordEach(20);
    await eventually(async () => (tills.every((t) => t.pending().length === 0) ? true : undefined), 10_000);

    // the server goes away; the tills keep recording and their senders back off
    await stack.app.close();
    await recordEach(30);
    await eventually(async () => (failures['till-a']! >= 3 && failures['till-b']! >= 3 ? true : undefined), 10_000);
    expect(tills.every((t) => t.reachability === 'offline')).toBe(true);
    // one till is also restarted during the outage
    await tills[1]!.close();
    tills[1] = await open(1);
    await recordEach(10);
    expect(tills.map((t) => t.pending().length)).toEqual([40, 40]);
    // recorded once the outage was noticed: marked offline (the first ones after the close were not known to be)
    expect(
      tills.map((t) =>
        t
          .pending()
          .slice(-10)
          .every((e) => e.context?.offline === true),
      ),
    ).toEqual([true, true]);

    // the server comes back on the same address
    const down = Date.now();
    restarted = await buildApp(stack.services);
    await restarted.listen({ port, host: '127.0.0.1' });
    await eventually(async () => (tills.every((t) => t.pending().length === 0) ? true : undefined), 20_000, 50);
    const recoveredMs = Date.now() - down;
    expect(tills.every((t) => t.deadLetters().length === 0)).toBe(true);

    // the 120 sales beside the branch's provisioning, stored before them
    const { stored, duplicates } = await expectExactlyOnce(stack, tenant.tenantId, [tenant.provisionedEventId, ...ids], 30_000);
    expect({ stored, duplicates }).toEqual({ stored: 1 + 120, duplicates: 0 });
    const rows = await storedRows(stack, tenant.tenantId);
    for (const deviceId of devices) {
      expect(
        rows
          .filter((r) => r.device_id === deviceId)
          .map((r) => r.device_seq)
          .sort((a, b) => a! - b!),
      ).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    }
    console.info(
      `server restart: 120 recorded, 120 acknowledged, ${stored - 1} stored (and the provisioning), ${duplicates} duplicates; outboxes empty ${recoveredMs} ms after the restart`,
    );
    await Promise.all(tills.map((t) => t.close()));
  });
});
