import { dbOf, sql, withTenant } from '@modula/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

let stack: TestStack;
const tenants: Record<'a' | 'b', { tenantId: string; apiKey: string; admin: string; eventIds: string[] }> = {} as never;
let managerCookie: string;
let cashierCookie: string;

async function ownIds(cookie: string): Promise<string[]> {
  return (await trpc(stack, 'query', 'events.list', { limit: 200 }, { cookie })).data.items.map((e: any) => e.id);
}

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  for (const key of ['a', 'b'] as const) {
    const t = await stack.createTenant(`Tenant ${key}`);
    const events = Array.from({ length: 6 }, (_, i) => makeEvent(t.tenantId, { occurredAt: new Date(Date.now() - (i + 1) * 60_000).toISOString() }));
    await ingestStored(stack, t.tenantId, events);
    const { cookie } = await signedInAdmin(stack, t.tenantId);
    tenants[key] = { ...t, admin: cookie, eventIds: [] };
  }
  tenants.a.eventIds = await ownIds(tenants.a.admin);
  tenants.b.eventIds = await ownIds(tenants.b.admin);
  managerCookie = (await signInFirstTime(stack, (await makeUser(stack, tenants.a.tenantId, 'MANAGER')).email)).cookie;
  cashierCookie = (await signInFirstTime(stack, (await makeUser(stack, tenants.a.tenantId, 'CASHIER')).email)).cookie;
});
afterAll(() => stack.close());

const READS: [string, () => unknown][] = [
  ['events.list', () => ({})],
  ['events.get', () => ({ id: tenants.a.eventIds[0] })],
  ['branches.list', () => undefined],
  ['insights.failedLogins', () => ({})],
  ['integrity.verify', () => ({})],
  ['ai.actions', () => ({})],
];

describe('role × procedure', () => {
  const callers: [string, () => { cookie?: string; apiKey?: string }, string | null][] = [
    ['ADMIN', () => ({ cookie: tenants.a.admin }), null],
    ['MANAGER', () => ({ cookie: managerCookie }), 'FORBIDDEN'],
    ['CASHIER', () => ({ cookie: cashierCookie }), 'FORBIDDEN'],
    ['API key', () => ({ apiKey: tenants.a.apiKey }), 'UNAUTHORIZED'],
    ['anonymous', () => ({}), 'UNAUTHORIZED'],
    ['forged cookie', () => ({ cookie: `modula_session=mas_${tenants.a.tenantId.replaceAll('-', '')}_${'x'.repeat(43)}` }), 'UNAUTHORIZED'],
  ];
  for (const [who, auth, refusal] of callers) {
    it.each(READS)(`${who}: %s → ${refusal ?? 'OK'}`, async (path, input) => {
      const res = await trpc(stack, 'query', path, input(), auth());
      if (refusal) {
        expect(res.code).toBe(refusal);
        expect(res.status).toBe(refusal === 'FORBIDDEN' ? 403 : 401);
        expect(res.data).toBeUndefined();
      } else {
        expect(res.status).toBe(200);
        expect(res.data).toBeDefined();
      }
    });
  }

  it('lets every signed-in role see who it is (auth.me), but no one anonymous', async () => {
    expect((await trpc(stack, 'query', 'auth.me', undefined, { cookie: cashierCookie })).data.role).toBe('CASHIER');
    expect((await trpc(stack, 'query', 'auth.me', undefined, { apiKey: tenants.a.apiKey })).code).toBe('UNAUTHORIZED');
  });
});

describe('cross-tenant attempts', () => {
  it("lists only the session's tenant", async () => {
    const items = (await trpc(stack, 'query', 'events.list', { limit: 200 }, { cookie: tenants.a.admin })).data.items;
    expect(items.length).toBeGreaterThan(6);
    expect(items.every((e: any) => e.tenantId === tenants.a.tenantId)).toBe(true);
    expect(items.some((e: any) => tenants.b.eventIds.includes(e.id))).toBe(false);
  });

  it("answers NOT_FOUND for another tenant's event id", async () => {
    const res = await trpc(stack, 'query', 'events.get', { id: tenants.b.eventIds[0] }, { cookie: tenants.a.admin });
    expect(res.code).toBe('NOT_FOUND');
    expect(JSON.stringify(res.body)).not.toContain(tenants.b.tenantId);
  });

  it("refuses a cursor from another tenant's list as BAD_REQUEST", async () => {
    const theirs = await trpc(stack, 'query', 'events.list', { limit: 2 }, { cookie: tenants.b.admin });
    expect(theirs.data.nextCursor).toEqual(expect.any(String));
    const res = await trpc(stack, 'query', 'events.list', { limit: 2, cursor: theirs.data.nextCursor }, { cookie: tenants.a.admin });
    expect(res.code).toBe('BAD_REQUEST');
  });

  it('refuses forged and altered cursors as BAD_REQUEST', async () => {
    const ours = (await trpc(stack, 'query', 'events.list', { limit: 2 }, { cookie: tenants.a.admin })).data.nextCursor as string;
    const [body, mac] = ours.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    const moved = Buffer.from(JSON.stringify({ ...payload, s: payload.s + 1000 })).toString('base64url');
    const retargeted = Buffer.from(JSON.stringify({ ...payload, t: tenants.b.tenantId })).toString('base64url');
    for (const cursor of [
      'garbage',
      `${moved}.${mac}`,
      `${retargeted}.${mac}`,
      `${body}.${mac.slice(0, -2)}AA`,
      Buffer.from(JSON.stringify(payload)).toString('base64url'),
    ]) {
      expect((await trpc(stack, 'query', 'events.list', { limit: 2, cursor }, { cookie: tenants.a.admin })).code).toBe('BAD_REQUEST');
    }
    // the genuine one works
    expect((await trpc(stack, 'query', 'events.list', { limit: 2, cursor: ours }, { cookie: tenants.a.admin })).status).toBe(200);
  });

  it('a read transaction that forgets its tenant filter still sees only its tenant (row-level security)', async () => {
    const rows = await withTenant(
      stack.services.orm,
      tenants.a.tenantId,
      async (em) => (await sql<{ tenant_id: string }>`select distinct tenant_id from audit_events`.execute(dbOf(em))).rows,
    );
    expect(rows).toEqual([{ tenant_id: tenants.a.tenantId }]);
  });
});
