/** Events that reach the service later than this after they happened count as "synced late". */
export const SYNCED_LATE_AFTER_MS = 5 * 60_000;

const UNITS = [
  { name: 'day', ms: 86_400_000 },
  { name: 'hour', ms: 3_600_000 },
  { name: 'minute', ms: 60_000 },
] as const;

/** How long after it happened the service received an event (negative when the device clock ran ahead). */
export function syncDelayMs(occurredAt: string, receivedAt: string): number {
  return Date.parse(receivedAt) - Date.parse(occurredAt);
}

/** How late, in whole days, hours or minutes; null when the event arrived within the threshold (or early). */
export function syncedLate(delayMs: number, thresholdMs = SYNCED_LATE_AFTER_MS): { unit: (typeof UNITS)[number]['name']; n: number } | null {
  if (!(delayMs > thresholdMs)) return null;
  const unit = UNITS.find((u) => delayMs >= u.ms) ?? UNITS[UNITS.length - 1]!;
  return { unit: unit.name, n: Math.floor(delayMs / unit.ms) };
}

/** "synced 3 days late", or null when the event arrived within the threshold (or early). */
export function formatSyncedLate(delayMs: number, thresholdMs = SYNCED_LATE_AFTER_MS): string | null {
  const late = syncedLate(delayMs, thresholdMs);
  return late && `synced ${late.n} ${late.unit}${late.n === 1 ? '' : 's'} late`;
}
