import type { TAuditEventView } from '@modula/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

let stack: TestStack;
let tenantId: string;
let cookie: string;
const base = Date.now() - 86_400_000;

/** Events spread over a day, many sharing an instant (seq must break those ties). */
function pageEvents(n: number, salt: number) {
  return Array.from({ length: n }, (_, i) =>
    makeEvent(tenantId, {
      entity: { type: 'PAGE', id: `p-${salt}-${i}` },
      occurredAt: new Date(base + ((i * 7919 + salt * 104_729) % 600) * 60_000).toISOString(),
    }),
  );
}

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Pages'));
  ({ cookie } = await signedInAdmin(stack, tenantId));
});
afterAll(() => stack.close());

describe('keyset pagination', () => {
  it('is exact across pages while new events keep arriving: no duplicate, no gap, stable order', async () => {
    const initial = pageEvents(600, 1);
    await ingestStored(stack, tenantId, initial);

    const seen: TAuditEventView[] = [];
    let res = await trpc(stack, 'query', 'events.list', { entityType: 'PAGE', limit: 37 }, { cookie });
    seen.push(...res.data.items);
    // new events (old and new occurredAt, interleaving every page) arrive while we page
    let writing = true;
    const writer = (async () => {
      let salt = 2;
      while (writing) {
        const batch = pageEvents(40, salt++).map((e, i) => (i % 2 ? { ...e, occurredAt: new Date().toISOString() } : e));
        await ingestStored(stack, tenantId, batch);
      }
      return salt;
    })();
    while (res.data.nextCursor) {
      res = await trpc(stack, 'query', 'events.list', { entityType: 'PAGE', limit: 37, cursor: res.data.nextCursor }, { cookie });
      expect(res.status).toBe(200);
      seen.push(...res.data.items);
      await new Promise((r) => setTimeout(r, 20));
    }
    writing = false;
    const batches = await writer;
    expect(batches).toBeGreaterThan(2); // events really arrived meanwhile

    const ids = seen.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(initial.map((e) => e.eventId)));
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.seq > b.seq)).toBe(true);
    }

    // a fresh first page shows what arrived meanwhile
    const fresh = await trpc(stack, 'query', 'events.list', { entityType: 'PAGE', limit: 200 }, { cookie });
    expect(fresh.data.items.some((e: TAuditEventView) => !ids.includes(e.eventId))).toBe(true);
  });

  it('ends with nextCursor null exactly at the last row', async () => {
    const { tenantId: t2 } = await stack.createTenant('Exact');
    const { cookie: c2 } = await signedInAdmin(stack, t2); // 2 sign-in events
    // the sign-in events travel through the pipeline: wait until both are stored (the Admin's
    // reading of the log is an event too, so the filter names the two sign-in actions)
    const first = await eventually(async () => {
      const res = await trpc(stack, 'query', 'events.list', { actions: ['TWO_FACTOR_ENABLED', 'LOGIN_SUCCESS'], limit: 2 }, { cookie: c2 });
      return res.data.items.length === 2 ? res : undefined;
    });
    expect(first.data.nextCursor).toBeNull();
  });
});

describe('keyset pagination with sub-millisecond timestamps', () => {
  it('pages exactly through events sent with microseconds (stored to the millisecond, seq breaking the ties)', async () => {
    const second = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19);
    const fractions = ['.123000', '.123456', '.123457', '.123999', '.124000', '.123456'];
    const events = fractions.map((f) => makeEvent(tenantId, { entity: { type: 'MICRO', id: f }, occurredAt: `${second}${f}Z` }));
    await ingestStored(stack, tenantId, events);
    const seen: TAuditEventView[] = [];
    let cursor: string | undefined;
    do {
      const res = await trpc(stack, 'query', 'events.list', { entityType: 'MICRO', limit: 1, ...(cursor ? { cursor } : {}) }, { cookie });
      expect(res.status).toBe(200);
      seen.push(...res.data.items);
      cursor = res.data.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.map((e) => e.occurredAt)).toEqual([`${second}.124Z`, ...Array(5).fill(`${second}.123Z`)]);
    for (let i = 2; i < seen.length; i++) expect(seen[i]!.seq).toBeLessThan(seen[i - 1]!.seq);
    expect(new Set(seen.map((e) => e.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
    expect(seen).toHaveLength(events.length);
  });
});

describe("tRPC's infinite-query input", () => {
  it('accepts the cursor: null and direction: "forward" that infiniteQueryOptions sends, and refuses paging backwards clearly', async () => {
    const first = await trpc(stack, 'query', 'events.list', { entityType: 'PAGE', limit: 5, cursor: null, direction: 'forward' }, { cookie });
    expect(first.status).toBe(200);
    expect(first.data.items).toHaveLength(5);
    const second = await trpc(stack, 'query', 'events.list', { entityType: 'PAGE', limit: 5, cursor: first.data.nextCursor, direction: 'forward' }, { cookie });
    expect(second.status).toBe(200);
    const plain = await trpc(stack, 'query', 'events.list', { entityType: 'PAGE', limit: 10 }, { cookie });
    expect([...first.data.items, ...second.data.items].map((e: TAuditEventView) => e.eventId)).toEqual(plain.data.items.map((e: TAuditEventView) => e.eventId));

    const back = await trpc(stack, 'query', 'events.list', { entityType: 'PAGE', limit: 5, cursor: first.data.nextCursor, direction: 'backward' }, { cookie });
    expect(back.status).toBe(400);
    expect(back.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(back.body)).toContain('pages forward only');
  });
});
