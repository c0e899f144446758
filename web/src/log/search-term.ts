import { SEARCH_MIN_CHARS } from '@modula/contracts';

/**
 * Why a search term cannot be sent, or null: the service refuses terms shorter than
 * SEARCH_MIN_CHARS characters (its trigram index cannot serve them and they would read the whole
 * log), so the viewer says so under the field instead of sending them.
 */
export function searchTermProblem(term: string): string | null {
  const t = term.trim();
  if (t === '' || [...t].length >= SEARCH_MIN_CHARS) return null;
  return `Type at least ${SEARCH_MIN_CHARS} characters to search`;
}

/** The term to send: trimmed, or undefined when empty or too short to send. */
export function usableSearch(term: string): string | undefined {
  const t = term.trim();
  return t !== '' && searchTermProblem(t) === null ? t : undefined;
}
