import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, GENESIS_HASH, replayQuarantine, verifyChain } from '@modula/domain';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent, postTrpc, sale } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { asAttacker, runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 12, item 8: every stored event records which credential sent it and from which address,
 * inside its hashed record, so a leaked key's writes can be found and listed; rows stored before
 * (record version 1) keep verifying.
 */
let stack: TestStack;
let db: pg.Client;
let tenantId: string;
let keyA: { apiKeyId: string; apiKey: string };
let keyB: { apiKeyId: string; apiKey: string };
let admin: { cookie: string; userId: string };

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  db = await connect(stack.databaseSuperuserUrl);
  ({ tenantId } = await stack.createTenant('Provenance'));
  keyA = await createApiKey(stack.services.orm, tenantId);
  keyB = await createApiKey(stack.services.orm, tenantId);
  admin = await signedInAdmin(stack, tenantId);
});
afterAll(async () => {
  await db.end();
  await stack.close();
});

interface TRow {
  seq: string;
  event_id: string;
  record_version: number;
  credential: string | null;
  source_address: string | null;
}

async function rowsOf(eventIds: string[]): Promise<TRow[]> {
  return eventually(async () => {
    const { rows } = await db.query(
      `select seq, event_id, record_version, credential, source_address from audit_events
      where tenant_id = $1 and event_id = any($2::uuid[]) order by seq`,
      [tenantId, eventIds],
    );
    return rows.length === eventIds.length ? (rows as TRow[]) : undefined;
  });
}

async function storedOf(action: string, n = 1): Promise<TRow[]> {
  return eventually(async () => {
    const { rows } = await db.query(
      `select seq, event_id, record_version, credential, source_address from audit_events
      where tenant_id = $1 and action = $2 order by seq`,
      [tenantId, action],
    );
    return rows.length >= n ? (rows as TRow[]) : undefined;
  });
}

describe('each stored event names the credential and address that sent it', () => {
  it('two API keys of one tenant sending at the same moment are told apart (requests are never merged across senders)', async () => {
    const fromA = Array.from({ length: 6 }, () => makeEvent(tenantId));
    const fromB = Array.from({ length: 6 }, () => makeEvent(tenantId));
    // one event per request, all at once: the server groups concurrent calls of a tenant into jobs
    const sent = await Promise.all([
      ...fromA.map((e) => postTrpc(stack.baseUrl, 'ingest.record', e, keyA.apiKey)),
      ...fromB.map((e) => postTrpc(stack.baseUrl, 'ingest.record', e, keyB.apiKey)),
    ]);
    expect(sent.map((r) => r.status)).toEqual(Array(12).fill(200));
    const rows = await rowsOf([...fromA, ...fromB].map((e) => e.eventId));
    const a = new Set(fromA.map((e) => e.eventId));
    for (const row of rows) {
      expect(row.record_version).toBe(2);
      expect(row.credential).toBe(`apikey:${a.has(row.event_id) ? keyA.apiKeyId : keyB.apiKeyId}`);
      expect(row.source_address).toBe('127.0.0.1');
    }
  });

  it('an Admin lists everything one key wrote (events.list by credential), and each entry says who sent it', async () => {
    const leaked = Array.from({ length: 3 }, () => makeEvent(tenantId));
    const other = makeEvent(tenantId);
    expect((await postTrpc(stack.baseUrl, 'ingest.batch', { events: leaked }, keyB.apiKey)).status).toBe(200);
    expect((await postTrpc(stack.baseUrl, 'ingest.batch', { events: [other] }, keyA.apiKey)).status).toBe(200);
    await rowsOf([...leaked, other].map((e) => e.eventId));
    const list = await trpc(stack, 'query', 'events.list', { credential: `apikey:${keyB.apiKeyId}`, limit: 200 }, { cookie: admin.cookie });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const ids = (list.data.items as { eventId: string }[]).map((i) => i.eventId);
    expect(ids).toEqual(expect.arrayContaining(leaked.map((e) => e.eventId)));
    expect(ids).not.toContain(other.eventId);
    expect(ids).toHaveLength(6 + 3); // the six of the first test and these three: nothing of key A's
    const item = (list.data.items as { eventId: string; provenance: unknown }[]).find((i) => i.eventId === leaked[0]!.eventId);
    expect(item?.provenance).toEqual({ credential: `apikey:${keyB.apiKeyId}`, sourceAddress: '127.0.0.1' });
  });

  it("sign-ins: a refused one is anonymous, a successful one is the user; the Admin's reading is the Admin", async () => {
    const user = await makeUser(stack, tenantId, 'CASHIER', 'Carl Cashier');
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: 'not the password at all 1' })).status).toBe(401);
    expect((await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD })).status).toBe(200);
    const failed = (await storedOf('LOGIN_FAILED')).at(-1)!;
    expect(failed).toMatchObject({ credential: 'anonymous', source_address: '127.0.0.1' });
    const success = await eventually(async () => {
      const { rows } = await db.query(
        `select credential, source_address from audit_events where tenant_id = $1 and action = 'LOGIN_SUCCESS' and actor_id = $2`,
        [tenantId, user.userId],
      );
      return rows[0] as TRow | undefined;
    });
    expect(success).toMatchObject({ credential: `user:${user.userId}`, source_address: '127.0.0.1' });
    const viewed = (await storedOf('AUDIT_LOG_VIEWED')).at(-1)!;
    expect(viewed).toMatchObject({ credential: `user:${admin.userId}`, source_address: '127.0.0.1' });
  });

  it('a module inside the process is the system, with no address; an operator at the CLI is the operator', async () => {
    const inProcess = makeEvent(tenantId);
    await ingestStored(stack, tenantId, [inProcess]);
    expect((await rowsOf([inProcess.eventId]))[0]).toMatchObject({ credential: 'system', source_address: null });
    const created = runCli(stack, ['apikey', 'create', '--tenant', tenantId]);
    expect(created.status, created.stderr).toBe(0);
    const row = (await storedOf('API_KEY_CREATED')).at(-1)!;
    expect(row.credential).toMatch(/^operator:.+@.+/);
    expect(row.source_address).toBeNull();
  });

  it('a quarantined event keeps its sender through a replay (the operator who replays is not its author)', async () => {
    const branchId = '0193a0b4-7777-7000-8000-000000000001';
    const waiting = sale(tenantId, branchId, new Date().toISOString());
    expect((await postTrpc(stack.baseUrl, 'ingest.record', waiting, keyA.apiKey)).status).toBe(200);
    await eventually(async () => {
      const { rows } = await db.query('select provenance from quarantined_events where tenant_id = $1 and event_id = $2', [tenantId, waiting.eventId]);
      return rows[0];
    }, 20_000);
    await ingestStored(stack, tenantId, [
      { ...makeEvent(tenantId), action: 'BRANCH_PROVISIONED', branchId, entity: { type: 'BRANCH', id: branchId, label: 'Dock' } },
    ]);
    const replay = await replayQuarantine(
      stack.services.orm,
      (t, events, receivedAt, provenance) => stack.services.ingestQueue.enqueue(t, events, receivedAt, { provenance }),
      { tenantId, reason: 'UNKNOWN_BRANCH' },
    );
    expect(replay.replayed).toBe(1);
    expect((await rowsOf([waiting.eventId]))[0]).toMatchObject({ credential: `apikey:${keyA.apiKeyId}`, source_address: '127.0.0.1' });
  });
});

describe('provenance is inside the hashed record', () => {
  it("a superuser who rewrites an event's credential (to hide a leaked key) breaks the chain at that event", async () => {
    const [row] = await storedOf('API_KEY_CREATED');
    const seq = Number(row!.seq);
    const result = await asAttacker(
      db,
      tenantId,
      async (c) => {
        await c.query('update audit_events set credential = $3 where tenant_id = $1 and seq = $2', [tenantId, seq, 'system']);
      },
      () => verifyChain(stack.services.orm, tenantId),
    );
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: seq });
    expect(result.reason).toMatch(/altered/);
  });

  it('rows of record version 1 (stored before provenance was kept) still verify, beside version 2 rows', async () => {
    // what an upgraded installation holds: the older rows carry no provenance and hash without its keys
    const clean = await verifyChain(stack.services.orm, tenantId);
    expect(clean.ok).toBe(true);
    const result = await asAttacker(
      db,
      tenantId,
      async (c) => {
        const { rows } = await c.query('select * from audit_events where tenant_id = $1 and seq <= 5 order by seq', [tenantId]);
        let prev = GENESIS_HASH;
        for (const r of rows) {
          const record: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(r)) {
            if (['hash', 'prev_hash', 'record_version', 'credential', 'source_address'].includes(k)) continue;
            record[k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase())] =
              v instanceof Date ? v.toISOString() : (k === 'seq' || k === 'device_seq') && v !== null ? Number(v) : v;
          }
          const hash = createHash('sha256')
            .update(prev + jcs(record))
            .digest('hex');
          await c.query(
            `update audit_events set record_version = 1, credential = null, source_address = null, prev_hash = $3, hash = $4
          where tenant_id = $1 and seq = $2`,
            [tenantId, r.seq, prev, hash],
          );
          prev = hash;
        }
        // the sixth row links to the rewritten fifth, as it would have in a log that began as version 1
        const { rows: sixth } = await c.query('select * from audit_events where tenant_id = $1 and seq = 6', [tenantId]);
        await relink(c, sixth[0], prev);
      },
      async () => {
        const verified = await verifyChain(stack.services.orm, tenantId, { merkle: false });
        // events.get (a list would record the Admin's reading, an append in the middle of this rewrite)
        const {
          rows: [first],
        } = await db.query('select id from audit_events where tenant_id = $1 and seq = 1', [tenantId]);
        const view = await trpc(stack, 'query', 'events.get', { id: first.id }, { cookie: admin.cookie });
        return { verified, view };
      },
    );
    expect(result.verified).toMatchObject({ ok: true, firstBrokenSeq: null });
    expect(result.view.status, JSON.stringify(result.view.body)).toBe(200);
    expect(result.view.data).toMatchObject({ seq: 1, provenance: null });
  });

  it('the offline proof of one event carries the provenance the hash covers, and verifies', async () => {
    const checkpoint = runCli(stack, ['checkpoint', 'create', '--tenant', tenantId]);
    expect(checkpoint.status, checkpoint.stderr).toBe(0);
    const {
      rows: [sent],
    } = await db.query('select seq from audit_events where tenant_id = $1 and credential = $2 order by seq limit 1', [tenantId, `apikey:${keyA.apiKeyId}`]);
    const proof = runCli(stack, ['proof', '--tenant', tenantId, '--seq', String(sent.seq)]);
    expect(proof.status, proof.stderr).toBe(0);
    expect(proof.json.record).toMatchObject({ recordVersion: 2, credential: `apikey:${keyA.apiKeyId}`, sourceAddress: '127.0.0.1' });
    const file = join(tmpdir(), `proof-${tenantId}.json`);
    writeFileSync(file, proof.stdout);
    const verified = runCli(stack, ['verify-proof', file]);
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
  });
});

/** RFC 8785 for what the log holds, written apart from the service's own. */
function jcs(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(',')}}`;
}

/** Re-hashes one version 2 row onto a new previous hash, and every row after it (the chain as it would have grown). */
async function relink(c: pg.Client, first: Record<string, unknown>, prevHash: string): Promise<void> {
  const { rows } = await c.query('select * from audit_events where tenant_id = $1 and seq >= $2 order by seq', [tenantId, first.seq]);
  let prev = prevHash;
  for (const r of rows) {
    const record: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 'hash' || k === 'prev_hash') continue;
      record[k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase())] =
        v instanceof Date ? v.toISOString() : (k === 'seq' || k === 'device_seq') && v !== null ? Number(v) : v;
    }
    const hash = createHash('sha256')
      .update(prev + jcs(record))
      .digest('hex');
    await c.query('update audit_events set prev_hash = $3, hash = $4 where tenant_id = $1 and seq = $2', [tenantId, r.seq, prev, hash]);
    prev = hash;
  }
  await c.query('update chain_heads set hash = $2 where tenant_id = $1', [tenantId, prev]);
}
