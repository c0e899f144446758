import { createHash } from 'node:crypto';
import { LIMITS } from '@modula/contracts';
import { judgeEvents } from '@modula/domain';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent, provisionBranch, sale } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * DESIGN rule 1: quarantined events are kept, never dropped, and can be replayed. A replay that
 * cannot queue must leave them quarantined; a replayed event keeps when it was received; an
 * altered quarantine row is not replayed; no replay job is larger than a batch.
 */
let stack: TestStack;

// UNKNOWN_BRANCH after 3 waits of 100 ms doubling (testing/stack.ts)
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

async function quarantineUnknownBranch(tenantId: string, branchId: string, n: number) {
  const events = Array.from({ length: n }, () => sale(tenantId, branchId, new Date().toISOString()));
  for (let i = 0; i < events.length; i += LIMITS.batchMaxEvents) {
    const res = await stack.caller.ingest.batch({ events: events.slice(i, i + LIMITS.batchMaxEvents) });
    expect(res.rejected).toEqual([]);
  }
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    return await eventually(async () => {
      const rows = (
        await db.query(
          `select id, event_id, received_at from quarantined_events
        where tenant_id = $1 and reason = 'UNKNOWN_BRANCH' and replayed_at is null`,
          [tenantId],
        )
      ).rows;
      return rows.length === n ? (rows as { id: string; event_id: string; received_at: Date }[]) : undefined;
    }, 30_000);
  } finally {
    await db.end();
  }
}

async function provision(tenantId: string, branchId: string) {
  await ingestStored(stack, tenantId, [provisionBranch(tenantId, branchId)]);
}

describe('quarantine replay loses nothing', () => {
  it('leaves the rows quarantined when the queue is unreachable', async () => {
    const { tenantId } = await stack.createTenant('Replay without Redis');
    const branchId = uuidv7();
    const rows = await quarantineUnknownBranch(tenantId, branchId, 3);
    const cli = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(cli.status).not.toBe(0);
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const open = (await db.query('select id from quarantined_events where tenant_id = $1 and replayed_at is null', [tenantId])).rows;
      expect(open.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
    } finally {
      await db.end();
    }
  });

  it('stores a replayed event with the receivedAt of its first acknowledgement', async () => {
    const { tenantId } = await stack.createTenant('Replay keeps receivedAt');
    const branchId = uuidv7();
    const [row] = await quarantineUnknownBranch(tenantId, branchId, 1);
    await provision(tenantId, branchId);
    const cli = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.json).toMatchObject({ replayed: 1, skipped: [] });
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const stored = await eventually(
        async () => (await db.query('select received_at from audit_events where tenant_id = $1 and event_id = $2', [tenantId, row!.event_id])).rows[0],
      );
      expect(new Date(stored.received_at).toISOString()).toBe(new Date(row!.received_at).toISOString());
    } finally {
      await db.end();
    }
  });

  it('replays an event kept as text because a worker could not read it (one of another version), once this version can', async () => {
    // what a worker of an older version writes for an event a newer server accepted: the event as
    // JSON text, hashed as text (store-isolated.ts). This version reads it, so replay stores it.
    const { tenantId } = await stack.createTenant('Replay unreadable text');
    const branchId = uuidv7();
    await provision(tenantId, branchId);
    const [judged] = judgeEvents([sale(tenantId, branchId, new Date().toISOString())], { kind: 'system' }).accepted;
    const text = JSON.stringify(judged!.event);
    const unreadableText = '{"not":"an event"}';
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      for (const [payloadText, eventId] of [
        [text, judged!.event.eventId],
        [unreadableText, '00000000-0000-0000-0000-000000000000'],
      ] as const)
        await db.query(
          `insert into quarantined_events (tenant_id, id, event_id, reason, detail, content_hash, payload, received_at)
          values ($1, $2, $3, 'INVALID_PAYLOAD', 'action: unknown action', $4, jsonb_build_object('unstorable', $5::text), now())`,
          [tenantId, uuidv7(), eventId, createHash('sha256').update(payloadText).digest('hex'), payloadText],
        );
      const cli = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId]);
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.json).toMatchObject({ replayed: 1, skipped: [{ problem: expect.stringMatching(/this version cannot read it either/) }] });
      const stored = await eventually(
        async () => (await db.query('select seq from audit_events where tenant_id = $1 and event_id = $2', [tenantId, judged!.event.eventId])).rows[0],
      );
      expect(Number(stored.seq)).toBe(2);
    } finally {
      await db.end();
    }
  });

  it('skips an event PostgreSQL itself refused: not queued, not counted, not marked replayed, however often replay runs', async () => {
    const { tenantId } = await stack.createTenant('Replay of a refused row');
    const db = await connect(stack.databaseSuperuserUrl);
    // a real refusal by the database (as tests/ingest/poison-event), still in place when replay runs
    const constraint = `replay_poison_${tenantId.replaceAll('-', '')}`;
    await db.query(`alter table audit_events add constraint ${constraint} check (entity_id is distinct from 'poison-${tenantId}')`);
    try {
      const poison = makeEvent(tenantId, { entity: { type: 'INVOICE', id: `poison-${tenantId}` } });
      expect((await stack.caller.ingest.batch({ events: [poison] })).rejected).toEqual([]);
      const refused = await eventually(
        async () =>
          (await db.query(`select id, detail from quarantined_events where tenant_id = $1 and reason = 'INVALID_PAYLOAD'`, [tenantId])).rows[0] as
            | { id: string; detail: string }
            | undefined,
      );
      expect(refused.detail).toMatch(/PostgreSQL refused it \(SQLSTATE 23514\)/);
      expect((await db.query('select payload from quarantined_events where id = $1', [refused.id])).rows[0].payload).toMatchObject({
        refusedSqlState: '23514',
      });
      for (const pass of [1, 2]) {
        const cli = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId]);
        expect(cli.status, cli.stderr).toBe(0);
        expect(cli.json, `pass ${pass}`).toMatchObject({
          replayed: 0,
          skipped: [{ id: refused.id, tenantId, problem: expect.stringMatching(/PostgreSQL refused/) }],
        });
        // had it been queued, the worker would quarantine it again: give it the time to
        await new Promise((r) => setTimeout(r, 1500));
        const rows = (await db.query('select id, replayed_at from quarantined_events where tenant_id = $1', [tenantId])).rows;
        expect(rows, `pass ${pass}`).toEqual([{ id: refused.id, replayed_at: null }]);
      }
      expect((await db.query('select count(*)::int as n from audit_events where tenant_id = $1 and event_id = $2', [tenantId, poison.eventId])).rows[0].n).toBe(
        0,
      );
    } finally {
      await db.query(`alter table audit_events drop constraint ${constraint}`);
      await db.end();
    }
  });

  it('replays a refused event with --refused once the cause is fixed: stored once, chain intact; refused again, it stays quarantined', async () => {
    const { tenantId } = await stack.createTenant('Replay of a refused row, cause fixed');
    const db = await connect(stack.databaseSuperuserUrl);
    // a CHECK added by mistake refuses the event; the till was acknowledged, the quarantined text is the only copy
    const constraint = `replay_fixed_${tenantId.replaceAll('-', '')}`;
    await db.query(`alter table audit_events add constraint ${constraint} check (entity_id is distinct from 'poison-${tenantId}')`);
    let dropped = false;
    try {
      const poison = makeEvent(tenantId, { entity: { type: 'INVOICE', id: `poison-${tenantId}` } });
      expect((await stack.caller.ingest.batch({ events: [poison] })).rejected).toEqual([]);
      const refused = await eventually(
        async () =>
          (await db.query(`select id from quarantined_events where tenant_id = $1 and reason = 'INVALID_PAYLOAD'`, [tenantId])).rows[0] as
            | { id: string }
            | undefined,
      );
      const openRows = async () => (await db.query('select id, replayed_at from quarantined_events where tenant_id = $1', [tenantId])).rows;
      const storedCount = async () =>
        (await db.query('select count(*)::int as n from audit_events where tenant_id = $1 and event_id = $2', [tenantId, poison.eventId])).rows[0].n as number;

      // the cause still in place: --refused finds it refused again, and neither counts nor marks it
      const again = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId, '--refused']);
      expect(again.status, again.stderr).toBe(0);
      expect(again.json).toMatchObject({
        replayed: 0,
        skipped: [{ id: refused.id, tenantId, problem: expect.stringMatching(/refused it again \(SQLSTATE 23514\)/) }],
      });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await openRows()).toEqual([{ id: refused.id, replayed_at: null }]);
      expect(await storedCount()).toBe(0);

      // the operator drops the mistaken CHECK; a plain replay still leaves the refused row alone, and says how
      await db.query(`alter table audit_events drop constraint ${constraint}`);
      dropped = true;
      const plain = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId]);
      expect(plain.status, plain.stderr).toBe(0);
      expect(plain.json).toMatchObject({ replayed: 0, skipped: [{ id: refused.id, problem: expect.stringMatching(/PostgreSQL refused.*--refused/) }] });

      const replay = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId, '--refused']);
      expect(replay.status, replay.stderr).toBe(0);
      expect(replay.json).toEqual({ replayed: 1, skipped: [] });
      await eventually(async () => ((await storedCount()) === 1 ? true : undefined));
      expect((await db.query('select replayed_at from quarantined_events where id = $1', [refused.id])).rows[0].replayed_at).not.toBeNull();
      const records = (
        await db.query(`select metadata from audit_events where tenant_id = $1 and action = 'QUARANTINE_REPLAYED' order by seq`, [tenantId])
      ).rows.map((r) => r.metadata);
      expect(records.at(-1)).toMatchObject({ replayed: 1, skipped: 0, refused: true });

      // a second replay finds nothing open and stores nothing twice
      const second = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId, '--refused', '--id', refused.id]);
      expect(second.status, second.stderr).toBe(0);
      expect(second.json).toEqual({ replayed: 0, skipped: [] });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await storedCount()).toBe(1);
      expect((await openRows()).length).toBe(1);

      const verify = runCli(stack, ['verify-chain', '--tenant', tenantId]);
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      expect(verify.json).toMatchObject({ ok: true });
    } finally {
      if (!dropped) await db.query(`alter table audit_events drop constraint ${constraint}`);
      await db.end();
    }
  });

  it('skips a row PostgreSQL refused before its SQLSTATE was kept (known by its detail)', async () => {
    const { tenantId } = await stack.createTenant('Replay of an older refused row');
    const branchId = uuidv7();
    await provision(tenantId, branchId);
    const [judged] = judgeEvents([sale(tenantId, branchId, new Date().toISOString())], { kind: 'system' }).accepted;
    const text = JSON.stringify(judged!.event);
    const id = uuidv7();
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      // as store-isolated.ts wrote it before: the text alone, the refusal said only in the detail
      await db.query(
        `insert into quarantined_events (tenant_id, id, event_id, reason, detail, content_hash, payload, received_at)
        values ($1, $2, $3, 'INVALID_PAYLOAD', 'PostgreSQL refused it: value too long for type character varying(200)', $4, jsonb_build_object('unstorable', $5::text), now())`,
        [tenantId, id, judged!.event.eventId, createHash('sha256').update(text).digest('hex'), text],
      );
      const cli = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId]);
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.json).toMatchObject({ replayed: 0, skipped: [{ id, problem: expect.stringMatching(/^PostgreSQL refused to store it: /) }] });
      expect((await db.query('select replayed_at from quarantined_events where id = $1', [id])).rows[0].replayed_at).toBeNull();
    } finally {
      await db.end();
    }
  });

  it('refuses to replay a quarantined payload altered since it was quarantined', async () => {
    const { tenantId } = await stack.createTenant('Replay of an altered row');
    const branchId = uuidv7();
    const [row, untouched] = await quarantineUnknownBranch(tenantId, branchId, 2);
    await provision(tenantId, branchId);
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      // an insider changes the amount of a quarantined sale, hoping the replay stores it
      await db.query(`update quarantined_events set payload = jsonb_set(payload, '{after,total}', '0.01') where tenant_id = $1 and id = $2`, [
        tenantId,
        row!.id,
      ]);
      const cli = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId]);
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.json.replayed).toBe(1);
      expect(cli.json.skipped).toEqual([{ id: row!.id, tenantId, problem: expect.stringMatching(/altered/) }]);
      await eventually(
        async () => (await db.query('select 1 from audit_events where tenant_id = $1 and event_id = $2', [tenantId, untouched!.event_id])).rows[0],
      );
      expect((await db.query('select count(*)::int as n from audit_events where tenant_id = $1 and event_id = $2', [tenantId, row!.event_id])).rows[0].n).toBe(
        0,
      );
      expect(
        (await db.query('select replayed_at from quarantined_events where tenant_id = $1 and id = $2', [tenantId, row!.id])).rows[0].replayed_at,
      ).toBeNull();
      // the other one is closed: replayed, and stored
      expect(
        (await db.query('select replayed_at from quarantined_events where tenant_id = $1 and id = $2', [tenantId, untouched!.id])).rows[0].replayed_at,
      ).not.toBeNull();
    } finally {
      await db.end();
    }
  });

  it('replays 1500 events in jobs of at most one batch each', async () => {
    const { tenantId } = await stack.createTenant('Replay in batches');
    const branchId = uuidv7();
    const rows = await quarantineUnknownBranch(tenantId, branchId, 1500);
    await provision(tenantId, branchId);
    // a stored job is removed from Redis: with the worker stopped, every replay job is still queued
    await stack.worker!.close();
    const replayStarted = Date.now();
    const cli = runCli(stack, ['quarantine', 'replay', '--tenant', tenantId]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.json.replayed).toBe(1500);
    const ids = new Set(rows.map((r) => r.event_id));
    const jobs = await stack.services.ingestQueue.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    const replayJobs = jobs.filter(
      (j) => j.data.tenantId === tenantId && j.data.events.some((e: { eventId: string }) => ids.has(e.eventId)) && j.timestamp >= replayStarted,
    );
    const sizes = replayJobs.map((j) => j.data.events.length as number);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1500);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LIMITS.batchMaxEvents);
    stack.worker = stack.startWorker();
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      await eventually(
        async () =>
          (await db.query('select count(*)::int as n from audit_events where tenant_id = $1 and action = $2', [tenantId, 'SALE_FINALIZED'])).rows[0].n === 1500
            ? true
            : undefined,
        60_000,
      );
    } finally {
      await db.end();
    }
  });
});
