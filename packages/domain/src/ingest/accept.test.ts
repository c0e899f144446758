import { describe, expect, it } from 'vitest';
import { judgeEvents } from './accept.ts';

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

  it("refuses a valid event of another tenant than the API key's as FORBIDDEN, by its code (the message is for people)", () => {
    const { rejected } = judgeEvents([event({ tenantId: OTHER })], { kind: 'apiKey', tenantId: TENANT, apiKeyId: '0193a0b4-0000-7000-8000-0000000000a1' });
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
});
