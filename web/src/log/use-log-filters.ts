import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { EMPTY_FILTERS, filtersFromSearch, searchWithFilters, type TLogFilters } from './log-filters.ts';
import { useSearchUpdate } from './use-search-update.ts';

const EVENT_KEY = 'event';

/**
 * The log's filters and its open entry, kept in the URL's query string: a link shows the same
 * view, and every change is a history entry, so the back button undoes it (and closes the drawer).
 */
export function useLogFilters() {
  const [params] = useSearchParams();
  const setParams = useSearchUpdate();
  const filters = useMemo(() => filtersFromSearch(params), [params]);
  const openEventId = params.get(EVENT_KEY);

  const setFilters = useCallback(
    (patch: Partial<TLogFilters>) => {
      setParams((prev) => searchWithFilters({ ...filtersFromSearch(prev), ...patch }, prev));
    },
    [setParams],
  );

  const clearFilters = useCallback(() => {
    setParams((prev) => searchWithFilters(EMPTY_FILTERS, prev));
  }, [setParams]);

  const openEvent = useCallback(
    (id: string) => {
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        next.set(EVENT_KEY, id);
        return next;
      });
    },
    [setParams],
  );

  const closeEvent = useCallback(() => {
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.delete(EVENT_KEY);
      return next;
    });
  }, [setParams]);

  return { filters, setFilters, clearFilters, openEventId, openEvent, closeEvent };
}
