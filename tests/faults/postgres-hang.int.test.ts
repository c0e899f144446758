import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@modula/db';
import { findFreePort, startPostgres, type LocalPostgres } from '@modula/devservers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, postTrpc } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * A PostgreSQL that hangs rather than refuses (a network partition, a stuck disk): a server
 * re-checks a known API key at the database once a second, and must not wait for it. DESIGN,
 * Durability: ingestion needs only Redis; the README: a key verified in the last
 * API_KEY_CACHE_SECONDS is taken on trust while PostgreSQL does not answer.
 */
let stack: TestStack;
let postgres: LocalPostgres;
let dir: string;

/** The cluster's processes: the postmaster (postmaster.pid) and its children. */
function clusterPids(): number[] {
  const postmaster = Number(readFileSync(join(postgres.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}
const signalCluster = (signal: NodeJS.Signals) => {
  for (const pid of clusterPids()) process.kill(pid, signal);
};

beforeAll(async () => {
  // a PostgreSQL of our own: freezing the shared one would stall the other test files
  dir = mkdtempSync(join(tmpdir(), 'modula-pg-hang-'));
  chmodSync(dir, 0o755);
  postgres = await startPostgres({ dataDir: dir, port: await findFreePort(), fsync: false });
  await migrate(postgres.url);
  stack = await startStack({
    worker: false,
    database: { url: postgres.appUrl, ownerUrl: postgres.url, superuserUrl: postgres.superuserUrl.replace(/\/postgres$/, '/modula_audit') },
  });
});
afterAll(async () => {
  signalCluster('SIGCONT');
  await stack?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('fault: PostgreSQL hangs (SIGSTOP) while a till sends', () => {
  it('keeps acknowledging with a key verified before: its re-check does not wait for the database', async () => {
    const tenant = await stack.createTenant('Database hangs');
    const send = () => postTrpc(stack.baseUrl, 'ingest.record', makeEvent(tenant.tenantId), tenant.apiKey);
    expect((await send()).status).toBe(200); // the key is verified while the database answers
    await new Promise((r) => setTimeout(r, 1_100)); // past its re-check: the next call asks again

    signalCluster('SIGSTOP');
    try {
      // ten calls one after the other: a call that waited for the hung database would take the
      // connection's timeout (10 s) or the query's (120 s); all ten must be done long before
      const started = Date.now();
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        statuses.push((await send()).status);
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(statuses).toEqual(Array(10).fill(200));
      expect(Date.now() - started).toBeLessThan(9_000);
    } finally {
      signalCluster('SIGCONT');
    }
  });
});
