import { startExportWorker, type TExportWorker } from '@modula/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * What an attacker or a confused reader sends to the read procedures that the schemas accept (or
 * should refuse with the issue), and what the service must then do: answer from the events as
 * sent, or a 400 that says why — never a 500.
 */
let stack: TestStack;
let exportWorker: TExportWorker;
let tenantId: string;
let cookie: string;

const A = '2026-03-01T10:00:00.000Z';
const B = '2026-03-02T10:00:00.000Z';
/** Six failed sign-ins of one account within a few minutes after A. */
const FAILURES = [0, 1, 2, 3, 4, 5].map((m) => new Date(Date.parse(A) + m * 60_000).toISOString());

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
  ({ tenantId } = await stack.createTenant('Adversarial reads'));
  ({ cookie } = await signedInAdmin(stack, tenantId));
  await ingestStored(stack, tenantId, [
    makeEvent(tenantId, { occurredAt: A, entity: { type: 'PROBE', id: 'a', label: 'Probe A' } }),
    makeEvent(tenantId, { occurredAt: B, entity: { type: 'PROBE', id: 'b', label: 'Probe B' } }),
    ...FAILURES.map((occurredAt) =>
      makeEvent(tenantId, {
        action: 'LOGIN_FAILED',
        outcome: 'FAILED',
        occurredAt,
        actor: { type: 'USER', id: 'victim-1', role: 'CASHIER', name: 'Vic Victim' },
        entity: { type: 'USER', id: 'victim-1' },
        context: { ip: '203.0.113.9' },
      }),
    ),
  ]);
});
afterAll(async () => {
  await exportWorker?.close();
  await stack?.close();
});

const ids = (items: { entity: { id: string } | null }[]) => items.map((e) => e.entity?.id);

describe('offsets PostgreSQL cannot parse (beyond ±15:59, which ISO-8601 and RFC 3339 allow up to ±23:59)', () => {
  // 2026-03-02T09:00:00+23:00 is A; 2026-03-01T09:59:59.999-20:00 is 2026-03-02T05:59:59.999Z, between A and B
  const FROM_A = '2026-03-02T09:00:00+23:00';
  const TO_BEFORE_B = '2026-03-01T09:59:59.999-20:00';

  it('events.list filters by the instant they name', async () => {
    const from = await trpc(stack, 'query', 'events.list', { entityType: 'PROBE', from: FROM_A }, { cookie });
    expect(from.status, JSON.stringify(from.body)).toBe(200);
    expect(ids(from.data.items)).toEqual(['b', 'a']);
    const to = await trpc(stack, 'query', 'events.list', { entityType: 'PROBE', to: TO_BEFORE_B }, { cookie });
    expect(to.status, JSON.stringify(to.body)).toBe(200);
    expect(ids(to.data.items)).toEqual(['a']);
  });

  it('ai.actions and insights.failedLogins answer too', async () => {
    const ai = await trpc(stack, 'query', 'ai.actions', { to: TO_BEFORE_B }, { cookie });
    expect(ai.status, JSON.stringify(ai.body)).toBe(200);
    const within = await trpc(stack, 'query', 'insights.failedLogins', { from: FROM_A, to: TO_BEFORE_B }, { cookie });
    expect(within.status, JSON.stringify(within.body)).toBe(200);
    expect(within.data.items).toMatchObject([{ actorId: 'victim-1', failures: 6, firstAt: FAILURES[0], lastAt: FAILURES[5] }]);
    // 2026-03-01T10:00:00.001+23:59 is a minute after the first failure: five are left, not more than the threshold
    const after = await trpc(stack, 'query', 'insights.failedLogins', { from: '2026-03-02T09:59:00.001+23:59' }, { cookie });
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.data.items).toEqual([]);
  });

  it('the NDJSON pull streams the filter', async () => {
    const filter = encodeURIComponent(JSON.stringify({ entityType: 'PROBE', to: TO_BEFORE_B }));
    const res = await fetch(`${stack.baseUrl}/api/events.ndjson?filter=${filter}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l).entity.id)).toEqual(['a']);
  });

  it('an export of such a filter is built, not failed with a database message', async () => {
    const created = await trpc(stack, 'mutation', 'exports.create', { format: 'csv', filter: { entityType: 'PROBE', to: TO_BEFORE_B } }, { cookie });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const done = await eventually(async () => {
      const r = await trpc(stack, 'query', 'exports.get', { exportId: created.data.exportId }, { cookie });
      return r.data?.status === 'PENDING' ? undefined : r.data;
    }, 60_000);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'READY', rows: 1 });
  }, 90_000);
});

describe('events.timeline over ranges that events.list accepts, reaching past the years 0001–9999 in UTC', () => {
  const days = (body: { days: { day: string }[] }) => body.days.map((d) => d.day);

  it('counts up to a `to` of 9999-12-31 west of UTC (year 10000 in UTC)', async () => {
    const res = await trpc(stack, 'query', 'events.timeline', { to: '9999-12-31T23:59:59.999-12:00' }, { cookie });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(days(res.data).at(-1)).toBe('9999-12-31');
    expect(res.data.total).toBe(0);
  });

  it('counts from the year 0001 when the default 30 days before `to` reach before it', async () => {
    const res = await trpc(stack, 'query', 'events.timeline', { to: '0001-01-15T00:00:00Z' }, { cookie });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(days(res.data)[0]).toBe('0001-01-01');
    expect(days(res.data).at(-1)).toBe('0001-01-15');
  });

  it('lists only days of the years 0001–9999 in a zone whose days there begin outside them', async () => {
    const east = await trpc(stack, 'query', 'events.timeline', { to: '9999-12-31T23:59:59.999Z', timeZone: 'Pacific/Kiritimati' }, { cookie });
    expect(east.status, JSON.stringify(east.body)).toBe(200);
    expect(days(east.data).at(-1)).toBe('9999-12-31');
    const west = await trpc(
      stack,
      'query',
      'events.timeline',
      { from: '0001-01-01T00:00:00Z', to: '0001-01-03T00:00:00Z', timeZone: 'America/New_York' },
      { cookie },
    );
    expect(west.status, JSON.stringify(west.body)).toBe(200);
    // 1 BC (19:00 on 31 December, New York) is no day of the calendar the viewer shows, and was listed as "0001-12-31"
    expect(days(west.data)).toEqual(['0001-01-01', '0001-01-02']);
  });

  it('counts a search over the widest range events.list accepts', async () => {
    const wide = { from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999-12:00' };
    const res = await trpc(stack, 'query', 'events.timeline', { ...wide, search: 'Probe' }, { cookie });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.data.total).toBe(0); // the last 366 days of the range, long after the probes
  });
});

describe('readTokens.create: a name PostgreSQL cannot store', () => {
  it.each([
    ['a NUL character', 'Splunk\u0000pull', /NUL/],
    ['a lone surrogate', 'Splunk \ud800', /well-formed/],
  ])('with %s is BAD_REQUEST on name, and no token is made', async (_what, name, message) => {
    const res = await trpc(stack, 'mutation', 'readTokens.create', { name }, { cookie });
    expect({ status: res.status, code: res.code }, JSON.stringify(res.body)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(res.body.error.data.issues).toContainEqual({ path: ['name'], message: expect.stringMatching(message) });
    const listed = await trpc(stack, 'query', 'readTokens.list', undefined, { cookie });
    expect(listed.data.items).toEqual([]);
  });
});

describe('export downloads by an upper-case id (identifiers are case-insensitive everywhere)', () => {
  it('serve the same file and manifest as the lower-case id', async () => {
    const created = await trpc(stack, 'mutation', 'exports.create', { format: 'csv', filter: { entityType: 'PROBE' } }, { cookie });
    const exportId = created.data.exportId as string;
    await eventually(async () => {
      const r = await trpc(stack, 'query', 'exports.get', { exportId: exportId.toUpperCase() }, { cookie });
      return r.data?.status === 'READY' ? r.data : undefined;
    }, 30_000);
    for (const part of ['file', 'manifest']) {
      const lower = await fetch(`${stack.baseUrl}/exports/${exportId}/${part}`, { headers: { cookie } });
      const upper = await fetch(`${stack.baseUrl}/exports/${exportId.toUpperCase()}/${part}`, { headers: { cookie } });
      expect({ part, status: upper.status }).toEqual({ part, status: 200 });
      expect(await upper.text()).toBe(await lower.text());
    }
  });
});
