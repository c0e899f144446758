import { describe, expect, it } from 'vitest';
import { correctDeviceTime, isoWithOffset } from './clock.ts';

describe('isoWithOffset', () => {
  it('writes the instant in local time with an explicit offset and millisecond precision, losslessly', () => {
    for (const ms of [0, 1_763_800_000_123, Date.UTC(2024, 1, 29, 23, 59, 59, 999)]) {
      const iso = isoWithOffset(ms);
      expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
      expect(Date.parse(iso)).toBe(ms);
    }
  });
});

describe('correctDeviceTime', () => {
  const deviceTime = '2026-11-22T14:10:00.000+01:00';

  it('keeps the device time while the offset is unknown or within the tolerance', () => {
    expect(correctDeviceTime(deviceTime, null, 1000)).toEqual({ occurredAt: deviceTime });
    expect(correctDeviceTime(deviceTime, -1000, 1000)).toEqual({ occurredAt: deviceTime });
    expect(correctDeviceTime(deviceTime, 999, 1000)).toEqual({ occurredAt: deviceTime });
  });

  it('moves a clock that runs ahead back by the measured offset and keeps the raw time', () => {
    const corrected = correctDeviceTime(deviceTime, -600_000, 1000);
    expect(Date.parse(corrected.occurredAt)).toBe(Date.parse('2026-11-22T14:00:00.000+01:00'));
    expect(corrected.clock).toEqual({ deviceTime, offsetMs: -600_000 });
  });

  it('corrects every offset with tolerance 0, also a clock that runs behind', () => {
    expect(Date.parse(correctDeviceTime(deviceTime, 5, 0).occurredAt) - Date.parse(deviceTime)).toBe(5);
    expect(Date.parse(correctDeviceTime(deviceTime, 86_400_000, 1000).occurredAt)).toBe(Date.parse('2026-11-23T14:10:00.000+01:00'));
  });
});
