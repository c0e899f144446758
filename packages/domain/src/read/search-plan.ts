import { sql, type Db, type RawBuilder } from '@modula/db';

/** Up to this many matches, a search page is read from the trigram index and sorted. */
export const SEARCH_PROBE_LIMIT = 2000;

/** pg_trgm can narrow a `%term%` only by a run of at least three letters or digits. */
const TRIGRAM_TERM = /[\p{L}\p{N}]{3,}/u;

async function setBitmapOnly(db: Db, on: boolean): Promise<void> {
  // `set local`: the settings end with this transaction, never reaching the pool's next user
  const value = sql.raw(on ? 'off' : 'default');
  await sql`set local enable_seqscan = ${value}`.execute(db);
  await sql`set local enable_indexscan = ${value}`.execute(db);
  await sql`set local enable_indexonlyscan = ${value}`.execute(db);
}

/**
 * Steers the planner for a page with a search, inside the page's transaction. The planner cannot
 * tell how rare `%term%` is, and its guess walks the time index filtering every row: instant for a
 * common term, a scan of the whole log for a rare one (0.9 s at 2 M events). So we ask the
 * trigram index first, bitmap scans only, for at most SEARCH_PROBE_LIMIT + 1 matches of the whole
 * filter. Few: keep bitmap scans for the page (those matches, sorted). Many: back to the default
 * plan, whose ordered walk meets a page of matches within a few thousand rows.
 */
export async function steerSearch(db: Db, search: string | undefined, where: RawBuilder<unknown>[]): Promise<'TRIGRAM' | 'ORDERED'> {
  if (!search || !TRIGRAM_TERM.test(search)) return 'ORDERED';
  await setBitmapOnly(db, true);
  const probe = await sql<{ n: string }>`select count(*) as n from (
      select 1 from audit_events where ${sql.join(where, sql` and `)} limit ${SEARCH_PROBE_LIMIT + 1}) m`.execute(db);
  if (Number(probe.rows[0]?.n ?? 0) <= SEARCH_PROBE_LIMIT) return 'TRIGRAM';
  await setBitmapOnly(db, false);
  return 'ORDERED';
}
