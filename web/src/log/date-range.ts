import type { TEventsFilter } from '@modula/contracts';
import type { TLogFilters, TRelativePreset } from './log-filters.ts';
import { usableSearch } from './search-term.ts';

/** Local midnight of a YYYY-MM-DD day, `plusDays` later (Date arithmetic keeps DST days right). */
function localDay(day: string, plusDays = 0): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays);
}

const HOUR = 3_600_000;
/** How far back each moving range reaches from now. */
export const RELATIVE_MS: Record<TRelativePreset, number> = { '1h': HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };

/**
 * The instants a date filter covers, in the viewer's time zone: Today, This week (from Monday),
 * This month run from their start until now (and on, so late-synced events still show); a custom
 * range covers its first day from midnight to its last day's end; the last hour / 24 hours / 7 days /
 * 30 days reach back that far from now (and on, like Today).
 */
export function dateBoundsOf(f: Pick<TLogFilters, 'range' | 'from' | 'to'>, now: Date): { from?: string; to?: string } {
  const y = now.getFullYear();
  const m = now.getMonth();
  const d = now.getDate();
  switch (f.range) {
    case '1h':
    case '24h':
    case '7d':
    case '30d':
      return { from: new Date(now.getTime() - RELATIVE_MS[f.range]).toISOString() };
    case 'today':
      return { from: new Date(y, m, d).toISOString() };
    case 'week':
      return { from: new Date(y, m, d - ((now.getDay() + 6) % 7)).toISOString() };
    case 'month':
      return { from: new Date(y, m, 1).toISOString() };
    case 'custom':
      return {
        ...(f.from ? { from: localDay(f.from).toISOString() } : {}),
        ...(f.to ? { to: new Date(localDay(f.to, 1).getTime() - 1).toISOString() } : {}),
      };
    default:
      return {};
  }
}

/** The `events.list` filter of the log's filters at `now`; empty filters are left out. */
export function eventsFilterOf(f: TLogFilters, now: Date): TEventsFilter {
  const nonEmpty = <T>(list: T[]) => (list.length > 0 ? list : undefined);
  const filter: TEventsFilter = {
    ...dateBoundsOf(f, now),
    branchIds: nonEmpty(f.branchIds),
    modules: nonEmpty(f.modules),
    actions: nonEmpty(f.actions),
    actorIds: nonEmpty(f.actorIds),
    outcomes: nonEmpty(f.outcomes),
    reasons: nonEmpty(f.reasons),
    sessionId: f.sessionId ?? undefined,
    credential: f.credential ?? undefined,
    entityType: f.entityType ?? undefined,
    entityId: f.entityId ?? undefined,
    search: usableSearch(f.search),
    ips: nonEmpty(f.ips),
    deviceIds: nonEmpty(f.deviceIds),
    roles: nonEmpty(f.roles),
    excludeActions: nonEmpty(f.excludeActions),
    excludeActorIds: nonEmpty(f.excludeActorIds),
  };
  // undefined members would still appear as keys of the query input
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as TEventsFilter;
}
