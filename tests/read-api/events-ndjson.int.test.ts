import http from 'node:http';
import type { TAuditEventInput } from '@modula/contracts';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { provisionBoth, seedEvents, type TSeeded } from '../../testing/read-seed.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 16, item 1: GET /api/events.ndjson?filter=… — every event of a filter, one AuditEventView a
 * line, for a read token or an Admin's session; its expectations come from the seeded events
 * themselves (which of them the filter names), not from events.list.
 */
let stack: TestStack;
let tenantId: string;
let token: string;
let tokenId: string;
let admin: { cookie: string };
let seeded: TSeeded[];
/** Everything ingested into the tenant: the branches' provisioning and the seeded events. */
let inputs: TAuditEventInput[];
const branches: [string, string] = [uuidv7(), uuidv7()];

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Bulk pulls'));
  // more than two of the route's 200-row pages
  seeded = seedEvents(tenantId, branches, 450);
  inputs = [...provisionBoth(tenantId, branches), ...seeded.map((s) => s.input)];
  await ingestStored(stack, tenantId, inputs);
  const other = await stack.createTenant('Not this one');
  await ingestStored(stack, other.tenantId, [makeEvent(other.tenantId), makeEvent(other.tenantId)]);
  admin = await signedInAdmin(stack, tenantId);
  const made = await trpc(stack, 'mutation', 'readTokens.create', { name: 'bulk', expiresInDays: 7 }, { cookie: admin.cookie });
  ({ token, tokenId } = made.data);
}, 180_000);
afterAll(() => stack?.close());

const pull = (filter: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
  fetch(`${stack.baseUrl}/api/events.ndjson${filter === undefined ? '' : `?filter=${encodeURIComponent(JSON.stringify(filter))}`}`, { headers });

/** The body read as lines: each a JSON AuditEventView; a final newline and nothing else. */
async function lines(res: Response): Promise<any[]> {
  const text = await res.text();
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('GET /api/events.ndjson', () => {
  it("streams exactly the filter's events of the token's tenant, newest occurredAt first, one per line", async () => {
    const filter = { branchIds: [branches[0]], outcomes: ['SUCCESS'] };
    const res = await pull(filter);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const got = await lines(res);
    const expected = inputs.filter((e) => e.branchId === branches[0] && e.outcome === 'SUCCESS').map((e) => e.eventId);
    expect(expected.length).toBeGreaterThan(100);
    expect(got.map((e) => e.eventId).sort()).toEqual([...expected].sort());
    for (const e of got) {
      expect(e.tenantId).toBe(tenantId);
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['id', 'seq', 'action', 'actor', 'occurredAt', 'hash', 'prevHash']));
    }
    // newest occurredAt first, seq breaking ties (descending), as events.list orders
    for (let i = 1; i < got.length; i++) {
      const [a, b] = [got[i - 1], got[i]];
      expect(a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.seq > b.seq), `line ${i + 1}`).toBe(true);
    }
  });

  it('without a filter: every event of the tenant (over several pages), none twice, none of another tenant', async () => {
    const got = await lines(await pull(undefined));
    const ids = got.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of seeded) expect(ids).toContain(s.input.eventId);
    expect(got.every((e) => e.tenantId === tenantId)).toBe(true);
    // the seeded ones, the two branches, and the log's own records (sign-in, token made, reads): all of the tenant's stored events
    const { data } = await trpc(stack, 'query', 'integrity.verify', {}, { cookie: admin.cookie });
    expect(Math.max(...got.map((e) => e.seq))).toBeLessThanOrEqual(data.headSeq);
    expect(got.length).toBeGreaterThanOrEqual(seeded.length + 2);
  });

  it("serves an Admin's session too; refuses no credential, an API key, a bad filter", async () => {
    const bySession = await pull({ modules: ['SALE'] }, { cookie: admin.cookie });
    expect(bySession.status).toBe(200);
    const sales = seeded.filter((s) => s.module === 'SALE').map((s) => s.input.eventId);
    expect((await lines(bySession)).map((e) => e.eventId).sort()).toEqual([...sales].sort());

    expect((await pull({}, {})).status).toBe(401);
    const bad = await pull({ outcomes: ['MAYBE'] });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as any;
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.data.issues[0].path).toEqual(['filter', 'outcomes', 0]);
    const notJson = await fetch(`${stack.baseUrl}/api/events.ndjson?filter=%7Bnope`, { headers: { authorization: `Bearer ${token}` } });
    expect(notJson.status).toBe(400);
    // paging belongs to events.list: the export takes a filter only
    expect((await pull({ limit: 5 })).status).toBe(400);
  });

  it('is recorded as a read of its filter, once per token and filter', async () => {
    const filter = { actions: ['SALE_FINALIZED'] };
    expect((await pull(filter)).status).toBe(200);
    expect((await pull(filter)).status).toBe(200);
    const uses = await eventually(async () => {
      const r = await trpc(stack, 'query', 'events.list', { actions: ['READ_TOKEN_USED'], actorIds: [`read-token/${tokenId}`] }, { cookie: admin.cookie });
      const mine = r.data.items.filter((e: any) => e.metadata?.procedure === 'events.ndjson' && e.metadata.filter?.actions?.[0] === 'SALE_FINALIZED');
      return mine.length > 0 ? mine : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(uses).toHaveLength(1);
    expect(uses[0].metadata).toEqual({ procedure: 'events.ndjson', filter });
    expect(uses[0].context.ip).toBe('127.0.0.1');
  });

  /** A tenant whose log is far larger than what sockets buffer, so a pull is still running when its reader goes. */
  let long: { tenantId: string; admin: Awaited<ReturnType<typeof signedInAdmin>> } | undefined;
  const longCount = 6000;
  async function longTenant() {
    if (long) return long;
    const t = await stack.createTenant('Long pull');
    const longBranches: [string, string] = [uuidv7(), uuidv7()];
    await ingestStored(stack, t.tenantId, [
      ...provisionBoth(t.tenantId, longBranches),
      ...seedEvents(t.tenantId, longBranches, longCount, Date.now() - 9 * 86_400_000).map((e) => e.input),
    ]);
    long = { tenantId: t.tenantId, admin: await signedInAdmin(stack, t.tenantId) };
    return long;
  }

  /** Pulls with `headers`, calls `endReader` once the first bytes arrived (the body held meanwhile), reads on. */
  function pullEndedMidway(headers: Record<string, string>, endReader: () => Promise<void>) {
    return new Promise<{ bytes: number; complete: boolean }>((resolve, reject) => {
      const req = http.get(`${stack.baseUrl}/api/events.ndjson`, { headers }, (res) => {
        expect(res.statusCode).toBe(200);
        let bytes = 0;
        let ended = false;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (ended) return;
          ended = true;
          res.pause();
          endReader()
            .then(() => res.resume())
            .catch(reject);
        });
        const done = () => resolve({ bytes, complete: res.complete });
        res.on('end', done);
        res.on('aborted', done);
        res.on('error', done);
        res.on('close', done);
      });
      req.on('error', reject);
    });
  }

  /** The pull stopped well before the end: a 6000-event log is several megabytes of lines. */
  async function expectCutShort(outcome: { bytes: number; complete: boolean }, cookie: string) {
    expect(outcome.complete).toBe(false);
    expect(outcome.bytes).toBeGreaterThan(0);
    const whole = await (await fetch(`${stack.baseUrl}/api/events.ndjson`, { headers: { cookie } })).text();
    expect(whole.split('\n').length).toBeGreaterThan(longCount);
    expect(outcome.bytes).toBeLessThan(whole.length / 2);
  }

  it('stops a pull whose token is revoked midway: the connection is cut before the rest is sent', async () => {
    const { admin: longAdmin } = await longTenant();
    const made = (await trpc(stack, 'mutation', 'readTokens.create', { name: 'revoked midway', expiresInDays: 1 }, { cookie: longAdmin.cookie })).data;
    const outcome = await pullEndedMidway({ authorization: `Bearer ${made.token}` }, async () => {
      expect((await trpc(stack, 'mutation', 'readTokens.revoke', { tokenId: made.tokenId }, { cookie: longAdmin.cookie })).status).toBe(200);
    });
    await expectCutShort(outcome, longAdmin.cookie);
  }, 120_000);

  it("stops a pull whose session ends midway, though the request also carries another tenant's valid read token", async () => {
    const { tenantId } = await longTenant();
    // a second Admin's session, ended by signing out mid-pull; the token is the first tenant's
    const leaving = await signedInAdmin(stack, tenantId);
    const outcome = await pullEndedMidway({ cookie: leaving.cookie, authorization: `Bearer ${token}` }, async () => {
      expect((await trpc(stack, 'mutation', 'auth.logout', {}, { cookie: leaving.cookie })).status).toBe(200);
    });
    await expectCutShort(outcome, long!.admin.cookie);
  }, 120_000);
});
