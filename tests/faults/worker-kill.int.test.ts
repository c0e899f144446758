import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { expectExactlyOnce, sendUntilAcknowledged } from '../../testing/faults.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TOTAL = 100_000;
const KILLS = 10;
let stack: TestStack;
const children: ChildProcess[] = [];

/** The real worker process, as `npm start` runs it, with a short job lock so a killed job re-runs soon. */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'worker/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env, WORKER_LOCK_MS: '3000', WORKER_STALLED_CHECK_MS: '2000', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack.close();
});

describe('fault: the worker is killed with SIGKILL again and again during a 100k-event ingest', () => {
  it('stores every acknowledged event exactly once, the chain verifies, no job is left failed', async () => {
    const tenant = await stack.createTenant('Worker kills');
    const events = Array.from({ length: TOTAL }, (_, i) => makeEvent(tenant.tenantId, { metadata: { n: i } }));
    const started = Date.now();
    const sending = sendUntilAcknowledged(stack.baseUrl, tenant.apiKey, events);

    const db = await connect(stack.databaseSuperuserUrl);
    const storedCount = async () => (await db.query('select count(*)::int as n from audit_events where tenant_id = $1', [tenant.tenantId])).rows[0].n as number;
    const storedAtKill: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const worker = spawnWorker();
      const before = await storedCount();
      // kill once this worker has committed something: it is then in the middle of the next batch
      while ((await storedCount()) <= before) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
      await kill9(worker);
      storedAtKill.push(await storedCount());
    }
    await db.end();
    const sent = await sending;
    expect(storedAtKill.at(-1)).toBeLessThan(TOTAL); // the kills really interrupted the work
    const killsDone = Date.now();

    spawnWorker();
    const result = await expectExactlyOnce(stack, tenant.tenantId, sent.ackedIds);
    const figures = {
      ...sent,
      ackedIds: undefined,
      kills: KILLS,
      stored: result.stored,
      duplicates: result.duplicates,
      recoverySeconds: (Date.now() - killsDone) / 1000,
      totalSeconds: (Date.now() - started) / 1000,
    };
    console.log(`[fault:worker-kill] ${JSON.stringify(figures)}`);
    expect(result.stored).toBe(TOTAL);
  }, 300_000);
});
