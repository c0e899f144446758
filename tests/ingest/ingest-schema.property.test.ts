import { ACTIONS, DENIAL_REASONS, isWrittenByTheService, LIMITS, nullAsAbsent, requiresBranch, ROLES, ZAuditEventInput } from '@modula/contracts';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, getTrpc, postTrpc } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * Property-based tests of the ingest schema through HTTP: random, valid and mutated events never
 * give a 5xx; each event is accepted exactly when the contracts' schema (the documented oracle)
 * accepts it; and at the end the database holds exactly the accepted events — an invalid one is
 * never stored.
 */
let stack: TestStack;
let tenant: { tenantId: string; apiKey: string };
const accepted = new Set<string>();
const rejected = new Set<string>();
const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);

beforeAll(async () => {
  stack = await startStack();
  tenant = await stack.createTenant('Property tests');
});
afterAll(() => stack.close());

// --- valid events (actions that happen at a branch left out: without a branchId they are refused, and
// with one they need a provisioned branch to be stored rather than quarantined) ---
// nor what only the service writes: a key's valid events should be accepted (those are refused, see shouldAccept)
const actions = ACTIONS.filter((a) => !requiresBranch(a) && !isWrittenByTheService(a));
const id = fc.string({ minLength: 1, maxLength: 24 });
const json = fc
  .dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 })
  .map((v) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>);
const offsetIso = fc
  .tuple(fc.date({ min: new Date('2020-01-01'), max: new Date(Date.now() - 3_600_000), noInvalidDate: true }), fc.integer({ min: -14 * 60, max: 14 * 60 }))
  .map(([d, offsetMin]) => {
    if (offsetMin === 0) return d.toISOString();
    const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, 23);
    const abs = Math.abs(offsetMin);
    return `${local}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  });
const outcome = fc.oneof(
  fc.record({ outcome: fc.constantFrom('SUCCESS', 'FAILED') }),
  fc.record({ outcome: fc.constant('REJECTED'), reason: fc.constantFrom(...DENIAL_REASONS) }),
);
const actor = fc.oneof(
  fc.record({ type: fc.constant('USER'), id, role: fc.constantFrom(...ROLES), name: id }, { requiredKeys: ['type', 'id'] }),
  fc.record({ type: fc.constant('SYSTEM'), id, name: id }, { requiredKeys: ['type'] }),
);
const validEvent = fc
  .record({
    action: fc.constantFrom(...actions),
    outcome,
    actor,
    entity: fc.option(fc.record({ type: id, id, label: id }, { requiredKeys: ['type', 'id'] }), { nil: undefined }),
    occurredAt: offsetIso,
    before: fc.option(json, { nil: undefined }),
    after: fc.option(fc.option(json, { nil: null }), { nil: undefined }),
    metadata: fc.option(json, { nil: undefined }),
    context: fc.option(
      fc.record({ ip: fc.ipV4(), sessionId: id, deviceId: id, deviceSeq: fc.integer({ min: 1 }), offline: fc.boolean() }, { requiredKeys: [] }),
      { nil: undefined },
    ),
  })
  .map(({ outcome: o, ...rest }) => {
    const event: Record<string, unknown> = { eventId: uuidv7(), tenantId: tenant.tenantId, ...o, ...rest };
    for (const k of Object.keys(event)) if (event[k] === undefined) delete event[k];
    return event;
  });

// --- mutations: what a buggy or hostile client sends ---
const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x'.repeat(LIMITS.jsonMaxStringLength + 1),
    2 ** 60,
    -(2 ** 60),
    1e308,
    -0,
    '',
    ' ',
    '2024-02-30T10:00:00Z',
    '2026-01-01T10:00:00',
    new Date(Date.now() + 3_600_000).toISOString(),
    'not-a-uuid',
    '00000000-0000-0000-0000-000000000000',
    [],
    {},
    null,
    true,
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const topKeys = ['eventId', 'tenantId', 'branchId', 'action', 'outcome', 'reason', 'actor', 'entity', 'occurredAt', 'before', 'after', 'metadata', 'context'];
const nestedPaths = [
  ['actor', 'type'],
  ['actor', 'id'],
  ['actor', 'role'],
  ['entity', 'id'],
  ['context', 'deviceSeq'],
  ['context', 'ip'],
  ['context', 'offline'],
  ['metadata', 'k'],
];
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...topKeys) }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...topKeys.map((k) => [k]), ...nestedPaths), value: nasty }),
  fc.record({ kind: fc.constant('extra' as const), key: fc.string({ minLength: 1, maxLength: 10 }), value: nasty }),
);
type TMutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(event: Record<string, unknown>, mutations: TMutation[]): Record<string, unknown> {
  const out = structuredClone(event);
  out.eventId = uuidv7(); // never the id of an accepted event
  for (const m of mutations) {
    if (m.kind === 'delete') delete out[m.key];
    else if (m.kind === 'extra') out[topKeys.includes(m.key) ? `${m.key}_` : m.key] = m.value;
    else {
      let target = out;
      for (const key of m.path.slice(0, -1)) {
        if (typeof target[key] !== 'object' || target[key] === null || Array.isArray(target[key])) target[key] = {};
        target = target[key] as Record<string, unknown>;
      }
      target[m.path.at(-1)!] = m.value;
    }
  }
  return out;
}

const mutatedEvent = fc.tuple(validEvent, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([e, ms]) => mutate(e, ms));
const anyEvent = fc.oneof(
  { weight: 2, arbitrary: validEvent },
  { weight: 3, arbitrary: mutatedEvent },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/**
 * What the service must do with `raw` from an API key, by the contracts' schema and the documented
 * limits: valid, of the key's tenant, and not an action only the service writes (README, ingestion).
 */
function shouldAccept(raw: unknown): boolean {
  const text = JSON.stringify(raw);
  if (text === undefined || Buffer.byteLength(text) > LIMITS.eventMaxBytes) return false;
  // null where a field is optional means absent (README, ingestion)
  const parsed = ZAuditEventInput.safeParse(nullAsAbsent(JSON.parse(text)));
  return parsed.success && parsed.data.tenantId === tenant.tenantId && !isWrittenByTheService(parsed.data.action);
}

describe('the ingest schema under random and mutated input (fast-check, over HTTP)', () => {
  it('ingest.batch never answers 5xx and accepts an event exactly when the schema does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyEvent, { minLength: 1, maxLength: 12 }), async (events) => {
        const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events }, tenant.apiKey);
        expect(res.status).toBe(200);
        const { accepted: ok, rejected: bad } = res.body.result.data as { accepted: string[]; rejected: { index: number; issues: unknown[] }[] };
        const rejectedIndexes = new Set(bad.map((r) => r.index));
        events.forEach((event, index) => {
          const eventId = (event as { eventId?: unknown } | null)?.eventId;
          if (shouldAccept(event)) {
            expect(rejectedIndexes.has(index), JSON.stringify(bad.find((r) => r.index === index))).toBe(false);
            accepted.add(eventId as string);
          } else {
            expect(rejectedIndexes.has(index), JSON.stringify(event).slice(0, 300)).toBe(true);
            if (typeof eventId === 'string') rejected.add(eventId);
          }
        });
        expect(ok.length + bad.length).toBe(events.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('ingest.record answers 200 or a 4xx with issues, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anyEvent, async (event) => {
        const res = await postTrpc(stack.baseUrl, 'ingest.record', event, tenant.apiKey);
        const eventId = (event as { eventId?: unknown } | null)?.eventId;
        if (shouldAccept(event)) {
          expect(res.status).toBe(200);
          accepted.add(eventId as string);
        } else {
          expect([400, 403]).toContain(res.status);
          if (res.status === 400) expect(res.body.error.data.issues?.length ?? 0).toBeGreaterThan(0);
          if (typeof eventId === 'string') rejected.add(eventId);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('random request bodies and status queries never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
          fc.string({ unit: 'binary', maxLength: 200 }),
        ),
        async (body) => {
          const batch = await postTrpc(stack.baseUrl, 'ingest.batch', undefined, tenant.apiKey, body);
          expect(batch.status).toBeLessThan(500);
          const status = await getTrpc(
            stack.baseUrl,
            'ingest.status',
            (() => {
              try {
                return JSON.parse(body);
              } catch {
                return body;
              }
            })(),
            tenant.apiKey,
          );
          expect(status.status).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('stores exactly the accepted events: no invalid one ever reaches the database', async () => {
    expect(accepted.size).toBeGreaterThan(10);
    expect(rejected.size).toBeGreaterThan(10);
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const stored = await eventually(async () => {
        const rows = (await db.query('select event_id from audit_events where tenant_id = $1', [tenant.tenantId])).rows.map((r) => r.event_id as string);
        return rows.length >= accepted.size ? rows : undefined;
      }, 20_000);
      expect(new Set(stored)).toEqual(accepted);
      expect(stored.filter((e) => rejected.has(e))).toEqual([]);
      expect((await db.query('select count(*)::int n from quarantined_events where tenant_id = $1', [tenant.tenantId])).rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  });
});
