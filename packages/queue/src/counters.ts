import type { TRedis } from './connection.ts';

/** Worker-side totals kept in Redis so the server's /metrics can report them. */
export type TCounterName = 'stored' | 'duplicates' | 'quarantined' | 'branchWaits';

export function countersKey(prefix: string): string {
  return `${prefix}:metrics:ingest`;
}

export async function incrementCounters(redis: TRedis, prefix: string, deltas: Partial<Record<TCounterName, number>>): Promise<void> {
  const entries = Object.entries(deltas).filter(([, v]) => v);
  if (entries.length === 0) return;
  const multi = redis.multi();
  for (const [name, value] of entries) multi.hincrby(countersKey(prefix), name, value!);
  await multi.exec();
}

export async function readCounters(redis: TRedis, prefix: string): Promise<Record<TCounterName, number>> {
  const raw = await redis.hgetall(countersKey(prefix));
  return {
    stored: Number(raw.stored ?? 0),
    duplicates: Number(raw.duplicates ?? 0),
    quarantined: Number(raw.quarantined ?? 0),
    branchWaits: Number(raw.branchWaits ?? 0),
  };
}
