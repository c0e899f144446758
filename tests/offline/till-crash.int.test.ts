import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../testing/events.ts';
import { expectExactlyOnce } from '../../testing/faults.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { openTill, storedRows, tillDir, tillTenant, unreachableUrl } from './offline.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const KILLS = 3;
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** Runs the till process until it has reported `atLeast` recorded events, then SIGKILLs it mid-record. */
function runTillUntilKilled(dir: string, url: string, tenantId: string, branchId: string, atLeast: number): Promise<{ eventId: string; seq: number }[]> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'tests/offline/till-process.ts'), dir, url, tenantId, branchId], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const reported: { eventId: string; seq: number }[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const [eventId, seq] = line.split(' ');
        reported.push({ eventId: eventId!, seq: Number(seq) });
      }
      if (reported.length >= atLeast && child.exitCode === null) child.kill('SIGKILL');
    });
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? done(reported) : fail(new Error(`till exited with ${code}`))));
  });
}

describe('fault: the till process is SIGKILLed while it records', () => {
  it('keeps every event whose record() resolved, numbers them without gaps, and delivers them once', async () => {
    const tenant = await tillTenant(stack, 'Till crashes');
    const { dir, remove } = await tillDir();
    try {
      const offline = await unreachableUrl();
      const reported: { eventId: string; seq: number }[] = [];
      for (let kill = 0; kill < KILLS; kill++) reported.push(...(await runTillUntilKilled(dir, offline, tenant.tenantId, tenant.branchId, 200)));

      const outbox = await openTill({ url: stack.baseUrl, apiKey: tenant.apiKey, tenantId: tenant.tenantId, dir, deviceId: 'till-crash', autoSync: false });
      const pending = outbox.pending();
      // every reported event is there; at most one more per kill (on disk, killed before it was printed)
      const kept = new Set(pending.map((e) => e.eventId));
      expect(reported.filter((r) => !kept.has(r.eventId))).toEqual([]);
      expect(pending.length - reported.length).toBeLessThanOrEqual(KILLS);
      expect(pending.map((e) => e.context?.deviceSeq)).toEqual(Array.from({ length: pending.length }, (_, i) => i + 1));
      expect(reported.map((r) => r.seq)).toEqual(reported.map((r) => pending.find((e) => e.eventId === r.eventId)!.context!.deviceSeq));

      const report = await outbox.flush();
      expect(report).toMatchObject({ accepted: pending.length, rejected: 0, pending: 0 });
      // every sale beside the branch's provisioning, stored before them
      const { stored, duplicates } = await expectExactlyOnce(stack, tenant.tenantId, [tenant.provisionedEventId, ...pending.map((e) => e.eventId)], 30_000);
      expect({ stored, duplicates }).toEqual({ stored: 1 + pending.length, duplicates: 0 });
      await eventually(async () => ((await storedRows(stack, tenant.tenantId)).length === 1 + pending.length ? true : undefined));
      console.info(
        `till SIGKILLed ${KILLS} times: ${reported.length} records resolved, ${pending.length} in the outbox, ${stored - 1} stored (and the provisioning), ${duplicates} duplicates`,
      );
      await outbox.close();
    } finally {
      await remove();
    }
  });
});
