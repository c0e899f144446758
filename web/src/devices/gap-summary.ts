import type { TDeviceGap } from '@modula/contracts';

export interface TDeviceGaps {
  deviceId: string;
  missing: number;
  runs: TDeviceGap[];
}

/** Gaps grouped per device, the device missing most first: where an Admin should look first. */
export function gapsByDevice(gaps: TDeviceGap[]): TDeviceGaps[] {
  const byDevice = new Map<string, TDeviceGaps>();
  for (const gap of gaps) {
    const device = byDevice.get(gap.deviceId) ?? { deviceId: gap.deviceId, missing: 0, runs: [] };
    device.missing += gap.missing;
    device.runs.push(gap);
    byDevice.set(gap.deviceId, device);
  }
  for (const device of byDevice.values()) device.runs.sort((a, b) => a.from - b.from);
  return [...byDevice.values()].sort((a, b) => b.missing - a.missing || a.deviceId.localeCompare(b.deviceId));
}

/** "1042–1050" for a run, "7" for a single number. */
export function runLabel(gap: Pick<TDeviceGap, 'from' | 'to'>): string {
  return gap.from === gap.to ? String(gap.from) : `${gap.from}–${gap.to}`;
}
