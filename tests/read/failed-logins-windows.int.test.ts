import type { TAuditEventInput, TFailedLoginsOutput } from '@modula/contracts';
import { findFailedLogins } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * insights.failedLogins reads only the failures around the dense hours or days that
 * login_failure_counts points at (or all of them when its bound is 1). Whatever the window and
 * threshold, its answer must be the definition's: here it is compared with a direct count of every
 * failure, over failures that arrive late, out of order, tied to the millisecond and on bucket
 * boundaries.
 */
let stack: TestStack;
let tenantId: string;
const failures: { actorId: string; name: string; at: number; ip: string }[] = [];
const HOUR = 3_600_000;
// a UTC midnight 10 days ago: failures are generated up to an hour ago, and from 8 days back the
// count depended on the time of day (148 late in the evening, under the 150 the test needs)
const base = Math.floor((Date.now() - 10 * 86_400_000) / 86_400_000) * 86_400_000;

/** The definition, counted over every failure: for each account, the densest window from one failure to windowMinutes later. */
function reference(input: { from?: string; to?: string; windowMinutes: number; threshold: number }): TFailedLoginsOutput['items'] {
  const from = input.from ? Date.parse(input.from) : -Infinity;
  const to = input.to ? Date.parse(input.to) : Infinity;
  const w = input.windowMinutes * 60_000;
  const items: TFailedLoginsOutput['items'] = [];
  for (const actorId of [...new Set(failures.map((f) => f.actorId))].sort()) {
    const own = failures.filter((f) => f.actorId === actorId && f.at >= from && f.at <= to).sort((a, b) => a.at - b.at);
    let best: { count: number; first: number; last: number } | undefined;
    for (const f of own) {
      const inside = own.filter((g) => g.at >= f.at && g.at <= f.at + w);
      const last = Math.max(...inside.map((g) => g.at));
      if (!best || inside.length > best.count || (inside.length === best.count && f.at < best.first)) best = { count: inside.length, first: f.at, last };
    }
    if (!best || best.count <= input.threshold) continue;
    const { first, last } = best;
    items.push({
      actorId,
      actorName: own.at(-1)!.name,
      failures: best.count,
      firstAt: new Date(first).toISOString(),
      lastAt: new Date(last).toISOString(),
      ips: [...new Set(own.filter((g) => g.at >= first && g.at <= last).map((g) => g.ip))].sort(),
    });
  }
  return items;
}

beforeAll(async () => {
  stack = await startStack();
  ({ tenantId } = await stack.createTenant('Failed sign-ins'));
  let seed = 20261201;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let a = 0; a < 8; a++) {
    let at = base + Math.floor(random() * 2 * 86_400_000);
    for (let k = Math.floor(random() * 70); k > 0; k--) {
      const r = random();
      // same millisecond, minutes apart (bursts), hours apart, or days apart
      at += r < 0.1 ? 0 : r < 0.6 ? Math.floor(random() * 20) * 60_000 : r < 0.85 ? Math.floor(random() * 300) * 60_000 : Math.floor(random() * 2 * 86_400_000);
      if (at > Date.now() - HOUR) break;
      // often exactly on an hour, where one clock hour's bucket ends and the next begins
      failures.push({
        actorId: `u-${a}`,
        name: `Account ${a}`,
        at: random() < 0.3 ? Math.round(at / HOUR) * HOUR : at,
        ip: `192.0.2.${Math.floor(random() * 4)}`,
      });
    }
  }
  const events: TAuditEventInput[] = failures.map((f) =>
    makeEvent(tenantId, {
      action: 'LOGIN_FAILED',
      outcome: 'FAILED',
      actor: { type: 'USER', id: f.actorId, role: 'CASHIER', name: f.name },
      occurredAt: new Date(f.at).toISOString(),
      context: { ip: f.ip },
    }),
  );
  // late and out of order: shuffled, in batches of different sizes
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  for (let i = 0; i < events.length; ) {
    const size = 1 + Math.floor(random() * 60);
    await ingestStored(stack, tenantId, events.slice(i, i + size));
    i += size;
  }
}, 120_000);
afterAll(() => stack.close());

describe('insights.failedLogins over the dense buckets', () => {
  it('answers as a count of every failure would, for any window, threshold and range', async () => {
    expect(failures.length).toBeGreaterThan(150);
    const ranges = [
      {},
      { from: new Date(base + 86_400_000 + 1234).toISOString() },
      { from: new Date(base + 2 * 86_400_000).toISOString(), to: new Date(base + 4 * 86_400_000 + 30 * 60_000).toISOString() },
    ];
    let reported = 0;
    for (const windowMinutes of [1, 30, 59, 60, 61, 120, 300, 1439, 1440]) {
      for (const threshold of [1, 2, 3, 5, 8, 15]) {
        for (const range of ranges) {
          const input = { ...range, windowMinutes, threshold };
          const got = await findFailedLogins(stack.services.orm, tenantId, input);
          // accounts tied on (failures, lastAt) may come in either order
          expect(
            [...got].sort((a, b) => a.actorId.localeCompare(b.actorId)),
            JSON.stringify(input),
          ).toEqual(reference(input));
          for (let i = 1; i < got.length; i++)
            expect(got[i - 1]!.failures > got[i]!.failures || (got[i - 1]!.failures === got[i]!.failures && got[i - 1]!.lastAt >= got[i]!.lastAt)).toBe(true);
          reported += got.length;
        }
      }
    }
    expect(reported).toBeGreaterThan(100);
  }, 120_000);

  it('keeps per-account counts the runtime may read but not change, and nobody may delete', async () => {
    const db = await connect(stack.config.DATABASE_URL);
    try {
      await db.query('begin');
      await db.query('set local role modula_audit_app');
      await db.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
      const counted = (await db.query(`select coalesce(sum(failures), 0)::int as n from login_failure_counts where bucket_minutes = 60`)).rows[0].n;
      expect(counted).toBe(failures.length);
      await expect(db.query('update login_failure_counts set failures = 1')).rejects.toThrow(/permission denied/);
    } finally {
      await db.query('rollback').catch(() => {});
      await db.end();
    }
    const owner = await connect(stack.databaseOwnerUrl);
    try {
      await owner.query('begin');
      await owner.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
      await expect(owner.query('delete from login_failure_counts')).rejects.toThrow(/append-only/);
    } finally {
      await owner.query('rollback').catch(() => {});
      await owner.end();
    }
  });

  it('counts the failures of an insert that sets no tenant (a superuser COPY, as pnpm bench measures its limit)', async () => {
    const { tenantId: copied } = await stack.createTenant('Copied');
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      await db.query('begin');
      await db.query(
        `insert into audit_events (tenant_id, seq, id, event_id, module, action, description, outcome, claimed_outcome,
          actor_type, actor_id, occurred_at, received_at, redacted_paths, content_hash, prev_hash, hash, record_version)
        values ($1, 1, gen_random_uuid(), gen_random_uuid(), 'AUTH', 'LOGIN_FAILED', 'x', 'FAILED', 'FAILED',
          'USER', 'u-copied', now(), now(), '{}', 'h', 'p', 'h', 1)`,
        [copied],
      );
      const counted = (await db.query('select bucket_minutes, failures from login_failure_counts where tenant_id = $1 order by 1', [copied])).rows;
      expect(counted).toEqual([
        { bucket_minutes: 60, failures: 1 },
        { bucket_minutes: 1440, failures: 1 },
      ]);
    } finally {
      await db.query('rollback').catch(() => {});
      await db.end();
    }
  });
});
