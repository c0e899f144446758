import { OUTCOMES, type TEventsFilter } from '@modula/contracts';

/**
 * The filter as it selects: without the fields that narrow nothing — absent, empty text, an empty
 * list, or every outcome there is. `{ ips: [] }` selects every event, as `{}` does (filterConditions
 * skips it); an export asked for with it is a pack of the whole log, stored and signed as `{}`, held
 * to the checks a pack of the whole log is held to. A filter that happens to match every event (a
 * `from` before the first one) stays a filter: its manifest shows it and verify-export says the pack
 * is filtered.
 */
export function narrowingFilter(filter: TEventsFilter): TEventsFilter {
  const kept: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(filter)) {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    if (field === 'outcomes' && OUTCOMES.every((o) => (value as string[]).includes(o))) continue;
    kept[field] = value;
  }
  return kept as TEventsFilter;
}
