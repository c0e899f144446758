import { createStream, deliverStream, dueStreams, streamSettings } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startReceiver, type TReceiver } from '../../testing/receivers.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * The stream sweep hands out a limited number of due destinations per run (1000 in the worker). With
 * more due than that — busy tenants whose streams are behind at every sweep — each one must still
 * be handed out within a few sweeps: a destination is never left behind because of its tenant's id.
 * Here the limit is 2 and three tenants' streams are due at every sweep.
 */
let stack: TestStack;
let receiver: TReceiver;

beforeAll(async () => {
  stack = await startStack({ env: { STREAM_ALLOW_HTTP: 'true', STREAM_ALLOW_PRIVATE_ADDRESSES: 'true' } });
  receiver = await startReceiver();
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});

describe('the stream sweep, with more due destinations than it hands out', () => {
  it('hands out every due destination within a few sweeps, whatever its tenant', async () => {
    const settings = streamSettings(stack.config);
    const tenants: string[] = [];
    const streamOf = new Map<string, string>();
    for (const name of ['Busy A', 'Busy B', 'Busy C']) {
      const { tenantId } = await stack.createTenant(name);
      await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
      const { stream } = await createStream(stack.services.orm, settings, tenantId, {
        name: 'hook',
        target: { kind: 'WEBHOOK', url: `${receiver.url}/${name}` },
      });
      tenants.push(tenantId);
      streamOf.set(stream.id, tenantId);
    }

    const handedOut = new Set<string>();
    let leftOut: string | undefined;
    for (let sweep = 0; sweep < 3; sweep++) {
      const due = await dueStreams(stack.services.orm, 2);
      expect(due).toHaveLength(2);
      // the one left out by the last sweep, served longest ago, comes first
      if (leftOut) expect(due[0]!.id).toBe(leftOut);
      leftOut = [...streamOf.keys()].find((id) => !due.some((d) => d.id === id));
      for (const d of due) {
        expect(streamOf.get(d.id)).toBe(d.tenantId);
        handedOut.add(d.id);
        // served: the stream catches up, then its busy tenant stores another event (due again)
        const served = await deliverStream(stack.services.orm, settings, d.tenantId, d.id, { budgetMs: 5_000, onPaused: async () => {} });
        expect(served.outcome).toBe('caught-up');
        await ingestStored(stack, d.tenantId, [makeEvent(d.tenantId)]);
      }
    }
    expect([...handedOut].sort()).toEqual([...streamOf.keys()].sort());
    // with room for all, every due destination is handed out, the one left out last first
    const all = await dueStreams(stack.services.orm, 10);
    expect(all.map((d) => d.id)[0]).toBe(leftOut);
    expect(all).toHaveLength(3);
  }, 60_000);
});
