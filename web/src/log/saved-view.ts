import type { TSavedViewFilter } from '@modula/contracts';
import { eventsFilterOf } from './date-range.ts';
import { EMPTY_FILTERS, type TLogFilters } from './log-filters.ts';

/** YYYY-MM-DD of an instant in the viewer's time zone. */
function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * What a saved view keeps of the log's filters: a moving range (Today, last 7 days…) by its name,
 * so the view shows the same span of time whenever it is opened; custom days as instants.
 */
export function savedViewOf(f: TLogFilters, now: Date): TSavedViewFilter {
  const moving = f.range && f.range !== 'custom' ? f.range : undefined;
  const filter = eventsFilterOf({ ...f, range: moving ? null : f.range }, now);
  return moving ? { ...filter, range: moving } : filter;
}

/** The log's filters that show a saved view. */
export function filtersOfSavedView(v: TSavedViewFilter): TLogFilters {
  const custom = !v.range && (v.from !== undefined || v.to !== undefined);
  return {
    ...EMPTY_FILTERS,
    range: v.range ?? (custom ? 'custom' : null),
    from: custom && v.from ? localDay(v.from) : null,
    to: custom && v.to ? localDay(v.to) : null,
    branchIds: v.branchIds ?? [],
    modules: v.modules ?? [],
    actions: v.actions ?? [],
    actorIds: v.actorIds ?? [],
    outcomes: v.outcomes ?? [],
    reasons: v.reasons ?? [],
    sessionId: v.sessionId ?? null,
    credential: v.credential ?? null,
    entityType: v.entityType ?? null,
    entityId: v.entityId ?? null,
    search: v.search ?? '',
    ips: v.ips ?? [],
    deviceIds: v.deviceIds ?? [],
    roles: v.roles ?? [],
    excludeActions: v.excludeActions ?? [],
    excludeActorIds: v.excludeActorIds ?? [],
  };
}

/** Whether the shown filters are those of a saved view (as of `now`). */
export function showsSavedView(f: TLogFilters, v: TSavedViewFilter, now: Date): boolean {
  const a = savedViewOf(f, now);
  const b = savedViewOf(filtersOfSavedView(v), now);
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}
