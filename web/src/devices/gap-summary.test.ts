import { describe, expect, it } from 'vitest';
import { gapsByDevice, runLabel } from './gap-summary.ts';

describe('gapsByDevice', () => {
  it('groups runs per device, sums what is missing, and puts the worst device first', () => {
    const grouped = gapsByDevice([
      { deviceId: 'till-2', from: 5, to: 5, missing: 1 },
      { deviceId: 'till-7', from: 1042, to: 1050, missing: 9 },
      { deviceId: 'till-2', from: 1, to: 2, missing: 2 },
    ]);
    expect(grouped.map((d) => [d.deviceId, d.missing])).toEqual([
      ['till-7', 9],
      ['till-2', 3],
    ]);
    expect(grouped[1]!.runs.map(runLabel)).toEqual(['1–2', '5']);
  });

  it('is empty when nothing is missing', () => {
    expect(gapsByDevice([])).toEqual([]);
  });
});
