import type { TAuditEventView, TEventsFilter } from '@modula/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { provisionBoth, seedEvents, type TSeeded } from '../../testing/read-seed.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

let stack: TestStack;
let tenantId: string;
let cookie: string;
let seeded: TSeeded[];
const branches: [string, string] = ['0193b000-0000-7000-8000-0000000000a1', '0193b000-0000-7000-8000-0000000000b2'];

/** Every page of a filter, following nextCursor; checks the order on the way. */
async function listAll(filter: TEventsFilter, limit = 9): Promise<TAuditEventView[]> {
  const all: TAuditEventView[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 200; guard++) {
    const res = await trpc(stack, 'query', 'events.list', { ...filter, limit, ...(cursor ? { cursor } : {}) }, { cookie });
    if (!res.data) throw new Error(JSON.stringify(res.body));
    all.push(...res.data.items);
    cursor = res.data.nextCursor ?? undefined;
    if (!cursor) break;
  }
  for (let i = 1; i < all.length; i++) {
    const [a, b] = [all[i - 1]!, all[i]!];
    expect(a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.seq > b.seq)).toBe(true);
  }
  return all;
}

const inRange = (s: TSeeded, from?: string, to?: string) =>
  (!from || Date.parse(s.input.occurredAt) >= Date.parse(from)) && (!to || Date.parse(s.input.occurredAt) <= Date.parse(to));

/** The seeded events a filter should return, computed from what was sent. */
function expected(f: TEventsFilter): string[] {
  return seeded
    .filter((s) => {
      const e = s.input;
      const actorId = e.actor.type === 'USER' ? e.actor.id : (e.actor.id ?? null);
      const term = f.search?.toLowerCase();
      return (
        inRange(s, f.from, f.to) &&
        (!f.branchIds || f.branchIds.includes(e.branchId ?? '')) &&
        (!f.modules || f.modules.includes(s.module as never)) &&
        (!f.actions || f.actions.includes(e.action)) &&
        (!f.actorIds || (actorId !== null && f.actorIds.includes(actorId))) &&
        (!f.outcomes || f.outcomes.includes(e.outcome)) &&
        (!f.reasons || (e.reason !== undefined && f.reasons.includes(e.reason))) &&
        (!f.entityType || e.entity?.type === f.entityType) &&
        (!f.entityId || e.entity?.id === f.entityId) &&
        (!f.sessionId || e.context?.sessionId === f.sessionId) &&
        (!term || [s.description, e.entity?.label, e.actor.name].some((v) => v?.toLowerCase().includes(term)))
      );
    })
    .map((s) => s.input.eventId)
    .sort();
}

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Filters'));
  ({ cookie } = await signedInAdmin(stack, tenantId));
  seeded = seedEvents(tenantId, branches, 240);
  await ingestStored(stack, tenantId, provisionBoth(tenantId, branches));
  await ingestStored(
    stack,
    tenantId,
    seeded.map((s) => s.input),
  );
});
afterAll(() => stack.close());

const t = (i: number) => seeded[i]!.input.occurredAt;
const SINGLE: Record<string, () => TEventsFilter> = {
  'date range': () => ({ from: t(40), to: t(90) }),
  'from only': () => ({ from: t(200) }),
  branch: () => ({ branchIds: [branches[1]] }),
  module: () => ({ modules: ['SALE'] }),
  'two modules': () => ({ modules: ['CASH_SESSION', 'MENU'] }),
  action: () => ({ actions: ['VOID_APPROVED'] }),
  actor: () => ({ actorIds: ['u-ben'] }),
  outcome: () => ({ outcomes: ['REJECTED'] }),
  'two outcomes': () => ({ outcomes: ['REJECTED', 'FAILED'] }),
  reason: () => ({ reasons: ['POLICY_BLOCKED'] }),
  'entity type': () => ({ entityType: 'ITEM' }),
  entity: () => ({ entityType: 'INVOICE', entityId: 'e-4' }),
  session: () => ({ sessionId: 's-3' }),
  'search: entity label': () => ({ search: 'inv-1007' }),
  'search: actor name': () => ({ search: 'álvarez' }),
  'search: description': () => ({ search: 'void' }),
  // that % _ and \ are literal characters in a search is tested in search.int.test.ts, with data that holds them
};
const PAIRS: Record<string, () => TEventsFilter> = {
  'actor + date range': () => ({ actorIds: ['u-carl'], from: t(20), to: t(150) }),
  'branch + outcome': () => ({ branchIds: [branches[0]], outcomes: ['SUCCESS'] }),
  'action + outcome': () => ({ actions: ['SALE_FINALIZED'], outcomes: ['REJECTED', 'FAILED'] }),
  'module + branch': () => ({ modules: ['INVENTORY'], branchIds: [branches[0]] }),
  'reason + branch': () => ({ reasons: ['PERMISSION_DENIED'], branchIds: [branches[0]] }),
  'session + date range': () => ({ sessionId: 's-5', from: t(100) }),
  'entity + actor': () => ({ entityType: 'INVOICE', entityId: 'e-2', actorIds: ['u-ana', 'u-carl'] }),
  'search + actor': () => ({ search: 'espresso', actorIds: ['u-ben'] }),
  'module + action + outcome + branch + date': () => ({
    modules: ['SALE'],
    actions: ['VOID_REQUESTED', 'VOID_APPROVED'],
    outcomes: ['SUCCESS'],
    branchIds: branches,
    from: t(10),
    to: t(230),
  }),
};

/** The admin's own sign-in, the branches, and the admin's reading of the log (one event per filter read) are in the log too. */
const notSeeded = (e: TAuditEventView) => e.module === 'AUTH' || e.module === 'BRANCH' || e.action === 'AUDIT_LOG_VIEWED';

describe('events.list filters', () => {
  it.each(Object.entries(SINGLE))('%s', async (_name, filter) => {
    const f = filter();
    const got = (await listAll(f))
      .filter((e) => !notSeeded(e))
      .map((e) => e.eventId)
      .sort();
    expect(got).toEqual(expected(f));
    expect(got.length).toBeGreaterThan(0);
  });

  it.each(Object.entries(PAIRS))('%s', async (_name, filter) => {
    const f = filter();
    const got = (await listAll(f))
      .filter((e) => !notSeeded(e))
      .map((e) => e.eventId)
      .sort();
    expect(got).toEqual(expected(f));
    expect(got.length).toBeGreaterThan(0);
  });

  it('returns everything newest first without a filter, 50 by default, seq breaking ties', async () => {
    const first = await trpc(stack, 'query', 'events.list', {}, { cookie });
    expect(first.data.items).toHaveLength(50);
    const all = await listAll({}, 200);
    const reads = all.filter((e) => e.action === 'AUDIT_LOG_VIEWED');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((e) => e.actor.type === 'USER' && e.actor.role === 'ADMIN')).toBe(true);
    expect(all.length - reads.length).toBe(seeded.length + 2 + 2); // + branches + the admin's TWO_FACTOR_ENABLED and LOGIN_SUCCESS
    expect(all.some((e, i) => i > 0 && all[i - 1]!.occurredAt === e.occurredAt)).toBe(true);
  });

  it('refuses bad input with the issues', async () => {
    const res = await trpc(stack, 'query', 'events.list', { limit: 500, outcomes: ['MAYBE'] }, { cookie });
    expect(res.code).toBe('BAD_REQUEST');
    expect(res.body.error.data.issues.map((i: any) => i.path[0]).sort()).toEqual(['limit', 'outcomes']);
  });
});

describe('events.get, branches.list, integrity.verify', () => {
  it('gets one event with every field of the view', async () => {
    const [listed] = (await trpc(stack, 'query', 'events.list', { actions: ['VOID_APPROVED'], limit: 1 }, { cookie })).data.items;
    const got = await trpc(stack, 'query', 'events.get', { id: listed.id }, { cookie });
    expect(got.data).toEqual(listed);
    const sent = seeded.find((s) => s.input.eventId === listed.eventId)!.input;
    expect(got.data).toMatchObject({
      tenantId,
      action: 'VOID_APPROVED',
      module: 'SALE',
      branchId: sent.branchId,
      entity: sent.entity,
      occurredAt: sent.occurredAt,
      context: { sessionId: sent.context!.sessionId, ip: sent.context!.ip },
    });
    expect((await trpc(stack, 'query', 'events.get', { id: '0193b000-0000-7000-8000-00000000dead' }, { cookie })).code).toBe('NOT_FOUND');
  });

  it('lists the branches with their status', async () => {
    const res = await trpc(stack, 'query', 'branches.list', undefined, { cookie });
    expect(res.data.items).toEqual([
      { id: branches[1], name: 'Airport', status: 'ACTIVE' },
      { id: branches[0], name: 'Harbour Street', status: 'ACTIVE' },
    ]);
  });

  it('verifies the chain', async () => {
    const res = await trpc(stack, 'query', 'integrity.verify', {}, { cookie });
    // every event stored so far: the seeded ones, branches, the admin's sign-in and reading events
    const db = await connect(stack.databaseSuperuserUrl);
    const stored = (
      await db.query(`select count(*)::int as n, count(*) filter (where action = 'AUDIT_LOG_VIEWED')::int as reads from audit_events where tenant_id = $1`, [
        tenantId,
      ])
    ).rows[0];
    await db.end();
    expect(stored.n - stored.reads).toBe(seeded.length + 4);
    expect(res.data).toMatchObject({ ok: true, checked: stored.n, headSeq: stored.n, firstBrokenSeq: null });
  });
});

describe('insights.failedLogins', () => {
  it('reports accounts with more than 5 LOGIN_FAILED inside one hour, with counts and IPs', async () => {
    const base = Date.now() - 2 * 86_400_000;
    const fail = (actorId: string, name: string, minutes: number, ip: string) =>
      makeEvent(tenantId, {
        action: 'LOGIN_FAILED',
        outcome: 'FAILED',
        actor: { type: 'USER', id: actorId, role: 'CASHIER', name },
        occurredAt: new Date(base + minutes * 60_000).toISOString(),
        context: { ip },
      });
    const events = [
      // 7 failures within 50 minutes from two addresses
      ...[0, 5, 10, 20, 30, 40, 50].map((m, i) => fail('u-brute', 'Brute Force', m, i % 2 ? '203.0.113.9' : '198.51.100.7')),
      // 7 failures an hour apart: never more than 5 in one hour
      ...[0, 61, 122, 183, 244, 305, 366].map((m) => fail('u-slow', 'Slow Typist', m, '192.0.2.1')),
      // exactly 5 in an hour: not more than the threshold
      ...[0, 1, 2, 3, 4].map((m) => fail('u-five', 'Five Times', m, '192.0.2.5')),
    ];
    await ingestStored(stack, tenantId, events);
    const res = await trpc(stack, 'query', 'insights.failedLogins', {}, { cookie });
    expect(res.data.items).toEqual([
      {
        actorId: 'u-brute',
        actorName: 'Brute Force',
        failures: 7,
        firstAt: new Date(base).toISOString(),
        lastAt: new Date(base + 50 * 60_000).toISOString(),
        ips: ['198.51.100.7', '203.0.113.9'],
      },
    ]);
    const wide = await trpc(stack, 'query', 'insights.failedLogins', { windowMinutes: 600 }, { cookie });
    expect(wide.data.items.map((i: any) => [i.actorId, i.failures]).sort()).toEqual([
      ['u-brute', 7],
      ['u-slow', 7],
    ]);
    const strict = await trpc(stack, 'query', 'insights.failedLogins', { threshold: 4 }, { cookie });
    expect(strict.data.items.map((i: any) => i.actorId).sort()).toEqual(['u-brute', 'u-five']);
    const later = await trpc(stack, 'query', 'insights.failedLogins', { from: new Date(base + 25 * 60_000).toISOString() }, { cookie });
    expect(later.data.items).toEqual([]);
  });
});
