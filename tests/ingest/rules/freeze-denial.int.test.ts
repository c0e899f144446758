import type { TAuditEventInput } from '@modula/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, provisionBranch, sale } from '../../../testing/events.ts';
import { openRulesDatabase, storeEvents, type TRulesDatabase } from '../../../testing/worker-rules.ts';

/**
 * Rule 3, frozen denial (README "The rules the worker applies"): a state-changing action (catalog
 * flag) claiming SUCCESS whose branch — or tenant — was frozen at its occurredAt is stored as
 * REJECTED with BRANCH_FROZEN (or TENANT_FROZEN); claimedOutcome keeps what the device said. The
 * freeze state at an instant is the latest transition at or before it: an event exactly at the
 * freeze is denied, exactly at the unfreeze allowed, and a late offline event is judged by when it
 * happened.
 */
let rules: TRulesDatabase;
let tenantId: string;
const branchId = '0193a0b4-1111-7000-8000-000000000001';
const T = (iso: string) => new Date(iso).toISOString();
const FREEZE = '2026-03-01T10:00:00.000Z';
const UNFREEZE = '2026-03-01T12:00:00.000Z';

async function store(events: TAuditEventInput[]) {
  const outcome = await storeEvents(rules.orm, tenantId, events);
  expect(outcome.stored).toHaveLength(events.length);
}

async function stored(eventId: string) {
  const r = await rules.db.query('select outcome, reason, claimed_outcome from audit_events where tenant_id = $1 and event_id = $2', [tenantId, eventId]);
  return r.rows[0] as { outcome: string; reason: string | null; claimed_outcome: string };
}

beforeAll(async () => {
  rules = await openRulesDatabase();
  tenantId = await rules.newTenant('Freeze rules');
  await store([provisionBranch(tenantId, branchId, '2026-01-01T00:00:00.000Z')]);
  await store([
    makeEvent(tenantId, { action: 'BRANCH_FROZEN', branchId, occurredAt: FREEZE, entity: { type: 'BRANCH', id: branchId } }),
    makeEvent(tenantId, { action: 'BRANCH_UNFROZEN', branchId, occurredAt: UNFREEZE, entity: { type: 'BRANCH', id: branchId } }),
  ]);
});
afterAll(() => rules?.close());

describe('rule 3: BRANCH_FROZEN is decided by the freeze period at occurredAt', () => {
  const cases: [string, string, { outcome: string; reason: string | null }][] = [
    ['just before the freeze', T('2026-03-01T09:59:59.999Z'), { outcome: 'SUCCESS', reason: null }],
    ['exactly at the freeze', FREEZE, { outcome: 'REJECTED', reason: 'BRANCH_FROZEN' }],
    ['inside the freeze', T('2026-03-01T11:00:00Z'), { outcome: 'REJECTED', reason: 'BRANCH_FROZEN' }],
    ['just before the unfreeze', T('2026-03-01T11:59:59.999Z'), { outcome: 'REJECTED', reason: 'BRANCH_FROZEN' }],
    ['exactly at the unfreeze', UNFREEZE, { outcome: 'SUCCESS', reason: null }],
    ['after the unfreeze', T('2026-03-01T13:00:00Z'), { outcome: 'SUCCESS', reason: null }],
  ];
  for (const [name, occurredAt, expected] of cases) {
    it(`a sale ${name}`, async () => {
      const event = sale(tenantId, branchId, occurredAt);
      await store([event]);
      expect(await stored(event.eventId)).toEqual({ ...expected, claimed_outcome: 'SUCCESS' });
    });
  }

  it('an offline sale from inside the freeze that arrives late, after the unfreeze, is still denied', async () => {
    const late = sale(tenantId, branchId, T('2026-03-01T10:30:00Z'), { context: { offline: true, deviceId: 'till-7', deviceSeq: 1 } });
    await store([late]);
    expect(await stored(late.eventId)).toEqual({ outcome: 'REJECTED', reason: 'BRANCH_FROZEN', claimed_outcome: 'SUCCESS' });
  });

  it('keeps what the client claimed when it already reported a denial, and leaves FAILED alone', async () => {
    const denied = sale(tenantId, branchId, T('2026-03-01T11:00:00Z'), { outcome: 'REJECTED', reason: 'PERMISSION_DENIED' });
    const failed = sale(tenantId, branchId, T('2026-03-01T11:00:00Z'), { outcome: 'FAILED' });
    await store([denied, failed]);
    expect(await stored(denied.eventId)).toEqual({ outcome: 'REJECTED', reason: 'PERMISSION_DENIED', claimed_outcome: 'REJECTED' });
    expect(await stored(failed.eventId)).toEqual({ outcome: 'FAILED', reason: null, claimed_outcome: 'FAILED' });
  });

  it('does not block actions that are not state-changing for the branch (sign-in, policy, lifecycle)', async () => {
    const inside = T('2026-03-01T11:00:00Z');
    const login = makeEvent(tenantId, { action: 'LOGIN_SUCCESS', branchId, occurredAt: inside });
    const policy = makeEvent(tenantId, { action: 'POLICY_UPDATED', branchId, occurredAt: inside });
    const update = makeEvent(tenantId, { action: 'BRANCH_UPDATED', branchId, occurredAt: inside, entity: { type: 'BRANCH', id: branchId, label: 'Main St.' } });
    await store([login, policy, update]);
    for (const e of [login, policy, update]) expect((await stored(e.eventId)).outcome).toBe('SUCCESS');
  });

  it('blocks a branch-scoped menu change but not a tenant-wide one', async () => {
    const inside = T('2026-03-01T11:00:00Z');
    const branchMenu = makeEvent(tenantId, { action: 'MENU_ITEM_UPDATED', branchId, occurredAt: inside });
    const tenantMenu = makeEvent(tenantId, { action: 'MENU_ITEM_UPDATED', occurredAt: inside });
    await store([branchMenu, tenantMenu]);
    expect((await stored(branchMenu.eventId)).reason).toBe('BRANCH_FROZEN');
    expect((await stored(tenantMenu.eventId)).outcome).toBe('SUCCESS');
  });

  it('applies a freeze stored earlier in the same batch to the events after it', async () => {
    const other = '0193a0b4-1111-7000-8000-000000000002';
    const at = T('2026-04-01T10:00:00Z');
    const events = [
      provisionBranch(tenantId, other, '2026-01-01T00:00:00.000Z', 'Harbour'),
      makeEvent(tenantId, { action: 'BRANCH_FROZEN', branchId: other, occurredAt: at }),
      sale(tenantId, other, T('2026-04-01T10:05:00Z')),
    ];
    await store(events);
    expect((await stored(events[2]!.eventId)).reason).toBe('BRANCH_FROZEN');
    expect((await rules.db.query('select id, name, status from branches where id = $1', [other])).rows).toEqual([
      { id: other, name: 'Harbour', status: 'FROZEN' },
    ]);
  });

  it('a freeze that arrives late does not rewrite the events already stored: they stay as recorded', async () => {
    const b = '0193a0b4-1111-7000-8000-000000000003';
    await store([provisionBranch(tenantId, b, '2026-01-01T00:00:00.000Z')]);
    const before = sale(tenantId, b, T('2026-06-01T11:00:00Z'));
    await store([before]);
    await store([makeEvent(tenantId, { action: 'BRANCH_FROZEN', branchId: b, occurredAt: T('2026-06-01T10:00:00Z') })]);
    expect(await stored(before.eventId)).toEqual({ outcome: 'SUCCESS', reason: null, claimed_outcome: 'SUCCESS' });
  });
});

describe('rule 3: TENANT_FROZEN', () => {
  it('denies state-changing actions of every branch while the tenant is frozen, and names the tenant', async () => {
    const from = '2026-05-01T00:00:00.000Z';
    const to = '2026-05-02T00:00:00.000Z';
    await store([
      makeEvent(tenantId, { action: 'TENANT_FROZEN', occurredAt: from, actor: { type: 'SYSTEM', name: 'Billing' } }),
      makeEvent(tenantId, { action: 'TENANT_UNFROZEN', occurredAt: to, actor: { type: 'SYSTEM', name: 'Billing' } }),
    ]);
    const during = sale(tenantId, branchId, '2026-05-01T12:00:00.000Z');
    // a check-in happens at a branch (catalog: branch required); the tenant's freeze covers it too
    const tenantWide = makeEvent(tenantId, { action: 'CHECK_IN_CREATED', branchId, occurredAt: '2026-05-01T12:00:00.000Z' });
    const after = sale(tenantId, branchId, to);
    const login = makeEvent(tenantId, { action: 'LOGIN_SUCCESS', occurredAt: '2026-05-01T12:00:00.000Z' });
    await store([during, tenantWide, after, login]);
    expect(await stored(during.eventId)).toEqual({ outcome: 'REJECTED', reason: 'TENANT_FROZEN', claimed_outcome: 'SUCCESS' });
    expect((await stored(tenantWide.eventId)).reason).toBe('TENANT_FROZEN');
    expect((await stored(after.eventId)).outcome).toBe('SUCCESS');
    expect((await stored(login.eventId)).outcome).toBe('SUCCESS');
  });
});
