import { describe, expect, it } from 'vitest';
import { formatSyncedLate, syncDelayMs } from './synced-late.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('formatSyncedLate', () => {
  it('says nothing for events that arrived within five minutes, or early', () => {
    expect(formatSyncedLate(0)).toBeNull();
    expect(formatSyncedLate(5 * MIN)).toBeNull();
    expect(formatSyncedLate(-3 * HOUR)).toBeNull();
    expect(formatSyncedLate(Number.NaN)).toBeNull();
  });

  it('uses the largest whole unit', () => {
    expect(formatSyncedLate(5 * MIN + 1)).toBe('synced 5 minutes late');
    expect(formatSyncedLate(59 * MIN)).toBe('synced 59 minutes late');
    expect(formatSyncedLate(HOUR)).toBe('synced 1 hour late');
    expect(formatSyncedLate(23 * HOUR + 59 * MIN)).toBe('synced 23 hours late');
    expect(formatSyncedLate(DAY)).toBe('synced 1 day late');
    expect(formatSyncedLate(3 * DAY + 5 * HOUR)).toBe('synced 3 days late');
  });

  it('honours another threshold', () => {
    expect(formatSyncedLate(2 * MIN, MIN)).toBe('synced 2 minutes late');
  });
});

describe('syncDelayMs', () => {
  it('is receivedAt minus occurredAt, whatever the offsets', () => {
    expect(syncDelayMs('2026-11-20T10:00:00+02:00', '2026-11-23T08:00:00Z')).toBe(3 * DAY);
    expect(syncDelayMs('2026-11-20T10:00:00Z', '2026-11-20T09:59:00Z')).toBe(-MIN);
  });
});
