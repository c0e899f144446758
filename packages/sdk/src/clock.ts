import type { AuditClient } from './client.ts';

/** One measurement of the device clock against the service's. */
export interface TClockSample {
  /** Service time minus device time, in ms: add it to a device timestamp to get service time. */
  offsetMs: number;
  /** Round trip of the measuring request; the offset is uncertain by about half of it. */
  rttMs: number;
}

/**
 * Asks the service for its time (`time.now`) and compares it with the device clock at the
 * middle of the round trip, as NTP does.
 */
export async function measureClockOffset(client: AuditClient, deviceNow: () => number, signal?: AbortSignal): Promise<TClockSample> {
  const sent = deviceNow();
  const { now } = await client.time.now.query(undefined, signal ? { signal } : {});
  const received = deviceNow();
  return { offsetMs: Math.round(Date.parse(now) - (sent + received) / 2), rttMs: received - sent };
}

/** `ms` as ISO-8601 in the device's local time with its offset, e.g. `2026-11-22T14:15:00.123+01:00`. */
export function isoWithOffset(ms: number): string {
  const offsetMin = -new Date(ms).getTimezoneOffset();
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An event's time after the clock check, and the raw device time when it was corrected. */
export interface TCorrectedTime {
  occurredAt: string;
  clock?: { deviceTime: string; offsetMs: number };
}

/**
 * The occurredAt to store for `deviceTime` (ISO, device clock): unchanged while the offset is
 * unknown or within `toleranceMs` (measurement noise); otherwise moved by the offset, with the raw
 * device time and the offset kept for `metadata.clock`.
 */
export function correctDeviceTime(deviceTime: string, offsetMs: number | null, toleranceMs: number): TCorrectedTime {
  if (offsetMs === null || Math.abs(offsetMs) <= toleranceMs) return { occurredAt: deviceTime };
  return { occurredAt: isoWithOffset(Date.parse(deviceTime) + offsetMs), clock: { deviceTime, offsetMs } };
}
