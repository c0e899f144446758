import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * What a reader may send that JSON allows but PostgreSQL cannot take: a NUL character (text
 * refuses it), a lone surrogate (not Unicode), a year PostgreSQL or the ISO form cannot hold.
 * Every read procedure must answer 400 with the issue (its path and why), never 500, and nothing
 * may be left behind (no export request).
 */
let stack: TestStack;
let tenantId: string;
let cookie: string;

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Bad read input'));
  ({ cookie } = await signedInAdmin(stack, tenantId));
  await ingestStored(stack, tenantId, [makeEvent(tenantId, { context: { sessionId: 's-1', deviceId: 'till-1', deviceSeq: 1 } })]);
});
afterAll(async () => {
  // the service is still up and answers a good read
  expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200);
  expect((await trpc(stack, 'query', 'events.list', { limit: 1 }, { cookie })).status).toBe(200);
  await stack.close();
});

const BAD_STRINGS: [string, string, RegExp][] = [
  ['a NUL character', 'till\u0000one', /NUL/],
  ['a lone high surrogate', 'till\ud800', /well-formed|surrogate/i],
  ['a lone low surrogate', '\udfffone', /well-formed|surrogate/i],
  ['only a NUL', '\u0000', /NUL/],
];

const BAD_DATES: [string, string][] = [
  ['year 0000', '0000-01-01T00:00:00Z'],
  ['year 0000 with an offset', '0000-12-31T23:59:59.999+01:00'],
  ['a six-digit year (JavaScript Date)', '+275760-09-13T00:00:00.000Z'],
  ['a negative year', '-000001-01-01T00:00:00Z'],
  ['year 10000', '10000-01-01T00:00:00Z'],
  ['February 30', '2024-02-30T10:00:00Z'],
  ['hour 24', '2024-01-01T24:00:00Z'],
  ['infinity', 'infinity'],
];

/** The string fields of a filter, as events.list and exports.create take it, and where the issue points. */
const STRING_FIELDS: [string, (v: string) => Record<string, unknown>, (string | number)[]][] = [
  ['actorIds', (v) => ({ actorIds: ['u-1', v] }), ['actorIds', 1]],
  ['entityType', (v) => ({ entityType: v }), ['entityType']],
  ['entityId', (v) => ({ entityId: v }), ['entityId']],
  ['sessionId', (v) => ({ sessionId: v }), ['sessionId']],
  ['search', (v) => ({ search: v }), ['search']],
];
const DATE_FIELDS = ['from', 'to'] as const;

interface Probe {
  name: string;
  kind: 'query' | 'mutation';
  proc: string;
  input: unknown;
  path: (string | number)[];
  message: RegExp;
}

function probes(): Probe[] {
  const out: Probe[] = [];
  for (const [what, value, message] of BAD_STRINGS) {
    for (const [field, filter, path] of STRING_FIELDS) {
      out.push({ name: `events.list ${field} with ${what}`, kind: 'query', proc: 'events.list', input: { ...filter(value), limit: 5 }, path, message });
      out.push({
        name: `exports.create filter.${field} with ${what}`,
        kind: 'mutation',
        proc: 'exports.create',
        input: { format: 'csv', filter: filter(value) },
        path: ['filter', ...path],
        message,
      });
    }
    out.push({ name: `events.list cursor with ${what}`, kind: 'query', proc: 'events.list', input: { cursor: value }, path: ['cursor'], message });
    out.push({ name: `devices.gaps deviceId with ${what}`, kind: 'query', proc: 'devices.gaps', input: { deviceId: value }, path: ['deviceId'], message });
    out.push({ name: `events.get id with ${what}`, kind: 'query', proc: 'events.get', input: { id: value }, path: ['id'], message: /UUID|NUL|well-formed/i });
    out.push({
      name: `exports.get exportId with ${what}`,
      kind: 'query',
      proc: 'exports.get',
      input: { exportId: value },
      path: ['exportId'],
      message: /UUID|NUL|well-formed/i,
    });
  }
  for (const [what, value] of BAD_DATES) {
    for (const field of DATE_FIELDS) {
      const message = /date|ISO|year/i;
      out.push({ name: `events.list ${field} ${what}`, kind: 'query', proc: 'events.list', input: { [field]: value }, path: [field], message });
      out.push({
        name: `exports.create filter.${field} ${what}`,
        kind: 'mutation',
        proc: 'exports.create',
        input: { format: 'pdf', filter: { [field]: value } },
        path: ['filter', field],
        message,
      });
      out.push({
        name: `insights.failedLogins ${field} ${what}`,
        kind: 'query',
        proc: 'insights.failedLogins',
        input: { [field]: value },
        path: [field],
        message,
      });
    }
  }
  return out;
}

describe('bad read input answers 400 with the issue, never 500', () => {
  it.each(probes().map((p) => [p.name, p] as const))('%s', async (_name, p) => {
    const res = await trpc(stack, p.kind, p.proc, p.input, { cookie });
    expect({ status: res.status, code: res.code }, JSON.stringify(res.body)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    const issues = res.body.error.data.issues as { path: (string | number)[]; message: string }[];
    expect(issues, JSON.stringify(issues)).toContainEqual({ path: p.path, message: expect.stringMatching(p.message) });
  });

  it('keeps the good values of the same fields working: years 0001 and 9999, offsets, every field set', async () => {
    const wide = { from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999-12:00' };
    const listed = await trpc(
      stack,
      'query',
      'events.list',
      { ...wide, sessionId: 's-1', search: 'policy', actorIds: ['user-1'], entityType: 'POLICY', entityId: 'pol-1' },
      { cookie },
    );
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.data.items).toHaveLength(1);
    const logins = await trpc(stack, 'query', 'insights.failedLogins', wide, { cookie });
    expect(logins.status, JSON.stringify(logins.body)).toBe(200);
    const gaps = await trpc(stack, 'query', 'devices.gaps', { deviceId: 'till-1' }, { cookie });
    expect(gaps.data).toEqual({ items: [] });
    // characters that are unusual but storable: an emoji (a well-formed surrogate pair), a BEL, U+FFFF
    const odd = await trpc(stack, 'query', 'events.list', { search: '☕\u{1F600}\u0007\uffff' }, { cookie });
    expect(odd.status, JSON.stringify(odd.body)).toBe(200);
    expect(odd.data.items).toEqual([]);
  });

  it('leaves no export request behind for a refused filter', async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const { rows } = await db.query('select count(*)::int as n from exports where tenant_id = $1', [tenantId]);
      expect(rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  });
});
