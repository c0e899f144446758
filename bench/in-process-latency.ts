import type { createSystemCaller } from '@modula/server';
import { v7 as uuidv7 } from 'uuid';
import { benchBranchIds, branchProvisioning, generateEvent } from './generate-events.ts';
import { percentile } from './stats.ts';

/** Single events through the in-process caller at a steady rate: time until the durable acknowledgement. */
export async function measureCallerLatency(caller: ReturnType<typeof createSystemCaller>, tenantId: string, perSecond: number, seconds: number) {
  await caller.ingest.batch({ events: branchProvisioning(tenantId) }); // the worker stores them before the events that follow
  const branches = benchBranchIds(tenantId);
  const samples: number[] = [];
  const pending: Promise<void>[] = [];
  const interval = 1000 / perSecond;
  const started = performance.now();
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const event = generateEvent(tenantId, uuidv7(), i, branches);
    const t = performance.now();
    pending.push(
      caller.ingest.record(event).then(() => {
        samples.push(performance.now() - t);
      }),
    );
  }
  await Promise.all(pending);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), achievedPerSecond: samples.length / ((performance.now() - started) / 1000) };
}
