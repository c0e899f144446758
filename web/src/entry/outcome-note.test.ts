import { describe, expect, it } from 'vitest';
import { outcomeNote } from './outcome-note.ts';

const context = { ip: null, sessionId: null, deviceId: 'till-7', deviceSeq: 3, offline: true };

describe('outcomeNote', () => {
  it('says nothing when the service kept the claimed outcome', () => {
    expect(outcomeNote({ outcome: 'SUCCESS', claimedOutcome: 'SUCCESS', reason: null, context })).toBeNull();
    expect(outcomeNote({ outcome: 'REJECTED', claimedOutcome: 'REJECTED', reason: 'POLICY_BLOCKED', context })).toBeNull();
  });

  it('explains a frozen branch', () => {
    expect(outcomeNote({ outcome: 'REJECTED', claimedOutcome: 'SUCCESS', reason: 'BRANCH_FROZEN', context })).toMatch(
      /^The device reported SUCCESS; the service recorded REJECTED because the branch was frozen at that time\.$/,
    );
  });

  it('explains a frozen tenant, for a client without a device', () => {
    expect(outcomeNote({ outcome: 'REJECTED', claimedOutcome: 'SUCCESS', reason: 'TENANT_FROZEN', context: { ...context, deviceId: null } })).toMatch(
      /^The client reported SUCCESS; the service recorded REJECTED because the business \(tenant\) was frozen at that time\.$/,
    );
  });
});
