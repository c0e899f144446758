import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, createCheckpoint, loadSigner } from '@modula/domain';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import type pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { exportWhenReady } from '../../testing/exports.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { asAttacker, rewriteFrom } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 12, item 6: resource limits per tenant, played as an abusive client would — a till
 * fleet's key flooding ingest, an Admin asking for export after export, batched full
 * verifications — against two server instances on one database and one Redis.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'modula-limits-'));
const RETENTION_SECONDS = 4;
const ENV = {
  ...VIEWER_ENV,
  DATA_DIR: dataDir,
  INGEST_RATE_PER_KEY: '10',
  INGEST_BURST_PER_KEY: '100',
  EXPORT_MAX_CONCURRENT: '2',
  EXPORT_MAX_PER_DAY: '3',
  EXPORT_RETENTION_HOURS: String(RETENTION_SECONDS / 3600),
};
let stack: TestStack;
/** A second server instance: same database, same Redis, same queue prefix. */
let other: TestStack;
let db: pg.Client;

beforeAll(async () => {
  stack = await startStack({ env: ENV });
  other = await startStack({
    worker: false,
    env: { ...ENV, QUEUE_PREFIX: stack.env.QUEUE_PREFIX! },
    database: { url: stack.env.DATABASE_URL!, ownerUrl: stack.databaseOwnerUrl, superuserUrl: stack.databaseSuperuserUrl },
  });
  db = await connect(stack.databaseSuperuserUrl);
});
afterAll(async () => {
  await db?.end();
  await other?.close();
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A POST as a till sends it, with the answer's headers. */
async function post(baseUrl: string, path: string, body: unknown, apiKey: string) {
  const res = await fetch(`${baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    data: json?.result?.data,
    code: json?.error?.data?.code as string | undefined,
    message: json?.error?.message as string | undefined,
  };
}

const events = (tenantId: string, n: number) => Array.from({ length: n }, (_, i) => makeEvent(tenantId, { metadata: { n: i } }));

async function statesOf(tenantId: string, eventIds: string[]) {
  const { statuses } = await stack.caller.ingest.status({ tenantId, eventIds });
  return new Set(statuses.map((s) => s.state));
}

async function storedCount(tenantId: string): Promise<number> {
  return (await db.query('select count(*)::int as n from audit_events where tenant_id = $1', [tenantId])).rows[0].n;
}

describe('ingest rate per API key (INGEST_RATE_PER_KEY events/s, burst INGEST_BURST_PER_KEY)', () => {
  it('answers 429 with Retry-After once a key spent its burst, on every server instance, and acknowledges nothing of the refused calls', async () => {
    const fleet = await stack.createTenant('Flooding till fleet');
    const sent = events(fleet.tenantId, 100);
    const first = await post(stack.baseUrl, 'ingest.batch', { events: sent }, fleet.apiKey);
    expect(first.status).toBe(200);
    expect(first.data.accepted).toHaveLength(100);

    // the burst is spent: a batch counts its events, on the other instance too (the count is in Redis)
    const refusedBatch = events(fleet.tenantId, 50);
    const refused = await post(other.baseUrl, 'ingest.batch', { events: refusedBatch }, fleet.apiKey);
    expect({ status: refused.status, code: refused.code }).toEqual({ status: 429, code: 'TOO_MANY_REQUESTS' });
    expect(refused.message).toMatch(/10 events per second/);
    const retryAfter = Number(refused.retryAfter);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(4); // 50 events at 10/s
    expect(retryAfter).toBeLessThanOrEqual(6);
    // a batch larger than the whole burst passes only on a full bucket, and leaves the key in debt: even one event waits
    const { apiKey: bigKey } = await createApiKey(stack.services.orm, fleet.tenantId);
    const big = await post(stack.baseUrl, 'ingest.batch', { events: events(fleet.tenantId, 150) }, bigKey);
    expect(big.status).toBe(200);
    expect(big.data.accepted).toHaveLength(150);
    const single = makeEvent(fleet.tenantId);
    const refusedRecord = await post(other.baseUrl, 'ingest.record', single, bigKey);
    expect({ status: refusedRecord.status, code: refusedRecord.code }).toEqual({ status: 429, code: 'TOO_MANY_REQUESTS' });
    expect(Number(refusedRecord.retryAfter)).toBeGreaterThanOrEqual(5); // 50 in debt + 1, at 10/s

    // nothing of the refused calls was acknowledged, queued or stored
    await eventually(async () => ((await storedCount(fleet.tenantId)) >= 250 ? true : undefined));
    expect(
      await statesOf(
        fleet.tenantId,
        [...refusedBatch, single].map((e) => e.eventId),
      ),
    ).toEqual(new Set(['UNKNOWN']));
    expect(await storedCount(fleet.tenantId)).toBe(250);

    // Retry-After tells the truth: once waited, the same batch is acknowledged
    await sleep(retryAfter * 1000);
    const again = await post(other.baseUrl, 'ingest.batch', { events: refusedBatch }, fleet.apiKey);
    expect(again.status).toBe(200);
    expect(again.data.accepted).toHaveLength(50);
  });

  it("does not slow another tenant's key, another key of the same tenant, or the in-process system caller", async () => {
    const noisy = await stack.createTenant('Noisy neighbour');
    const quiet = await stack.createTenant('Quiet neighbour');
    expect((await post(stack.baseUrl, 'ingest.batch', { events: events(noisy.tenantId, 100) }, noisy.apiKey)).status).toBe(200);
    expect((await post(stack.baseUrl, 'ingest.batch', { events: events(noisy.tenantId, 10) }, noisy.apiKey)).status).toBe(429);

    const neighbour = await post(other.baseUrl, 'ingest.batch', { events: events(quiet.tenantId, 100) }, quiet.apiKey);
    expect(neighbour.status).toBe(200);
    expect(neighbour.data.accepted).toHaveLength(100);
    const { apiKey: secondKey } = await createApiKey(stack.services.orm, noisy.tenantId);
    expect((await post(stack.baseUrl, 'ingest.batch', { events: events(noisy.tenantId, 100) }, secondKey)).status).toBe(200);
    const system = await stack.caller.ingest.batch({ events: events(noisy.tenantId, 1000) });
    expect(system.accepted).toHaveLength(1000);
  });
});

describe('integrity.verify from the latest signed checkpoint', () => {
  let tenantId: string;
  let cookie: string;
  let checkpointSeq: number;
  const signer = () => loadSigner({ DATA_DIR: dataDir });
  const verify = (input: Record<string, unknown> = {}, server = stack) => trpc(server, 'query', 'integrity.verify', input, { cookie });
  const headSeq = async () => Number((await db.query('select seq from chain_heads where tenant_id = $1', [tenantId])).rows[0].seq);

  beforeAll(async () => {
    ({ tenantId } = await stack.createTenant('Checkpointed tenant'));
    ({ cookie } = await signedInAdmin(stack, tenantId));
    await ingestStored(stack, tenantId, events(tenantId, 30));
    checkpointSeq = (await createCheckpoint(stack.services.orm, signer(), tenantId)).checkpoint.seq;
    expect(checkpointSeq).toBeGreaterThanOrEqual(30);
    await ingestStored(stack, tenantId, events(tenantId, 12));
  });

  it('recomputes only the events after the checkpoint, and says it started there', async () => {
    const res = await verify();
    expect(res.status).toBe(200);
    const head = await headSeq();
    expect(res.data).toMatchObject({ ok: true, headSeq: head, checked: head - checkpointSeq, fromCheckpointSeq: checkpointSeq, firstBrokenSeq: null });
    expect(res.data.checked).toBeLessThan(head);
  });

  it('reports an event altered after the checkpoint, with the number of events recomputed before it', async () => {
    const target = checkpointSeq + 5;
    const res = await asAttacker(
      db,
      tenantId,
      (c) => c.query(`update audit_events set description = description || ' (edited)' where tenant_id = $1 and seq = $2`, [tenantId, target]).then(() => {}),
      () => verify(),
    );
    expect(res.data).toMatchObject({ ok: false, firstBrokenSeq: target, checked: 4, fromCheckpointSeq: checkpointSeq });
    expect(res.data.reason).toMatch(/altered/);
  });

  it('reports a rewrite that contradicts the checkpoint (every later hash recomputed), naming where it starts', async () => {
    const res = await asAttacker(
      db,
      tenantId,
      (c) => rewriteFrom(c, tenantId, 7),
      () => verify(),
    );
    expect(res.data.ok).toBe(false);
    expect(res.data.firstBrokenSeq).toBeLessThanOrEqual(checkpointSeq);
  });

  it('leaves an edit before the checkpoint (hash left alone) to the full verification, which finds it', async () => {
    const edit = (c: pg.Client) =>
      c.query(`update audit_events set description = description || ' (edited)' where tenant_id = $1 and seq = 3`, [tenantId]).then(() => {});
    const [quick, full] = await asAttacker(db, tenantId, edit, async () => [await verify(), await verify({ full: true })]);
    expect(quick!.data).toMatchObject({ ok: true, fromCheckpointSeq: checkpointSeq });
    expect(full!.data).toMatchObject({ ok: false, firstBrokenSeq: 3, fromCheckpointSeq: null });
    const intact = await verify({ full: true });
    expect(intact.data).toMatchObject({ ok: true, checked: await headSeq(), fromCheckpointSeq: null });
  });
});

describe('one full verification per tenant at a time, across server instances', () => {
  it('refuses the concurrent ones with 429 while one runs; the quick check is not refused; the next full one runs', async () => {
    const { tenantId } = await stack.createTenant('Verified in full');
    const { cookie } = await signedInAdmin(stack, tenantId);
    await ingestStored(stack, tenantId, events(tenantId, 50));
    await createCheckpoint(stack.services.orm, loadSigner({ DATA_DIR: dataDir }), tenantId);
    const full = (server: TestStack) => trpc(server, 'query', 'integrity.verify', { full: true }, { cookie });

    // a superuser holds chain_heads for a moment, so the first full verification is still running
    // (it waits on its first read) whenever the others arrive: no race on how fast it is
    const blocker = await connect(stack.databaseSuperuserUrl);
    let first: ReturnType<typeof full>;
    let quick: ReturnType<typeof full>;
    try {
      await blocker.query('begin');
      await blocker.query('lock table chain_heads in access exclusive mode');
      first = full(stack);
      await sleep(500);
      const others = await Promise.all([other, stack, other, stack, other].map((server) => full(server)));
      for (const r of others) {
        expect({ status: r.status, code: r.code }).toEqual({ status: 429, code: 'TOO_MANY_REQUESTS' });
        expect(r.body.error.message).toMatch(/full verification .* already running/);
      }
      quick = trpc(other, 'query', 'integrity.verify', {}, { cookie });
      await sleep(200);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    const done = await first;
    const head = Number((await db.query('select seq from chain_heads where tenant_id = $1', [tenantId])).rows[0].seq);
    expect(done.status).toBe(200);
    expect(done.data).toMatchObject({ ok: true, checked: head, headSeq: head, fromCheckpointSeq: null });
    const q = await quick;
    expect(q.status).toBe(200);
    expect(q.data).toMatchObject({ ok: true });
    expect(q.data.fromCheckpointSeq).toBeGreaterThan(0);

    const next = await full(other);
    expect(next.status).toBe(200);
    expect(next.data).toMatchObject({ ok: true, fromCheckpointSeq: null });
  });
});

describe('export limits per tenant (EXPORT_MAX_CONCURRENT, EXPORT_MAX_PER_DAY)', () => {
  const rowsOf = async (tenantId: string) =>
    (await db.query('select id, status from exports where tenant_id = $1', [tenantId])).rows as { id: string; status: string }[];
  const create = (cookie: string, server = stack) => trpc(server, 'mutation', 'exports.create', { format: 'csv', filter: {} }, { cookie });

  it('lets at most 2 exports be built at once: ten concurrent requests on two instances leave exactly 2, the rest 429 with nothing created', async () => {
    const { tenantId } = await stack.createTenant('Export hammer');
    const { cookie } = await signedInAdmin(stack, tenantId);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => create(cookie, i % 2 ? other : stack)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(8);
    for (const r of refused) {
      expect(r.code).toBe('TOO_MANY_REQUESTS');
      expect(r.body.error.message).toMatch(/2 exports of this tenant are being built/);
    }
    expect(await rowsOf(tenantId)).toHaveLength(2);

    // another tenant is not held up
    const neighbour = await stack.createTenant('Export neighbour');
    const n = await signedInAdmin(stack, neighbour.tenantId);
    expect((await create(n.cookie)).status).toBe(200);
  });

  it("allows 3 exports per UTC day: the 4th is 429 with Retry-After until midnight UTC and creates nothing; yesterday's do not count", async () => {
    const { tenantId } = await stack.createTenant('Daily exporter');
    const { cookie } = await signedInAdmin(stack, tenantId);
    const finish = () =>
      db.query(`update exports set status = 'FAILED', completed_at = now(), error = 'test' where tenant_id = $1 and status = 'PENDING'`, [tenantId]);
    for (let i = 0; i < 3; i++) {
      expect((await create(cookie, i % 2 ? other : stack)).status).toBe(200);
      await finish();
    }
    const fourth = await fetch(`${stack.baseUrl}/trpc/exports.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: stack.baseUrl },
      body: JSON.stringify({ format: 'pdf', filter: {} }),
    });
    const body = (await fourth.json()) as any;
    expect(fourth.status).toBe(429);
    expect(body.error.data.code).toBe('TOO_MANY_REQUESTS');
    expect(body.error.message).toMatch(/3 exports per day/);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    const untilMidnight = (midnight.getTime() - Date.now()) / 1000;
    expect(Math.abs(Number(fourth.headers.get('retry-after')) - untilMidnight)).toBeLessThanOrEqual(5);
    expect(await rowsOf(tenantId)).toHaveLength(3);

    await db.query(
      `update exports set created_at = created_at - interval '1 day' where tenant_id = $1 and id = (select id from exports where tenant_id = $1 order by id limit 1)`,
      [tenantId],
    );
    expect((await create(cookie)).status).toBe(200);
    expect(await rowsOf(tenantId)).toHaveLength(4);
  });
});

describe('export files are deleted EXPORT_RETENTION_HOURS after they were built', () => {
  let exportWorker: TExportWorker;
  beforeAll(() => {
    exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await exportWorker?.close();
  });

  it('answers 410 for the file, while its signed manifest, its row and its AUDIT_EXPORT_CREATED event stay', async () => {
    const { tenantId } = await stack.createTenant('Retention tenant');
    await ingestStored(stack, tenantId, events(tenantId, 5));
    const { cookie } = await signedInAdmin(stack, tenantId);
    const ready = await exportWhenReady(stack, cookie, 'csv', {}, 50);
    const { exportId } = ready;
    const fetchPath = (path: string) => fetch(`${stack.baseUrl}${path}`, { headers: { cookie } });
    const fresh = await fetchPath(ready.url);
    expect(fresh.status).toBe(200);
    await fresh.arrayBuffer();

    const gone = await eventually(
      async () => {
        const res = await fetchPath(ready.url);
        const body = (await res.json().catch(() => undefined)) as any;
        return res.status === 410 ? body : undefined;
      },
      30_000,
      250,
    );
    expect(gone.error.data.code).toBe('GONE');
    expect(gone.error.message).toMatch(/deleted .* after it was built/);

    const manifest = await fetchPath(ready.manifestUrl);
    expect(manifest.status).toBe(200);
    expect(await manifest.json()).toMatchObject({ exportId, sha256: ready.sha256, signature: ready.signature });
    const after = await trpc(stack, 'query', 'exports.get', { exportId }, { cookie });
    expect(after.data).toMatchObject({ status: 'READY', sha256: ready.sha256, signature: ready.signature, rows: ready.rows });
    expect(after.data.fileDeletedAt).toEqual(expect.any(String));
    const [row] = (await db.query('select file_name, status, store, manifest from exports where tenant_id = $1 and id = $2', [tenantId, exportId])).rows;
    expect(row).toMatchObject({ status: 'READY', store: 'database', manifest: expect.stringContaining(ready.sha256) });
    // the pack's bytes are gone from the store; the signed manifest stays in the row
    const chunks = await db.query('select count(*)::int as n from export_pack_chunks where tenant_id = $1 and export_id = $2', [tenantId, exportId]);
    expect(chunks.rows[0].n).toBe(0);
    const recorded = await eventually(async () => {
      const r = await db.query(`select count(*)::int as n from audit_events where tenant_id = $1 and action = 'AUDIT_EXPORT_CREATED' and entity_id = $2`, [
        tenantId,
        exportId,
      ]);
      return r.rows[0].n > 0 ? r.rows[0].n : undefined;
    });
    expect(recorded).toBe(1);
  });
});

describe('search terms shorter than 3 characters', () => {
  it('are refused with 400 and a clear message (events.list and exports.create) instead of walking the whole log', async () => {
    const { tenantId } = await stack.createTenant('Searching tenant');
    await ingestStored(stack, tenantId, events(tenantId, 3));
    const { cookie } = await signedInAdmin(stack, tenantId);
    for (const search of ['a', 'ab', ' b', '☕', '\u{1F600}']) {
      const listed = await trpc(stack, 'query', 'events.list', { search }, { cookie });
      expect({ status: listed.status, code: listed.code }, JSON.stringify(listed.body)).toEqual({ status: 400, code: 'BAD_REQUEST' });
      expect(listed.body.error.data.issues).toContainEqual({ path: ['search'], message: expect.stringMatching(/at least 3 characters/) });
      const exported = await trpc(stack, 'mutation', 'exports.create', { format: 'csv', filter: { search } }, { cookie });
      expect({ status: exported.status, code: exported.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    }
    expect((await db.query('select count(*)::int as n from exports where tenant_id = $1', [tenantId])).rows[0].n).toBe(0);
    const found = await trpc(stack, 'query', 'events.list', { search: 'pol' }, { cookie });
    expect(found.status).toBe(200);
    expect(found.data.items).toHaveLength(3);
  });
});
