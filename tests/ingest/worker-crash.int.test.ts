import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { verifyChain } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent, postTrpc } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let stack: TestStack;
const children: ChildProcess[] = [];

/** The real worker process, as `npm start` runs it. */
function spawnWorker(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'worker/src/main.ts')], {
    cwd: ROOT, env: { ...process.env, ...stack.env, WORKER_CONCURRENCY: '2', WORKER_LOCK_MS: '3000', WORKER_STALLED_CHECK_MS: '2000', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function storedCount(tenantId: string): Promise<number> {
  const db = await connect(stack.databaseSuperuserUrl);
  try { return (await db.query('select count(*)::int as n from audit_events where tenant_id = $1', [tenantId])).rows[0].n; } finally { await db.end(); }
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((done) => { child.once('exit', () => done()); child.kill('SIGKILL'); });
}

beforeAll(async () => { stack = await startStack({ worker: false }); });
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack.close();
});

describe('a worker killed with SIGKILL mid-batch', () => {
  it('loses nothing and duplicates nothing: every acknowledged event stored exactly once, chain intact', async () => {
    const tenant = await stack.createTenant('Crash');
    const TOTAL = 20_000;
    const events = Array.from({ length: TOTAL }, (_, i) => makeEvent(tenant.tenantId, { metadata: { n: i } }));
    const acknowledged: string[] = [];
    for (let i = 0; i < TOTAL; i += 1000) {
      const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events: events.slice(i, i + 1000) }, tenant.apiKey);
      acknowledged.push(...res.body.result.data.accepted);
    }
    expect(acknowledged).toHaveLength(TOTAL);

    let kills = 0;
    for (let round = 1; round <= 4; round++) {
      const worker = spawnWorker();
      children.push(worker);
      const before = await storedCount(tenant.tenantId);
      // kill as soon as this round has stored something: a batch is almost surely in flight
      await eventually(async () => ((await storedCount(tenant.tenantId)) > before ? true : undefined), 60_000, 20);
      await kill9(worker);
      kills++;
    }
    expect(kills).toBe(4);
    expect(await storedCount(tenant.tenantId)).toBeLessThan(TOTAL); // the kills really interrupted the work

    const last = spawnWorker();
    children.push(last);
    try {
      await eventually(async () => ((await storedCount(tenant.tenantId)) >= TOTAL ? true : undefined), 120_000, 200);
      // jobs that were active when killed come back as stalled and re-run: let them finish
      await eventually(async () => {
        const c = await stack.services.ingestQueue.counts();
        return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0 ? c : undefined;
      }, 90_000, 250);
    } finally {
      await new Promise<void>((done) => { last.once('exit', () => done()); last.kill('SIGTERM'); });
    }

    const db = await connect(stack.databaseSuperuserUrl);
    const row = (await db.query(`select count(*)::int n, count(distinct event_id)::int ids, min(seq)::int lo, max(seq)::int hi
      from audit_events where tenant_id = $1`, [tenant.tenantId])).rows[0];
    await db.end();
    expect(row).toEqual({ n: TOTAL, ids: TOTAL, lo: 1, hi: TOTAL });
    expect((await stack.services.ingestQueue.counts()).failed).toBe(0);
    const chain = await verifyChain(stack.services.orm, tenant.tenantId);
    expect(chain).toMatchObject({ ok: true, checked: TOTAL });
  }, 240_000);
});
