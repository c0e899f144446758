import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/**
 * Changes the URL's query string from what it holds now. React Router's own functional update
 * starts from the query of the last render: a second change made before the page re-rendered
 * (a quick second click on a slow phone) started from a query without the first, and undid it.
 * BrowserRouter writes each change into the address bar at once, so that is where the next starts.
 */
export function useSearchUpdate(): (change: (current: URLSearchParams) => URLSearchParams) => void {
  const [, setParams] = useSearchParams();
  return useCallback((change) => setParams(change(new URLSearchParams(window.location.search))), [setParams]);
}
