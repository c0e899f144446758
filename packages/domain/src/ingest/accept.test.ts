import { describe, expect, it } from 'vitest';
import { judgeEvents } from './accept.ts';
import { readJobEvents } from './store-isolated.ts';

const TENANT = '0193a0b4-0000-7000-8000-000000000001';
const OTHER = '0193a0b4-0000-7000-8000-000000000002';
const event = (overrides: Record<string, unknown> = {}) => ({
  eventId: '0193a0b4-0000-7000-8000-0000000000e1',
  tenantId: TENANT,
  action: 'POLICY_UPDATED',
  outcome: 'SUCCESS',
  actor: { type: 'SYSTEM' },
  occurredAt: '2026-03-01T10:00:00+02:00',
  ...overrides,
});

describe('judgeEvents: acceptance, one event at a time', () => {
  it('accepts a valid event, with occurredAt normalised to UTC', () => {
    const { accepted, rejected } = judgeEvents([event()], { kind: 'system' });
    expect(rejected).toEqual([]);
    expect(accepted).toMatchObject([{ index: 0, event: { occurredAt: '2026-03-01T08:00:00.000Z', redactedPaths: [] } }]);
  });

  it('refuses an invalid event as VALIDATION_FAILED, with its issues, and keeps the others', () => {
    const { accepted, rejected } = judgeEvents([event({ action: 'NO_SUCH_ACTION' }), event({ eventId: '0193a0b4-0000-7000-8000-0000000000e2' })], {
      kind: 'system',
    });
    expect(accepted.map((a) => a.index)).toEqual([1]);
    expect(rejected).toMatchObject([{ index: 0, eventId: '0193a0b4-0000-7000-8000-0000000000e1', code: 'VALIDATION_FAILED', issues: [{ path: ['action'] }] }]);
  });

  it("refuses the branch and tenant lifecycle from a device's key, takes it from a platform key and the system caller", () => {
    const BRANCH = '0193a0b4-0000-7000-8000-0000000000b1';
    const lifecycle = ['BRANCH_PROVISIONED', 'BRANCH_FROZEN', 'BRANCH_UNFROZEN', 'TENANT_FROZEN', 'TENANT_UNFROZEN'].map((action, i) =>
      event({ action, eventId: `0193a0b4-0000-7000-8000-0000000001${i}0`, ...(action.startsWith('BRANCH') ? { branchId: BRANCH } : {}) }),
    );
    const sale = event({ action: 'SALE_FINALIZED', branchId: BRANCH, eventId: '0193a0b4-0000-7000-8000-0000000001f0' });
    const key = { kind: 'apiKey', tenantId: TENANT, apiKeyId: '0193a0b4-0000-7000-8000-0000000000a1' } as const;

    const device = judgeEvents([...lifecycle, sale], { ...key, scope: 'device' });
    expect(device.accepted.map((a) => a.index)).toEqual([5]);
    expect(device.rejected.map((r) => [r.index, r.code, r.issues[0]!.path])).toEqual(lifecycle.map((_, i) => [i, 'FORBIDDEN', ['action']]));
    expect(device.rejected[2]!.issues[0]!.message).toContain("a device's API key may not send BRANCH_UNFROZEN");

    for (const principal of [{ ...key, scope: 'platform' } as const, { kind: 'system' } as const]) {
      const judged = judgeEvents([...lifecycle, sale], principal);
      expect(judged.rejected).toEqual([]);
      expect(judged.accepted).toHaveLength(6);
    }
  });

  it("refuses a valid event of another tenant than the API key's as FORBIDDEN, by its code (the message is for people)", () => {
    const { rejected } = judgeEvents([event({ tenantId: OTHER })], {
      kind: 'apiKey',
      tenantId: TENANT,
      apiKeyId: '0193a0b4-0000-7000-8000-0000000000a1',
      scope: 'platform',
    });
    expect(rejected).toEqual([
      {
        index: 0,
        eventId: '0193a0b4-0000-7000-8000-0000000000e1',
        code: 'FORBIDDEN',
        issues: [{ path: ['tenantId'], message: 'FORBIDDEN: not the tenant of this API key' }],
      },
    ]);
  });

  it('lets the system caller send any tenant', () => {
    expect(judgeEvents([event({ tenantId: OTHER })], { kind: 'system' }).rejected).toEqual([]);
  });

  it('drops a context left empty (all its members null, or none): the same event as one without it', () => {
    const nulls = { ip: null, sessionId: null, deviceId: null, deviceSeq: null, offline: null };
    const { accepted } = judgeEvents([event({ context: nulls }), event({ context: {} }), event({ context: { ...nulls, deviceId: 'till-1' } })], {
      kind: 'system',
    });
    expect(accepted.map((a) => a.event.context)).toEqual([undefined, undefined, { deviceId: 'till-1' }]);
    expect(accepted.map((a) => 'context' in a.event)).toEqual([false, false, true]);
  });

  it('a single null for an optional field, wherever it stands, is absent; before and after keep theirs', () => {
    const sent = [
      event({ reason: null }),
      event({ actor: { type: 'USER', id: 'u-1', name: null } }),
      event({ entity: { type: 'POLICY', id: 'p-1', label: null } }),
      event({ context: { deviceId: 'till-1', deviceSeq: null } }),
      event({ before: null, after: { price: null } }),
    ];
    const { accepted, rejected } = judgeEvents(sent, { kind: 'system' });
    expect(rejected).toEqual([]);
    const [reason, actor, entity, context, changes] = accepted.map((a) => a.event);
    expect('reason' in reason!).toBe(false);
    expect(actor!.actor).toEqual({ type: 'USER', id: 'u-1' });
    expect(entity!.entity).toEqual({ type: 'POLICY', id: 'p-1' });
    expect(context!.context).toEqual({ deviceId: 'till-1' });
    expect('before' in changes!).toBe(false);
    expect(changes!.after).toEqual({ price: null });
  });

  it("the worker reads an earlier version's job alike: an empty context is dropped", () => {
    const [queued] = judgeEvents([event()], { kind: 'system' }).accepted.map((a) => a.event);
    const { events, unreadable } = readJobEvents([{ ...queued, context: {} }]);
    expect(unreadable).toEqual([]);
    expect('context' in events[0]!).toBe(false);
  });
});
