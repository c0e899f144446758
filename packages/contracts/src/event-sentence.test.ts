import { describe, expect, it } from 'vitest';
import { ACTIONS } from './catalog.ts';
import { describeAuditEvent, type TSentenceEvent } from './event-sentence.ts';

const sofia = { type: 'USER', id: 'u-17', name: 'Sofia Reyes' };
const base: TSentenceEvent = {
  action: 'VOID_APPROVED',
  outcome: 'SUCCESS',
  reason: null,
  claimedOutcome: 'SUCCESS',
  actor: sofia,
  entity: { id: 'b1f0', label: 'INV-23428' },
  context: { ip: null },
  metadata: null,
};

describe('describeAuditEvent', () => {
  it('reads a success as done, with the catalog description', () => {
    expect(describeAuditEvent(base)).toBe('Sofia Reyes approved the void of INV-23428');
  });

  it('reads a refused action as an attempt, with the reason in words (the issue’s sentence)', () => {
    expect(describeAuditEvent({ ...base, outcome: 'REJECTED', reason: 'BRANCH_FROZEN', claimedOutcome: 'REJECTED' })).toBe(
      'Sofia Reyes tried to approve the void of INV-23428 — refused: branch frozen',
    );
  });

  it('says when the device reported as done what the service refused (the freeze rule keeps the claim)', () => {
    expect(describeAuditEvent({ ...base, outcome: 'REJECTED', reason: 'BRANCH_FROZEN', claimedOutcome: 'SUCCESS' })).toBe(
      'Sofia Reyes tried to approve the void of INV-23428 — refused: branch frozen, reported as done by the device',
    );
  });

  it('reads a failed action as an attempt that failed, with metadata.failure in words', () => {
    expect(describeAuditEvent({ ...base, action: 'SALE_FINALIZED', outcome: 'FAILED', claimedOutcome: 'FAILED', entity: { id: 's9', label: null } })).toBe(
      'Sofia Reyes tried to finalize sale s9 — failed',
    );
    expect(
      describeAuditEvent({ ...base, action: 'SALE_FINALIZED', outcome: 'FAILED', claimedOutcome: 'FAILED', metadata: { failure: 'PAYMENT_DECLINED' } }),
    ).toBe('Sofia Reyes tried to finalize sale INV-23428 — failed: payment declined');
  });

  it('shows a failed sign-in’s kind and address, and a tally of refused attempts', () => {
    const login: TSentenceEvent = {
      ...base,
      action: 'LOGIN_FAILED',
      outcome: 'FAILED',
      claimedOutcome: 'FAILED',
      entity: { id: 'u-17', label: 'sofia@bistro.test' },
      context: { ip: '203.0.113.7' },
      metadata: { failure: 'BAD_PASSWORD', channel: 'viewer' },
    };
    expect(describeAuditEvent(login)).toBe('Sofia Reyes tried to sign in — failed: wrong password, from 203.0.113.7');
    expect(describeAuditEvent({ ...login, context: { ip: '2001:db8::1' }, metadata: { failure: 'LOCKED', attempts: 12, addresses: 3 } })).toBe(
      'Sofia Reyes tried to sign in — failed: account locked, 12 attempts, from 2001:db8::1',
    );
    expect(describeAuditEvent({ ...login, context: { ip: null }, metadata: {} })).toBe('Sofia Reyes tried to sign in — failed');
  });

  it('never substitutes into a name: an actor called "{target}" stays as written', () => {
    expect(describeAuditEvent({ ...base, actor: { type: 'USER', id: 'x', name: '{target}' } })).toBe('{target} approved the void of INV-23428');
  });

  it('names a missing actor and target plainly', () => {
    expect(
      describeAuditEvent({
        ...base,
        actor: { type: 'SYSTEM', id: null, name: null },
        entity: null,
        outcome: 'REJECTED',
        reason: 'PERMISSION_DENIED',
        claimedOutcome: 'REJECTED',
      }),
    ).toBe('System tried to approve the void of — — refused: permission denied');
  });

  it('cuts a long free-text failure and keeps it as sent otherwise', () => {
    const text = `Printer ${'x'.repeat(200)}`;
    const out = describeAuditEvent({ ...base, outcome: 'FAILED', claimedOutcome: 'FAILED', metadata: { failure: text } });
    expect(out.startsWith('Sofia Reyes tried to approve the void of INV-23428 — failed: Printer xxx')).toBe(true);
    expect(out.endsWith('…')).toBe(true);
  });

  it('reads a failure named like a property of every object as the text it is', () => {
    for (const failure of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(describeAuditEvent({ ...base, outcome: 'FAILED', claimedOutcome: 'FAILED', metadata: { failure } })).toBe(
        `Sofia Reyes tried to approve the void of INV-23428 — failed: ${failure}`,
      );
    }
  });

  it('reads every action of the catalog as an attempt that starts "tried to" and names no placeholder', () => {
    for (const action of ACTIONS) {
      const out = describeAuditEvent({ ...base, action, outcome: 'REJECTED', reason: 'POLICY_BLOCKED', claimedOutcome: 'REJECTED' });
      expect(out, action).toMatch(/^Sofia Reyes tried to [a-z]/);
      expect(out, action).toMatch(/ — refused: blocked by policy$/);
      expect(out, action).not.toMatch(/[{}]/);
    }
  });
});
