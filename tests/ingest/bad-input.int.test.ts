import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@modula/domain';
import { connect } from '../../testing/database.ts';
import { makeEvent, postTrpc } from '../../testing/events.ts';
import { untilStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

let stack: TestStack;
let tenant: { tenantId: string; apiKey: string };
/** The only events of this file that are valid and may be stored. */
const goodEventIds: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  tenant = await stack.createTenant('Bad input');
});
afterAll(async () => {
  // nothing of all this was stored but the good events, and the service is still up
  await untilStored(stack, tenant.tenantId, goodEventIds);
  const db = await connect(stack.databaseSuperuserUrl);
  const stored = (await db.query('select event_id from audit_events')).rows.map((r) => r.event_id);
  await db.end();
  expect(stored).toEqual(expect.arrayContaining(goodEventIds));
  expect(stored).toHaveLength(goodEventIds.length);
  expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);
  await stack.close();
});

/** Raw JSON text of one event with a fragment spliced in, for what JSON.stringify cannot produce. */
function rawEvent(fragment: string) {
  const e = makeEvent(tenant.tenantId);
  return JSON.stringify({ events: [e] }).replace('"action"', `${fragment},"action"`);
}

/** Built before the tenant exists; the test puts the tenant in when it sends. */
const PLACEHOLDER_TENANT = '00000000-0000-4000-8000-000000000000';
function withField(field: string, value: unknown) {
  return { ...makeEvent(PLACEHOLDER_TENANT), [field]: value };
}

const inFuture = new Date(Date.now() + 10 * 60_000).toISOString();
const deep = (n: number): Record<string, unknown> => (n === 0 ? { leaf: 1 } : { d: deep(n - 1) });

const CASES: [string, unknown, (string | number)[], RegExp][] = [
  ['an unknown key', withField('colour', 'red'), [], /Unrecognized key/i],
  ['an unknown action', withField('action', 'SALE_DELETED'), ['action'], /unknown action/],
  ['a missing eventId', { ...makeEvent(PLACEHOLDER_TENANT), eventId: undefined }, ['eventId'], /expected string|Invalid input/i],
  ['a non-UUID eventId', withField('eventId', 'abc'), ['eventId'], /UUID/i],
  ['REJECTED without a reason', withField('outcome', 'REJECTED'), ['reason'], /required when outcome is REJECTED/],
  ['a reason on SUCCESS', withField('reason', 'POLICY_BLOCKED'), ['reason'], /only allowed when outcome is REJECTED/],
  ['an unknown reason', { ...makeEvent(PLACEHOLDER_TENANT), outcome: 'REJECTED', reason: 'BECAUSE' }, ['reason'], /Invalid option/i],
  ['an impossible date', withField('occurredAt', '2024-02-30T10:00:00Z'), ['occurredAt'], /not a real calendar date/],
  ['a date without offset', withField('occurredAt', '2026-01-01T10:00:00'), ['occurredAt'], /offset/],
  ['infinity as a date', withField('occurredAt', 'infinity'), ['occurredAt'], /ISO-8601/],
  ['a date 10 minutes ahead', withField('occurredAt', inFuture), ['occurredAt'], /ahead of the service clock/],
  ['nesting too deep', withField('metadata', deep(9)), ['metadata'], /nested deeper than 8/],
  ['a string too long', withField('metadata', { note: 'x'.repeat(9000) }), ['metadata', 'note'], /longer than 8192/],
  ['a NUL byte', withField('metadata', { note: 'a\u0000b' }), ['metadata', 'note'], /NUL/],
  ['a NUL byte in a key', withField('metadata', { 'a\u0000': 1 }), ['metadata', 'a\u0000'], /NUL/],
  ['a branch action without branchId', withField('action', 'BRANCH_FROZEN'), ['branchId'], /required for BRANCH_FROZEN/],
  ['an actor of unknown type', withField('actor', { type: 'ROBOT', id: 'r2' }), ['actor', 'type'], /discriminator|Invalid input/i],
  ['an invalid IP', withField('context', { ip: '999.1.1.1' }), ['context', 'ip'], /IPv4 or IPv6/],
  ['a negative deviceSeq', withField('context', { deviceSeq: 0 }), ['context', 'deviceSeq'], /too small|>=1/i],
  ['before as an array', withField('before', [1, 2]), ['before'], /JSON object/],
  // PostgreSQL's timestamptz has no year 0000: acknowledged, it could never be stored
  ['a date in year 0000', withField('occurredAt', '0000-06-15T10:00:00Z'), ['occurredAt'], /0001-01-01/],
  ['a date in year 0001 that an offset pushes into year 0000', withField('occurredAt', '0001-01-01T00:30:00+01:00'), ['occurredAt'], /0001-01-01/],
  // spec R4, R10: a sale happens at a branch; without it the freeze rule could not see it
  ['a sale without branchId', withField('action', 'SALE_FINALIZED'), ['branchId'], /required for SALE_FINALIZED/],
  ['a cash paid-out without branchId', withField('action', 'CASH_PAID_OUT_APPROVED'), ['branchId'], /required for CASH_PAID_OUT_APPROVED/],
  ['a check-in with branchId null', { ...withField('action', 'CHECK_IN_CREATED'), branchId: null }, ['branchId'], /required for CHECK_IN_CREATED/],
];

describe('every kind of bad input is a 4xx with issue paths, and nothing is stored', () => {
  for (const [name, event, path, message] of CASES) {
    it(`ingest.record: ${name}`, async () => {
      const payload = { ...(event as object), tenantId: tenant.tenantId };
      const res = await postTrpc(stack.baseUrl, 'ingest.record', payload, tenant.apiKey);
      expect(res.status).toBe(400);
      expect(res.body.error.data.code).toBe('BAD_REQUEST');
      const issues = res.body.error.data.issues as { path: (string | number)[]; message: string }[];
      // the issue names the field (or a path inside it) and says what is wrong
      expect(
        issues.some((i) => i.path.join('\u0001').startsWith(path.join('\u0001')) && message.test(i.message)),
        JSON.stringify(issues),
      ).toBe(true);
    });
  }

  it('null for an optional field is absent, as Java, C# and Swift clients send it: accepted, stored without it, and the same event as one that leaves it out', async () => {
    const withNulls = {
      ...makeEvent(tenant.tenantId, { outcome: 'SUCCESS' }),
      actor: { type: 'USER', id: 'u-null', role: null, name: null },
      reason: null,
      entity: null,
      metadata: null,
      context: { ip: null, sessionId: null, deviceId: 'till-null', deviceSeq: null, offline: null },
      branchId: null,
    };
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events: [withNulls] }, tenant.apiKey);
    expect(res.status).toBe(200);
    expect(res.body.result.data).toEqual({ accepted: [withNulls.eventId], rejected: [] });
    goodEventIds.push(withNulls.eventId);
    await untilStored(stack, tenant.tenantId, [withNulls.eventId]);
    // the same event without the null fields is a resend, not a conflict
    const { reason: _r, entity: _e, metadata: _m, branchId: _b, ...rest } = withNulls;
    const without = { ...rest, actor: { type: 'USER', id: 'u-null' }, context: { deviceId: 'till-null' } };
    expect((await postTrpc(stack.baseUrl, 'ingest.record', without, tenant.apiKey)).status).toBe(200);
    // a required field sent as null is still refused, and says which
    const noAction = await postTrpc(stack.baseUrl, 'ingest.record', { ...makeEvent(tenant.tenantId), action: null }, tenant.apiKey);
    expect(noAction.status).toBe(400);
    expect(noAction.body.error.data.issues.map((i: { path: string[] }) => i.path.join('.'))).toContain('action');
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const rows = await db.query(
        'select actor_role, actor_name, entity_id, metadata, ip, device_seq from audit_events where tenant_id = $1 and event_id = $2',
        [tenant.tenantId, withNulls.eventId],
      );
      expect(rows.rows).toEqual([{ actor_role: null, actor_name: null, entity_id: null, metadata: null, ip: null, device_seq: null }]);
      const conflicts = await db.query(`select count(*)::int as n from quarantined_events where tenant_id = $1 and event_id = $2`, [
        tenant.tenantId,
        withNulls.eventId,
      ]);
      expect(conflicts.rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  });

  it('one instant in the spellings real clients send (RFC 3339 lower-case t and z, a space, a comma, the +0530 of Java) is accepted, stored as that instant, and the same event each time', async () => {
    // RFC 3339 §5.6 allows lower-case t/z and a space for the T; ISO 8601 a comma before the
    // fraction; Java's SimpleDateFormat "Z" (Android tills) writes the offset as +0530
    const spellings = ['2026-12-01 15:45:00,250+0530', '2026-12-01t10:15:00.250z', '2026-12-01T05:45:00.250-0430', '2026-12-01T10:15:00.250Z'];
    const event = makeEvent(tenant.tenantId);
    goodEventIds.push(event.eventId);
    for (const occurredAt of spellings) {
      const res = await postTrpc(stack.baseUrl, 'ingest.record', { ...event, occurredAt }, tenant.apiKey);
      expect(res.status, `${occurredAt}: ${JSON.stringify(res.body)}`).toBe(200);
      if (occurredAt === spellings[0]) await untilStored(stack, tenant.tenantId, [event.eventId]);
    }
    // still refused: an hour-only offset, a time without seconds, no offset at all
    for (const occurredAt of ['2026-12-01T10:15:00+05', '2026-12-01T10:15Z', '2026-12-01 10:15:00']) {
      const res = await postTrpc(stack.baseUrl, 'ingest.record', { ...makeEvent(tenant.tenantId), occurredAt }, tenant.apiKey);
      expect(res.status, occurredAt).toBe(400);
      expect(res.body.error.data.issues[0]).toMatchObject({ path: ['occurredAt'], message: expect.stringMatching(/ISO-8601/) });
    }
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const rows = await db.query(
        `select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from audit_events where tenant_id = $1 and event_id = $2`,
        [tenant.tenantId, event.eventId],
      );
      expect(rows.rows).toEqual([{ at: '2026-12-01T10:15:00.250Z' }]);
      // the later spellings were resends of the same event, not conflicting reuses of its id
      const conflicts = await db.query('select count(*)::int as n from quarantined_events where tenant_id = $1 and event_id = $2', [
        tenant.tenantId,
        event.eventId,
      ]);
      expect(conflicts.rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  });

  it('a leap second (23:59:60, RFC 3339) is refused with one issue that says why, not a wrong one about the range', async () => {
    const res = await postTrpc(stack.baseUrl, 'ingest.record', { ...makeEvent(tenant.tenantId), occurredAt: '2016-12-31T23:59:60Z' }, tenant.apiKey);
    expect(res.status).toBe(400);
    const issues = res.body.error.data.issues as { path: string[]; message: string }[];
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: ['occurredAt'], message: expect.stringMatching(/leap second/) });
  });

  it('ingest.batch judges each event on its own: good ones accepted, bad ones listed with index and paths', async () => {
    const good = makeEvent(tenant.tenantId);
    goodEventIds.push(good.eventId);
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events: [withField('action', 'NOPE'), good, withField('outcome', 'MAYBE')] }, tenant.apiKey);
    expect(res.status).toBe(200);
    expect(res.body.result.data.accepted).toEqual([good.eventId]);
    expect(res.body.result.data.rejected.map((r: { index: number; issues: { path: string[] }[] }) => [r.index, r.issues[0]!.path])).toEqual([
      [0, ['action']],
      [2, ['outcome']],
    ]);
  });

  const RAW: [string, string, RegExp][] = [
    ['a lone surrogate', '"metadata":{"note":"\\ud800x"}', /lone surrogates/],
    ['an unsafe integer', '"metadata":{"amount":9007199254740993}', /2\^53/],
    ['a lone surrogate in a key', '"metadata":{"\\udc00":1}', /lone surrogates/],
  ];
  for (const [name, fragment, message] of RAW) {
    it(`ingest.batch: ${name}`, async () => {
      const res = await postTrpc(stack.baseUrl, 'ingest.batch', undefined, tenant.apiKey, rawEvent(fragment));
      expect(res.status).toBe(200);
      expect(res.body.result.data.accepted).toEqual([]);
      expect(res.body.result.data.rejected[0].issues.some((i: { message: string }) => message.test(i.message))).toBe(true);
    });
  }

  it('an event over 64 KiB serialized is refused', async () => {
    const big = withField('metadata', Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'x'.repeat(7000)])));
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events: [big] }, tenant.apiKey);
    expect(res.body.result.data.rejected[0].issues[0].message).toMatch(/at most 65536 allowed/);
  });

  it('an empty batch and a batch of 1001 are BAD_REQUEST', async () => {
    const empty = await postTrpc(stack.baseUrl, 'ingest.batch', { events: [] }, tenant.apiKey);
    expect(empty.status).toBe(400);
    expect(empty.body.error.data.issues[0].path).toEqual(['events']);
    const many = await postTrpc(stack.baseUrl, 'ingest.batch', { events: Array.from({ length: 1001 }, () => ({})) }, tenant.apiKey);
    expect(many.status).toBe(400);
  });

  it('a body over 5 MiB is 413, never 500', async () => {
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', undefined, tenant.apiKey, JSON.stringify({ events: ['x'.repeat(5 * 1024 * 1024)] }));
    expect(res.status).toBe(413);
    expect(res.body.error.data.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('malformed JSON and a wrong envelope are 4xx', async () => {
    const broken = await postTrpc(stack.baseUrl, 'ingest.batch', undefined, tenant.apiKey, '{"events": [');
    expect(broken.status).toBe(400);
    const wrong = await postTrpc(stack.baseUrl, 'ingest.batch', { items: [] }, tenant.apiKey);
    expect(wrong.status).toBe(400);
    const unknownProcedure = await postTrpc(stack.baseUrl, 'ingest.delete', {}, tenant.apiKey);
    expect(unknownProcedure.status).toBe(404);
  });

  it('a __proto__ or constructor.prototype key is kept as data, as sent: never a prototype, never dropped, and the chain verifies', async () => {
    // tills forward JSON they did not write; the log keeps what was sent (tRPC parses the body with
    // JSON.parse, which makes such a key a plain one), and no copy of it may turn it into a prototype
    const event = makeEvent(tenant.tenantId);
    const text = `{"events":[${JSON.stringify(event).replace('{', '{"metadata":{"note":{"__proto__":{"admin":true},"x":1},"constructor":{"prototype":{"y":2}}},')}]}`;
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', undefined, tenant.apiKey, text);
    expect(res.status).toBe(200);
    expect(res.body.result.data.accepted).toEqual([event.eventId]);
    goodEventIds.push(event.eventId);
    await untilStored(stack, tenant.tenantId, [event.eventId]);
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const row = (
        await db.query('select metadata::text as metadata from audit_events where tenant_id = $1 and event_id = $2', [tenant.tenantId, event.eventId])
      ).rows[0];
      expect(row.metadata).toBe('{"note": {"x": 1, "__proto__": {"admin": true}}, "constructor": {"prototype": {"y": 2}}}');
    } finally {
      await db.end();
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await verifyChain(stack.services.orm, tenant.tenantId)).toMatchObject({ ok: true });
  });

  it('the in-process caller refuses values that are not JSON (a Date, a BigInt) with a clear message', async () => {
    await expect(stack.caller.ingest.record({ ...makeEvent(tenant.tenantId), metadata: { at: new Date() } })).rejects.toThrow(/must be a JSON value.*Date/);
    await expect(stack.caller.ingest.record({ ...makeEvent(tenant.tenantId), metadata: { n: 10n } })).rejects.toThrow(/must be a JSON value.*bigint/);
  });
});
