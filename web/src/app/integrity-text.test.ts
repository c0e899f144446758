import { describe, expect, it } from 'vitest';
import { integrityDetail, integrityText, untrustedKeysWarning } from './integrity-text.ts';

const base = { headSeq: 0, headHash: '0'.repeat(64), firstBrokenSeq: null, reason: null };

describe('integrityText', () => {
  it('names the events checked and the time', () => {
    expect(integrityText({ ...base, ok: true, checked: 12_345 }, '14:03')).toBe('Chain verified · 12,345 events · checked at 14:03');
    expect(integrityText({ ...base, ok: true, checked: 1 }, '09:00')).toBe('Chain verified · 1 event · checked at 09:00');
  });

  it('names the first broken seq', () => {
    expect(integrityText({ ...base, ok: false, checked: 40, firstBrokenSeq: 17 }, '14:03')).toBe('Chain broken at seq 17');
    expect(integrityText({ ...base, ok: false, checked: 40 }, '14:03')).toBe('Chain broken');
  });
});

describe('a check from the latest signed checkpoint', () => {
  it('counts the whole log in the badge and says in the detail what the checkpoint vouched for', () => {
    const fromCheckpoint = { ...base, ok: true, headSeq: 1_204, checked: 4, fromCheckpointSeq: 1_200 };
    expect(integrityText(fromCheckpoint, '14:03')).toBe('Chain verified · 1,204 events · checked at 14:03');
    expect(integrityDetail(fromCheckpoint)).toBe(
      'Events up to seq 1200 are vouched for by the latest signed checkpoint (its signature and chain hash hold); the 4 events after it were recomputed and link, up to seq 1204.',
    );
    expect(integrityDetail({ ...base, ok: true, headSeq: 9, checked: 9, fromCheckpointSeq: null })).toBe(
      'Every event links to the one before it, up to seq 9.',
    );
  });
});

describe('keys the database lists that this server does not trust', () => {
  it('are named in a warning for the operator', () => {
    expect(untrustedKeysWarning({ notTrustedKeys: ['k-forged-1', 'k-forged-2'] })).toBe(
      'Signed with keys this server does not trust: k-forged-1, k-forged-2; an operator must check them.',
    );
  });

  it('give no warning when there are none', () => {
    expect(untrustedKeysWarning({})).toBeUndefined();
    expect(untrustedKeysWarning({ notTrustedKeys: [] })).toBeUndefined();
  });
});
