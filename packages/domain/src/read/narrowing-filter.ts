import { OUTCOMES, type TEventsFilter } from '@modula/contracts';

/**
 * The filter as it selects: without the fields that narrow nothing — absent, empty text, an empty
 * list, or every outcome there is. `{ ips: [] }` selects every event, as `{}` does (filterConditions
 * skips it); an export asked for with it is a pack of the whole log, stored and signed as `{}`, so
 * that no spelling of "everything" escapes the checks a pack of the whole log is held to.
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
