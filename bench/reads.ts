import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { TEventsFilter } from '@modula/contracts';
import type { Orm } from '@modula/db';
import pg from 'pg';
import { createTenant, findEvents, findFailedLogins } from '@modula/domain';
import { percentile } from './stats.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Seeds `events` chained events into one tenant with scripts/seed-events.ts (a year of activity). */
export async function seedTenant(orm: Orm, databaseUrl: string, events: number): Promise<string> {
  const { tenantId } = await createTenant(orm, 'Read benchmark');
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/seed-events.ts'), '--events', String(events), '--tenant', tenantId], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`seed-events exited ${code}`))));
  });
  // a log that grew by millions at once is measured as it settles in production: vacuumed and analysed,
  // not while autovacuum happens to be working through it
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('vacuum (analyze) audit_events, audit_event_search');
  } finally {
    await client.end();
  }
  return tenantId;
}

/**
 * p50 / p95 of `events.list`'s first page (as the API runs it: runtime role, RLS) for each single
 * filter, actor + date range, a deep keyset page, and insights.failedLogins. The reads take turns
 * (one sample of each per round, `samples` rounds), so a burst of load on this shared machine
 * lands on every read a little instead of on whichever read was running.
 */
export async function measureReads(orm: Orm, tenantId: string, samples = 100): Promise<Record<string, { p50: number; p95: number }>> {
  const secret = randomBytes(32);
  const day = 86_400_000;
  const now = Date.now();
  const cases: [string, TEventsFilter][] = [
    ['no filter', {}],
    ['date range (7 days)', { from: new Date(now - 7 * day).toISOString(), to: new Date(now).toISOString() }],
    ['branch', { branchIds: ['0193c000-0000-7000-8000-000000000003'] }],
    // values the seeded log has (scripts/seed-events.ts sends tenant-wide actions only)
    ['module', { modules: ['POLICY'] }],
    ['action', { actions: ['API_KEY_REVOKED'] }],
    ['actor', { actorIds: ['user-42'] }],
    ['outcome', { outcomes: ['FAILED'] }],
    ['reason', { reasons: ['PERMISSION_DENIED'] }],
    ['entity', { entityType: 'RECORD', entityId: 'rec-4242' }],
    ['session', { sessionId: 'sess-1234' }],
    ['search', { search: '#4321' }],
    ['actor + date range (30 days)', { actorIds: ['user-42'], from: new Date(now - 60 * day).toISOString(), to: new Date(now - 30 * day).toISOString() }],
  ];
  const reads: [string, () => Promise<unknown>][] = cases.map(([name, filter]) => [name, () => findEvents(orm, secret, tenantId, { ...filter, limit: 50 })]);

  // a page 10,000 rows deep, reached by following cursors
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) cursor = (await findEvents(orm, secret, tenantId, { limit: 200, ...(cursor ? { cursor } : {}) })).nextCursor;
  const deep = cursor!;
  reads.push(['deep keyset page (10,000 rows in)', () => findEvents(orm, secret, tenantId, { limit: 50, cursor: deep })]);
  reads.push(['insights.failedLogins (all time)', () => findFailedLogins(orm, tenantId, { windowMinutes: 60, threshold: 5 })]);

  for (const [, read] of reads) await read(); // warm
  const ms = reads.map((): number[] => []);
  for (let round = 0; round < samples; round++) {
    for (const [i, [, read]] of reads.entries()) {
      const t = performance.now();
      await read();
      ms[i]!.push(performance.now() - t);
    }
  }
  return Object.fromEntries(reads.map(([name], i) => [name, { p50: percentile(ms[i]!, 50), p95: percentile(ms[i]!, 95) }]));
}
