import { describe, expect, it } from 'vitest';
import { freezeDenial, isFrozenAt, type TFreezeTransition } from './freeze-denial.ts';

const at = (iso: string) => Date.parse(iso);
const B = 'branch-1';

describe('isFrozenAt', () => {
  const transitions: TFreezeTransition[] = [
    // arrived out of order: the unfreeze was stored first
    { branchId: B, occurredAt: at('2026-01-01T12:00:00Z'), seq: 5, frozen: false },
    { branchId: B, occurredAt: at('2026-01-01T10:00:00Z'), seq: 9, frozen: true },
  ];
  it.each([
    ['2026-01-01T09:59:59.999Z', false],
    ['2026-01-01T10:00:00.000Z', true],
    ['2026-01-01T11:59:59.999Z', true],
    ['2026-01-01T12:00:00.000Z', false],
  ])('at %s → %s, whatever order the transitions arrived in', (time, frozen) => {
    expect(isFrozenAt(transitions, B, at(time))).toBe(frozen);
  });

  it('breaks a tie at the same instant by acceptance order', () => {
    const tie: TFreezeTransition[] = [
      { branchId: B, occurredAt: at('2026-01-01T10:00:00Z'), seq: 1, frozen: true },
      { branchId: B, occurredAt: at('2026-01-01T10:00:00Z'), seq: 2, frozen: false },
    ];
    expect(isFrozenAt(tie, B, at('2026-01-01T10:00:00Z'))).toBe(false);
  });

  it('keeps branches and the tenant apart', () => {
    const t: TFreezeTransition[] = [{ branchId: null, occurredAt: 0, seq: 1, frozen: true }];
    expect(isFrozenAt(t, B, 1)).toBe(false);
    expect(isFrozenAt(t, null, 1)).toBe(true);
  });
});

describe('freezeDenial', () => {
  const frozen: TFreezeTransition[] = [
    { branchId: B, occurredAt: 0, seq: 1, frozen: true },
    { branchId: null, occurredAt: 0, seq: 2, frozen: true },
  ];
  const now = new Date(1000).toISOString();
  it('denies a claimed SUCCESS of a state-changing action, preferring the branch as the reason', () => {
    expect(freezeDenial({ action: 'SALE_FINALIZED', outcome: 'SUCCESS', branchId: B, occurredAt: now }, frozen)).toBe('BRANCH_FROZEN');
    expect(freezeDenial({ action: 'SALE_FINALIZED', outcome: 'SUCCESS', occurredAt: now }, frozen)).toBe('TENANT_FROZEN');
  });
  it('leaves other outcomes and non-blocking actions alone', () => {
    expect(freezeDenial({ action: 'SALE_FINALIZED', outcome: 'FAILED', branchId: B, occurredAt: now }, frozen)).toBeUndefined();
    expect(freezeDenial({ action: 'LOGIN_SUCCESS', outcome: 'SUCCESS', branchId: B, occurredAt: now }, frozen)).toBeUndefined();
    expect(freezeDenial({ action: 'DISCOUNT_CREATED', outcome: 'SUCCESS', occurredAt: now }, [frozen[0]!])).toBeUndefined();
  });
});
