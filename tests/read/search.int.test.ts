import { describeEvent, type TAuditEventInput, type TAuditEventView, type TEventsFilter } from '@modula/contracts';
import { dbOf, sql, withTenant, withTenantAsOwner } from '@modula/db';
import { prepareEventsPage } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Search first probes the trigram index of audit_event_search (see search-plan.ts): a rare term's
 * matches are fetched by key and sorted, a common one is found by the ordered walk. Both must give
 * the same, exact pages as any other filter, and the probe must stay inside the tenant.
 */
let stack: TestStack;
let tenantId: string;
let cookie: string;
const COMMON = 2100; // more than SEARCH_PROBE_LIMIT matches
const RARE = 30;
const base = Date.now() - 2 * 86_400_000;

async function listAll(filter: TEventsFilter, limit: number): Promise<TAuditEventView[]> {
  const all: TAuditEventView[] = [];
  let cursor: string | undefined;
  do {
    const res = await trpc(stack, 'query', 'events.list', { ...filter, limit, ...(cursor ? { cursor } : {}) }, { cookie });
    if (!res.data) throw new Error(JSON.stringify(res.body));
    all.push(...res.data.items);
    cursor = res.data.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** The plan of a page as findEvents prepares it: a narrowed search names its matches' seqs. */
async function planOf(filter: TEventsFilter): Promise<string> {
  return withTenant(stack.services.orm, tenantId, async (em) => {
    const db = dbOf(em);
    const q = await prepareEventsPage(db, tenantId, { ...filter, limit: 50 }, Number.MAX_SAFE_INTEGER);
    return (await sql<{ 'QUERY PLAN': string }>`explain (costs off) ${q}`.execute(db)).rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}
const NARROWED = /seq = ANY \('\{[\d,]+\}'::bigint\[\]\)/;

/**
 * Labels holding `%`, `_` and `\` literally, each beside look-alikes that a search treating them
 * as LIKE wildcards (or `\` as LIKE's escape) would also return.
 */
const LIKE_LABELS = [
  'Discount 50% off',
  'Discount 50 off',
  'Discount 50 percent off',
  '50x',
  'Promo 100% real',
  'Promo 100 real',
  'Promo 1000 real',
  'file_name.csv',
  'fileXname.csv',
  'file-name.csv',
  'a_b',
  'axb',
  'C:\\temp\\menu',
  'C:temp menu',
  'x\\y',
  'xy',
  'ratio 3\\% up',
  'ratio 3 up',
  'mix %_\\ here',
];
let likeEvents: TAuditEventInput[] = [];

/** Which LIKE_LABELS events a term matches if it is taken literally (the contract), or as an unescaped LIKE pattern (the bug). */
function matching(term: string, as: 'literal' | 'like'): string[] {
  const re = as === 'literal' ? undefined : likeRegex(`%${term}%`);
  return likeEvents
    .filter((e) =>
      [describeEvent(e.action, e.actor, e.entity), e.entity?.label, e.actor.name].some(
        (v) => v !== undefined && (re ? re.test(v) : v.toLowerCase().includes(term.toLowerCase())),
      ),
    )
    .map((e) => e.eventId)
    .sort();
}

/** PostgreSQL's ILIKE as a RegExp: `%` any run, `_` any one character, `\` escapes the next. */
function likeRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') out += (pattern[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'is');
}

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Search'));
  ({ cookie } = await signedInAdmin(stack, tenantId));
  const events = [
    ...Array.from({ length: COMMON }, (_, i) =>
      makeEvent(tenantId, {
        entity: { type: 'COMMON', id: `c-${i}`, label: `Common label ${i}` },
        occurredAt: new Date(base + Math.floor(i / 3) * 60_000).toISOString(), // threes share an instant
      }),
    ),
    ...Array.from({ length: RARE }, (_, i) =>
      makeEvent(tenantId, {
        entity: { type: 'RARE', id: `r-${i}`, label: `Needle ${i}` },
        occurredAt: new Date(base + (i % 10) * 7 * 60_000).toISOString(),
      }),
    ),
  ];
  likeEvents = LIKE_LABELS.map((label, i) =>
    makeEvent(tenantId, {
      entity: { type: 'LIKE', id: `l-${i}`, label },
      occurredAt: new Date(base + i * 60_000 + 30_000).toISOString(),
    }),
  );
  await ingestStored(stack, tenantId, [...events, ...likeEvents]);
  // statistics, as autovacuum keeps them on a live table: the planner's choices below depend on them
  await withTenantAsOwner(stack.services.orm, tenantId, async (em) => {
    await sql`analyze audit_events`.execute(dbOf(em));
  });
}, 120_000);
afterAll(() => stack.close());

describe('search plans', () => {
  it('reads a rare term through the trigram index, with exact pages', async () => {
    expect(await planOf({ search: 'needle' })).toMatch(NARROWED);
    const found = await listAll({ search: 'NEEDLE' }, 7);
    expect(found.map((e) => e.id)).toEqual((await listAll({ entityType: 'RARE' }, 200)).map((e) => e.id));
    expect(found).toHaveLength(RARE);
  });

  it('walks the log in order for a common term, with exact pages', async () => {
    expect(await planOf({ search: 'common label' })).not.toMatch(NARROWED);
    const found = await listAll({ search: 'common label' }, 200);
    expect(found).toHaveLength(COMMON);
    expect(new Set(found.map((e) => e.id)).size).toBe(COMMON);
    expect(found.map((e) => e.id)).toEqual((await listAll({ entityType: 'COMMON' }, 200)).map((e) => e.id));
  });

  it('combines a common term with a narrow filter', async () => {
    expect((await listAll({ search: 'common label', entityId: 'c-7' }, 5)).map((e) => e.entity?.label)).toEqual(['Common label 7']);
  });

  it('does not probe a term the trigram index cannot narrow (no three letters or digits in a row)', async () => {
    expect(await planOf({ search: 'e 1' })).not.toMatch(NARROWED);
    const found = await listAll({ search: 'e 1', entityType: 'RARE' }, 50);
    expect(found.map((e) => e.entity?.label).sort()).toEqual(['Needle 1', ...Array.from({ length: 10 }, (_, i) => `Needle 1${i}`)].sort());
  });

  // a search the trigram index can narrow (3+ letters or digits in a row) is probed, others walk the log: both must take % _ \ literally
  it.each([
    ['50%', false],
    ['100%', true],
    ['file_name', true],
    ['a_b', false],
    ['C:\\temp', true],
    ['x\\y', false],
    ['3\\%', false],
    ['%_\\', false],
  ] as const)('takes the LIKE characters of %j literally (narrowed by the trigram index: %s)', async (term, narrowed) => {
    const literal = matching(term, 'literal');
    // the data tells the two readings apart, so this test fails for a search that treats them as patterns
    expect(matching(term, 'like')).not.toEqual(literal);
    if (narrowed) expect(await planOf({ search: term })).toMatch(NARROWED);
    else expect(await planOf({ search: term })).not.toMatch(NARROWED);
    const found = await listAll({ search: term }, 50);
    expect(
      found
        .filter((e) => e.entity?.type === 'LIKE')
        .map((e) => e.eventId)
        .sort(),
    ).toEqual(literal);
    expect(found.every((e) => e.entity?.type === 'LIKE')).toBe(true);
  });

  // shorter terms cannot be narrowed and would walk the whole log: refused at the schema (tests/ops/tenant-limits.int.test.ts)
  it.each(['%', '_', '\\', 'ab'])('refuses %j: a term shorter than 3 characters', async (term) => {
    const res = await trpc(stack, 'query', 'events.list', { search: term }, { cookie });
    expect({ status: res.status, code: res.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
  });

  it('probes only the tenant of the transaction; the runtime role cannot read the search table itself', async () => {
    const other = await stack.createTenant('Search elsewhere');
    await ingestStored(stack, other.tenantId, [makeEvent(other.tenantId, { entity: { type: 'RARE', id: 'x', label: 'Needle of another tenant' } })]);
    const found = await listAll({ search: 'needle' }, 50);
    expect(found).toHaveLength(RARE);
    expect(found.every((e) => e.tenantId === tenantId)).toBe(true);
    const seqsFor = (t: string) =>
      withTenant(
        stack.services.orm,
        t,
        async (em) => (await sql<{ s: string }>`select s from search_event_seqs('%needle of another%', 10) s`.execute(dbOf(em))).rows.length,
      );
    expect(await seqsFor(tenantId)).toBe(0);
    expect(await seqsFor(other.tenantId)).toBe(1);
    await expect(withTenant(stack.services.orm, tenantId, async (em) => sql`select * from audit_event_search limit 1`.execute(dbOf(em)))).rejects.toThrow(
      /permission denied/,
    );
  });

  it('keeps the search copy append-only, like the log (even for a superuser without disabling triggers)', async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      await expect(db.query(`update audit_event_search set description = 'hidden' where tenant_id = $1`, [tenantId])).rejects.toThrow();
      await expect(db.query(`delete from audit_event_search where tenant_id = $1`, [tenantId])).rejects.toThrow();
      await expect(db.query('truncate audit_event_search')).rejects.toThrow();
      const { rows } = await db.query(`select count(*)::int as n from audit_event_search where tenant_id = $1`, [tenantId]);
      const reads = (await db.query(`select count(*)::int as n from audit_events where tenant_id = $1 and action = 'AUDIT_LOG_VIEWED'`, [tenantId])).rows[0].n;
      // + the admin's TWO_FACTOR_ENABLED and LOGIN_SUCCESS, and their reading of the log (one event per filter)
      expect(rows[0].n).toBe(COMMON + RARE + LIKE_LABELS.length + 2 + reads);
    } finally {
      await db.end();
    }
  });
});
