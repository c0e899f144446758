import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@modula/db';
import { findFreePort, startPostgres, type LocalPostgres } from '@modula/devservers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { expectExactlyOnce, sendUntilAcknowledged } from '../../testing/faults.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

const TOTAL = 30_000;
const OUTAGE_MS = 20_000;
let stack: TestStack;
let postgres: LocalPostgres;
let dir: string;
let port: number;

beforeAll(async () => {
  // a PostgreSQL of our own: stopping the shared one would break the other test files
  dir = mkdtempSync(join(tmpdir(), 'modula-pg-stop-'));
  chmodSync(dir, 0o755);
  port = await findFreePort();
  postgres = await startPostgres({ dataDir: dir, port, fsync: false });
  await migrate(postgres.url);
  stack = await startStack({
    database: { url: postgres.appUrl, ownerUrl: postgres.url, superuserUrl: postgres.superuserUrl.replace(/\/postgres$/, '/modula_audit') },
  });
});
afterAll(async () => {
  await stack.close();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('fault: PostgreSQL stops for 20 seconds mid-ingest', () => {
  it('keeps acknowledging (Redis holds the events), then stores every one exactly once', async () => {
    const tenant = await stack.createTenant('Database outage');
    const events = Array.from({ length: TOTAL }, (_, i) => makeEvent(tenant.tenantId, { metadata: { n: i } }));
    // the first call verifies the API key while the database is up; later calls use the cache
    const first = await sendUntilAcknowledged(stack.baseUrl, tenant.apiKey, events.slice(0, 1000));

    await postgres.stop();
    const stoppedAt = Date.now();
    const duringOutage = await sendUntilAcknowledged(stack.baseUrl, tenant.apiKey, events.slice(1000, 20_000));
    const health = await fetch(`${stack.baseUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ database: 'unreachable', queue: 'ok' });
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    postgres = await startPostgres({ dataDir: dir, port, fsync: false });
    const restartedAt = Date.now();
    const after = await sendUntilAcknowledged(stack.baseUrl, tenant.apiKey, events.slice(20_000));

    const acked = [...first.ackedIds, ...duringOutage.ackedIds, ...after.ackedIds];
    expect(duringOutage.acknowledged).toBe(19_000); // acknowledged while the database was down
    const result = await expectExactlyOnce(stack, tenant.tenantId, acked);
    console.log(
      `[fault:postgres-stop] ${JSON.stringify({
        sent: TOTAL,
        acknowledged: acked.length,
        acknowledgedDuringOutage: duringOutage.acknowledged,
        stored: result.stored,
        duplicates: result.duplicates,
        outageSeconds: (restartedAt - stoppedAt) / 1000,
        recoverySeconds: (Date.now() - restartedAt) / 1000,
      })}`,
    );
    expect(result.stored).toBe(TOTAL);
    // no connection leaked by the transactions the outage cut short (see packages/db/src/pool-guard.ts)
    const pool = await stack.services.orm.em.getConnection().getNativeClient();
    expect(pool.totalCount - pool.idleCount).toBe(0);
  }, 240_000);
});
