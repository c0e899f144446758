import type { TAuditEventInput, TAuditEventView, TEventsFilter } from '@modula/contracts';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { exportWhenReady } from '../../testing/exports.ts';
import { eventually, makeEvent, provisionBranch } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 13, items 2 and 3: the new filters of events.list (IP, device, role, and the negations "not
 * this action" / "not this user"), the team-member picker (actors.list), the count-by-day timeline
 * and saved views — each expected result computed here from the events as sent and the contract's
 * words, not from the service's code; and an Admin of another tenant sees none of it.
 */

let stack: TestStack;
let exportWorker: TExportWorker;
let tenantA: string;
let tenantB: string;
let cookieA: string;
let cookieB: string;
const branches = ['0193c000-0000-7000-8000-0000000000a1', '0193c000-0000-7000-8000-0000000000b2'] as const;

const DAY = 86_400_000;
/** The seeded events happen between 9 and 2 days ago; everything else of the tenant (branches 20 days ago, the Admin's sign-in and reads now) is outside. */
const START = Math.floor((Date.now() - 9 * DAY) / 3_600_000) * 3_600_000 + 7 * 60_000;
const SPAN_END = START + 7 * DAY;

const PEOPLE = [
  { type: 'USER', id: 'u-sofia', role: 'CASHIER', name: 'Sofia Reyes' },
  { type: 'USER', id: 'u-lukasz', role: 'MANAGER', name: 'Łukasz Nowak' },
  { type: 'USER', id: 'u-ana', role: 'ADMIN', name: 'Ana Álvarez' },
  { type: 'SYSTEM', name: 'Sync recovery' },
  { type: 'SYSTEM', id: 'ai-pricing', name: 'Pricing AI' },
] as const;
const ACTIONS = ['SALE_FINALIZED', 'VOID_REQUESTED', 'CASH_PAID_IN', 'MENU_ITEM_UPDATED', 'CHECK_IN_CREATED', 'DISCOUNT_UPDATED'] as const;
const IPS = ['10.1.0.1', '10.1.0.2', '2001:db8::7'];
const DEVICES = ['till-1', 'till-2', 'Till-2'];

/** A varied week of events: every 5th without an IP, every 4th without a device, times 37 minutes apart plus jitter (so hours and days get uneven counts). */
function seed(tenantId: string, count: number): TAuditEventInput[] {
  const out: TAuditEventInput[] = [];
  for (let i = 0; i < count; i++) {
    const actor = PEOPLE[(i * 7) % PEOPLE.length]!;
    const action = ACTIONS[i % ACTIONS.length]!;
    out.push(
      makeEvent(tenantId, {
        action,
        outcome: i % 9 === 0 ? 'FAILED' : 'SUCCESS',
        actor: { ...actor },
        branchId: branches[i % 2],
        entity: { type: 'INVOICE', id: `inv-${i}`, label: `INV-${2000 + i}` },
        occurredAt: new Date(START + i * 37 * 60_000 + (i % 3) * 13_000).toISOString(),
        context: {
          ...(i % 5 === 0 ? {} : { ip: IPS[i % IPS.length] }),
          ...(i % 4 === 0 ? {} : { deviceId: DEVICES[i % DEVICES.length] }),
          sessionId: `s-${i % 6}`,
        },
      }),
    );
  }
  return out;
}

let sent: TAuditEventInput[];

const actorIdOf = (e: TAuditEventInput) => e.actor.id ?? null;
const roleOf = (e: TAuditEventInput) => (e.actor.type === 'USER' ? (e.actor.role ?? null) : null);

/** What the contract says a filter returns, from the events as sent (only the seeded ones: the caller keeps the range inside the seed's week). */
function expected(f: TEventsFilter): string[] {
  return sent
    .filter((e) => {
      const at = Date.parse(e.occurredAt);
      const actorId = actorIdOf(e);
      return (
        (!f.from || at >= Date.parse(f.from)) &&
        (!f.to || at <= Date.parse(f.to)) &&
        (!f.branchIds || f.branchIds.some((b) => b.toLowerCase() === e.branchId)) &&
        (!f.actions || f.actions.includes(e.action)) &&
        (!f.actorIds || (actorId !== null && f.actorIds.includes(actorId))) &&
        (!f.ips || (e.context?.ip !== undefined && f.ips.includes(e.context.ip))) &&
        (!f.deviceIds || (e.context?.deviceId !== undefined && f.deviceIds.includes(e.context.deviceId))) &&
        (!f.roles || f.roles.includes(roleOf(e) as never)) &&
        // "not this action"; "not this user" keeps events without an actor id
        !f.excludeActions?.includes(e.action) &&
        (!f.excludeActorIds || actorId === null || !f.excludeActorIds.includes(actorId))
      );
    })
    .map((e) => e.eventId)
    .sort();
}

async function listAll(filter: TEventsFilter, cookie = cookieA): Promise<TAuditEventView[]> {
  const all: TAuditEventView[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const res = await trpc(stack, 'query', 'events.list', { ...filter, limit: 200, ...(cursor ? { cursor } : {}) }, { cookie });
    if (!res.data) throw new Error(JSON.stringify(res.body));
    all.push(...res.data.items);
    cursor = res.data.nextCursor ?? undefined;
    if (!cursor) return all;
  }
  throw new Error('too many pages');
}

const WEEK = () => ({ from: new Date(START).toISOString(), to: new Date(SPAN_END).toISOString() });

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
  ({ tenantId: tenantA } = await stack.createTenant('People A'));
  ({ tenantId: tenantB } = await stack.createTenant('People B'));
  ({ cookie: cookieA } = await signedInAdmin(stack, tenantA));
  ({ cookie: cookieB } = await signedInAdmin(stack, tenantB));
  const provisioned = new Date(Date.now() - 20 * DAY).toISOString();
  await ingestStored(stack, tenantA, [
    provisionBranch(tenantA, branches[0], provisioned, 'Harbour'),
    provisionBranch(tenantA, branches[1], provisioned, 'Airport'),
  ]);
  sent = seed(tenantA, 240);
  // Sofia's name and role change over time; her latest event arrives first (an offline till syncs the older ones later)
  const promoted = makeEvent(tenantA, {
    action: 'CASH_PAID_IN',
    branchId: branches[0],
    actor: { type: 'USER', id: 'u-sofia', role: 'MANAGER', name: 'Sofía Reyes' },
    occurredAt: new Date(SPAN_END - 60_000).toISOString(),
    context: { ip: '10.1.0.9', deviceId: 'till-9' },
  });
  sent.push(promoted);
  await ingestStored(stack, tenantA, [promoted]);
  await ingestStored(stack, tenantA, sent.slice(0, -1));
}, 180_000);
afterAll(async () => {
  await exportWorker?.close();
  await stack?.close();
});

const NEW_FILTERS: Record<string, () => TEventsFilter> = {
  ip: () => ({ ips: ['10.1.0.2'] }),
  'two IPs (one IPv6)': () => ({ ips: ['10.1.0.1', '2001:db8::7'] }),
  device: () => ({ deviceIds: ['till-2'] }),
  'device ids are compared exactly (Till-2 is another device)': () => ({ deviceIds: ['Till-2'] }),
  role: () => ({ roles: ['CASHIER'] }),
  'two roles': () => ({ roles: ['MANAGER', 'ADMIN'] }),
  'not this action': () => ({ excludeActions: ['SALE_FINALIZED'] }),
  'not these actions': () => ({ excludeActions: ['SALE_FINALIZED', 'VOID_REQUESTED', 'CASH_PAID_IN'] }),
  'not this user (system events stay)': () => ({ excludeActorIds: ['u-sofia'] }),
  'not these users': () => ({ excludeActorIds: ['u-sofia', 'ai-pricing'] }),
  'a person, not one action': () => ({ actorIds: ['u-lukasz'], excludeActions: ['MENU_ITEM_UPDATED'] }),
  'a role on one device from one IP': () => ({ roles: ['MANAGER'], deviceIds: ['till-1'], ips: ['10.1.0.1', '10.1.0.2'] }),
  'an upper-case branch id is the same branch': () => ({ branchIds: [branches[1].toUpperCase()] }),
  'an action, but not its person': () => ({ actions: ['CHECK_IN_CREATED'], excludeActorIds: ['u-ana'] }),
};

describe('events.list: IP, device, role and negation', () => {
  it.each(Object.entries(NEW_FILTERS))('%s', async (_name, filter) => {
    const f = { ...WEEK(), ...filter() };
    const got = (await listAll(f)).map((e) => e.eventId).sort();
    expect(got).toEqual(expected(f));
    expect(got.length).toBeGreaterThan(0);
  });

  it('an export takes the same filter and holds exactly the events the list shows', async () => {
    const filter = { ...WEEK(), roles: ['CASHIER', 'MANAGER'], excludeActions: ['SALE_FINALIZED'], ips: ['10.1.0.1', '10.1.0.2'] } satisfies TEventsFilter;
    const { rows } = await exportWhenReady(stack, cookieA, 'csv', filter);
    expect(rows).toBe(expected(filter).length);
  });

  it('refuses what the new filters cannot hold, with the issues', async () => {
    const res = await trpc(stack, 'query', 'events.list', { roles: ['OWNER'], excludeActions: ['NOT_AN_ACTION'], ips: [''] }, { cookie: cookieA });
    expect(res.code).toBe('BAD_REQUEST');
    expect(res.body.error.data.issues.map((i: any) => i.path[0]).sort()).toEqual(['excludeActions', 'ips', 'roles']);
  });
});

describe('actors.list: the team-member picker', () => {
  it('lists every actor with an id, most recently seen first, with the name and role of their latest event (whatever order it arrived in)', async () => {
    const res = await trpc(stack, 'query', 'actors.list', {}, { cookie: cookieA });
    const seededIds = new Set(sent.map(actorIdOf).filter((id) => id !== null));
    const items = (res.data.items as any[]).filter((a) => seededIds.has(a.id));
    const lastSeen = (id: string) =>
      sent
        .filter((e) => actorIdOf(e) === id)
        .map((e) => e.occurredAt)
        .sort()
        .at(-1)!;
    const byRecency = ['u-ana', 'u-lukasz', 'ai-pricing', 'u-sofia'].sort((a, b) => lastSeen(b).localeCompare(lastSeen(a)));
    expect(items.map((a) => a.id)).toEqual(byRecency);
    expect(Object.fromEntries(items.map((a) => [a.id, [a.type, a.name, a.role]]))).toEqual({
      'u-ana': ['USER', 'Ana Álvarez', 'ADMIN'],
      'u-lukasz': ['USER', 'Łukasz Nowak', 'MANAGER'],
      'ai-pricing': ['SYSTEM', 'Pricing AI', null],
      'u-sofia': ['USER', 'Sofía Reyes', 'MANAGER'],
    });
    const sofia = items.find((a) => a.id === 'u-sofia');
    const hers = sent.filter((e) => actorIdOf(e) === 'u-sofia');
    expect(sofia.events).toBe(hers.length);
    expect(sofia.lastAt).toBe(new Date(SPAN_END - 60_000).toISOString());
    expect(sofia.firstAt).toBe(hers.map((e) => e.occurredAt).sort()[0]);
    // the SYSTEM actor without an id cannot be filtered by id, so it is not offered
    expect((res.data.items as any[]).some((a) => a.name === 'Sync recovery')).toBe(false);
  });

  it('searches names and ids case-insensitively, and by role', async () => {
    const byName = await trpc(stack, 'query', 'actors.list', { search: 'REYES' }, { cookie: cookieA });
    expect(byName.data.items.map((a: any) => a.id)).toEqual(['u-sofia']);
    const byAccent = await trpc(stack, 'query', 'actors.list', { search: 'łukasz' }, { cookie: cookieA });
    expect(byAccent.data.items.map((a: any) => a.id)).toEqual(['u-lukasz']);
    const byId = await trpc(stack, 'query', 'actors.list', { search: 'ai-pri' }, { cookie: cookieA });
    expect(byId.data.items.map((a: any) => a.id)).toEqual(['ai-pricing']);
    const managers = await trpc(stack, 'query', 'actors.list', { roles: ['MANAGER'] }, { cookie: cookieA });
    expect(managers.data.items.map((a: any) => a.id).sort()).toEqual(['u-lukasz', 'u-sofia']);
  });

  it('picking a person lists exactly their events', async () => {
    const f = { ...WEEK(), actorIds: ['u-sofia'] };
    expect((await listAll(f)).map((e) => e.eventId).sort()).toEqual(expected(f));
  });
});

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
function dayIn(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

function expectedDays(f: TEventsFilter, timeZone: string): Map<string, number> {
  const ids = new Set(expected(f));
  const counts = new Map<string, number>();
  for (const e of sent) if (ids.has(e.eventId)) counts.set(dayIn(e.occurredAt, timeZone), (counts.get(dayIn(e.occurredAt, timeZone)) ?? 0) + 1);
  return counts;
}

describe('events.timeline: events per day of the filter', () => {
  const cases: [string, () => TEventsFilter, string][] = [
    ['the whole week, in UTC', () => WEEK(), 'UTC'],
    ['the whole week, in Madrid', () => WEEK(), 'Europe/Madrid'],
    [
      'edges inside hours (partial first and last hour)',
      () => ({ from: new Date(START + 50 * 60_000).toISOString(), to: new Date(SPAN_END - 3 * 3_600_000 - 17 * 60_000).toISOString() }),
      'America/New_York',
    ],
    ['a person, not one action', () => ({ ...WEEK(), actorIds: ['u-lukasz'], excludeActions: ['MENU_ITEM_UPDATED'] }), 'Europe/Madrid'],
    ['a role and a branch', () => ({ ...WEEK(), roles: ['CASHIER'], branchIds: [branches[0].toUpperCase()] }), 'UTC'],
    ['a device (counted from the log)', () => ({ ...WEEK(), deviceIds: ['till-1'] }), 'Europe/Madrid'],
    ['a zone whose days start on the half hour (counted from the log)', () => WEEK(), 'Asia/Kolkata'],
  ];
  it.each(cases)('%s', async (_name, filter, timeZone) => {
    const f = filter();
    const res = await trpc(stack, 'query', 'events.timeline', { ...f, timeZone }, { cookie: cookieA });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const want = expectedDays(f, timeZone);
    const got = new Map((res.data.days as { day: string; count: number }[]).map((d) => [d.day, d.count]));
    // every day of the range is listed, in order, and the counts are the expected ones (0 elsewhere)
    const days = res.data.days.map((d: any) => d.day);
    expect(days).toEqual([...days].sort());
    expect(days[0]).toBe(dayIn(f.from!, timeZone));
    expect(days.at(-1)).toBe(dayIn(f.to!, timeZone));
    for (const [day, n] of want) expect([day, got.get(day)]).toEqual([day, n]);
    expect(res.data.total).toBe([...want.values()].reduce((a, b) => a + b, 0));
    expect(res.data).toMatchObject({ timeZone, complete: true, countedFrom: null });
  });

  it('without a range counts the last 30 days; an unknown zone is BAD_REQUEST', async () => {
    const res = await trpc(stack, 'query', 'events.timeline', { actorIds: ['u-sofia'] }, { cookie: cookieA });
    expect(res.data.days).toHaveLength(31);
    expect(res.data.total).toBe(expected({ actorIds: ['u-sofia'] }).length);
    expect((await trpc(stack, 'query', 'events.timeline', { timeZone: 'Mars/Olympus' }, { cookie: cookieA })).code).toBe('BAD_REQUEST');
  });

  it('reads the hourly counts through their index, not the log', async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    await db.query('begin');
    await db.query('set local role modula_audit_app');
    await db.query(`select set_config('app.tenant_id', $1, true)`, [tenantA]);
    const plan = (
      await db.query(
        `explain select to_char(hour at time zone 'UTC', 'YYYY-MM-DD') as day, sum(events) from event_hour_counts
         where tenant_id = $1 and hour >= now() - interval '30 days' and hour < now() and actor_id = 'u-sofia' group by 1`,
        [tenantA],
      )
    ).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    await db.query('rollback');
    await db.end();
    expect(plan).not.toMatch(/audit_events/);
  });
});

describe('saved views', () => {
  it('saves, lists (own only), replaces by name, deletes, and records each change in the log', async () => {
    const view = { range: '7d', roles: ['CASHIER'], excludeActions: ['SALE_FINALIZED'] };
    const saved = await trpc(stack, 'mutation', 'savedViews.save', { name: '  Cashiers, no sales ', view }, { cookie: cookieA });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.data).toMatchObject({ name: 'Cashiers, no sales', view });
    const again = await trpc(stack, 'mutation', 'savedViews.save', { name: 'Cashiers, no sales', view: { ...view, range: '24h' } }, { cookie: cookieA });
    expect(again.data.id).toBe(saved.data.id);
    const list = await trpc(stack, 'query', 'savedViews.list', undefined, { cookie: cookieA });
    expect(list.data.items).toEqual([expect.objectContaining({ id: saved.data.id, view: { ...view, range: '24h' } })]);

    // another Admin of the same tenant has their own views
    const other = await signedInAdmin(stack, tenantA);
    expect((await trpc(stack, 'query', 'savedViews.list', undefined, { cookie: other.cookie })).data.items).toEqual([]);
    expect((await trpc(stack, 'mutation', 'savedViews.delete', { id: saved.data.id }, { cookie: other.cookie })).code).toBe('NOT_FOUND');

    // an upper-case id is the same id
    const deleted = await trpc(stack, 'mutation', 'savedViews.delete', { id: saved.data.id.toUpperCase() }, { cookie: cookieA });
    expect(deleted.data).toEqual({ deleted: true });
    expect((await trpc(stack, 'query', 'savedViews.list', undefined, { cookie: cookieA })).data.items).toEqual([]);

    // recorded through the ingest pipeline, like every administration event
    const recorded = await eventually(async () => {
      const got = await listAll({ actions: ['AUDIT_VIEW_SAVED', 'AUDIT_VIEW_DELETED'] });
      return got.length === 3 ? got.reverse() : undefined;
    });
    expect(recorded.map((e) => [e.action, e.entity?.id, e.entity?.label, e.actor.role])).toEqual([
      ['AUDIT_VIEW_SAVED', saved.data.id, 'Cashiers, no sales', 'ADMIN'],
      ['AUDIT_VIEW_SAVED', saved.data.id, 'Cashiers, no sales', 'ADMIN'],
      ['AUDIT_VIEW_DELETED', saved.data.id, 'Cashiers, no sales', 'ADMIN'],
    ]);
  });

  it('refuses a view the log could not show (a search under 3 characters, an unknown range)', async () => {
    const res = await trpc(stack, 'mutation', 'savedViews.save', { name: 'x', view: { search: 'ab', range: 'forever' } }, { cookie: cookieA });
    expect(res.code).toBe('BAD_REQUEST');
    expect(res.body.error.data.issues.map((i: any) => i.path.join('.')).sort()).toEqual(['view.range', 'view.search']);
  });
});

describe('cross-tenant denial', () => {
  it("an Admin of tenant B never sees tenant A's actors, counts, events or saved views", async () => {
    await trpc(stack, 'mutation', 'savedViews.save', { name: 'A only', view: { actorIds: ['u-sofia'] } }, { cookie: cookieA });
    const actors = await trpc(stack, 'query', 'actors.list', { search: 'sof' }, { cookie: cookieB });
    expect(actors.data.items).toEqual([]);
    const allB = await trpc(stack, 'query', 'actors.list', {}, { cookie: cookieB });
    expect(allB.data.items.map((a: any) => a.id)).not.toContain('u-sofia');
    const timeline = await trpc(stack, 'query', 'events.timeline', { ...WEEK(), actorIds: ['u-sofia'] }, { cookie: cookieB });
    expect(timeline.data.total).toBe(0);
    expect(await listAll({ ...WEEK(), actorIds: ['u-sofia'] }, cookieB)).toEqual([]);
    expect((await trpc(stack, 'query', 'savedViews.list', undefined, { cookie: cookieB })).data.items).toEqual([]);
    const aViews = (await trpc(stack, 'query', 'savedViews.list', undefined, { cookie: cookieA })).data.items;
    expect((await trpc(stack, 'mutation', 'savedViews.delete', { id: aViews[0].id }, { cookie: cookieB })).code).toBe('NOT_FOUND');
  });

  it('Managers get FORBIDDEN on the new reads', async () => {
    const manager = await makeUser(stack, tenantA, 'MANAGER');
    const { cookie } = await signInFirstTime(stack, manager.email);
    for (const [kind, path, input] of [
      ['query', 'actors.list', {}],
      ['query', 'events.timeline', {}],
      ['query', 'savedViews.list', undefined],
      ['mutation', 'savedViews.save', { name: 'x', view: {} }],
    ] as const) {
      expect((await trpc(stack, kind, path, input, { cookie })).code, path).toBe('FORBIDDEN');
    }
  });
});
