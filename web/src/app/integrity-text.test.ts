import { describe, expect, it } from 'vitest';
import { integrityText } from './integrity-text.ts';

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
