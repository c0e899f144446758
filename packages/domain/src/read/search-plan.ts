import { sql, type Db } from '@modula/db';
import { likePattern } from './events-filter.ts';

/** Up to this many matches, a search page is read by its matches' keys and sorted. */
export const SEARCH_PROBE_LIMIT = 2000;

/** pg_trgm can narrow a `%term%` only by a run of at least three letters or digits. */
const TRIGRAM_TERM = /[\p{L}\p{N}]{3,}/u;

/**
 * The seqs of every event of the tenant that a search matches, when they are few; undefined when
 * they are many or the term cannot be narrowed by trigrams.
 *
 * Why a probe: the planner cannot tell how rare `%term%` is, and under row-level security it may
 * not use a trigram index on audit_events at all (ILIKE is not leakproof). Walking the log in order
 * and filtering is instant for a common term but reads the whole log for a rare one (0.9 s at 2 M
 * events). So the trigram index of audit_event_search is asked first (search_event_seqs, confined
 * to the tenant): few matches are then fetched by key and sorted; many mean the ordered walk meets
 * a page of them within a few thousand rows.
 */
export async function searchCandidates(db: Db, search: string | undefined): Promise<number[] | undefined> {
  if (!search || !TRIGRAM_TERM.test(search)) return undefined;
  const rows = (await sql<{ seq: string }>`select s as seq from search_event_seqs(${likePattern(search)}, ${SEARCH_PROBE_LIMIT + 1}) s`.execute(db)).rows;
  return rows.length <= SEARCH_PROBE_LIMIT ? rows.map((r) => Number(r.seq)) : undefined;
}
