import type { TEventsFilter } from '@modula/contracts';
import { sql, type Db } from '@modula/db';
import { filterConditions } from '../read/events-filter.ts';
import { EVENT_VIEW_COLUMNS, type TEventViewRow } from '../read/event-view.ts';

/**
 * The rows of an export in chain order, page by page (keyset on seq), never all at once: memory
 * stays at one page whatever the size of the log. Only events at or below `maxSeq` (the signed
 * checkpoint's) are read, so the pack is exactly what that checkpoint covers, however ingestion goes on.
 */
export async function* exportRows(db: Db, tenantId: string, filter: TEventsFilter, maxSeq: number, pageSize = 5000): AsyncGenerator<TEventViewRow[]> {
  const fetchPage = (after: number) => {
    const where = filterConditions(tenantId, filter);
    where.push(sql`seq > ${after}`, sql`seq <= ${maxSeq}`);
    return sql<TEventViewRow>`select ${EVENT_VIEW_COLUMNS} from audit_events where ${sql.join(where, sql` and `)}
      order by seq limit ${pageSize}`.execute(db);
  };
  let next: ReturnType<typeof fetchPage> | null = fetchPage(0);
  while (next) {
    const rows: TEventViewRow[] = (await next).rows;
    // PostgreSQL reads the next page while this one is written
    next = rows.length === pageSize ? fetchPage(Number(rows.at(-1)!.seq)) : null;
    try {
      if (rows.length > 0) yield rows;
    } finally {
      if (next) await next.catch(() => {}); // never leave a query running on an abandoned generator
    }
  }
}

export interface TExportSummary {
  rows: number;
  fromSeq: number | null;
  toSeq: number | null;
  firstAt: string | null;
  lastAt: string | null;
}

/** Row count, chain range and time range of an export, before it is written (the PDF numbers its pages). */
export async function summarizeExport(db: Db, tenantId: string, filter: TEventsFilter, maxSeq: number): Promise<TExportSummary> {
  const where = filterConditions(tenantId, filter);
  where.push(sql`seq <= ${maxSeq}`);
  const r = (await sql<{ n: string; lo: string | null; hi: string | null; first_at: string | null; last_at: string | null }>`
    select count(*) as n, min(seq) as lo, max(seq) as hi,
      to_char(min(occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as first_at,
      to_char(max(occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_at
    from audit_events where ${sql.join(where, sql` and `)}`.execute(db)).rows[0]!;
  return { rows: Number(r.n), fromSeq: r.lo === null ? null : Number(r.lo), toSeq: r.hi === null ? null : Number(r.hi), firstAt: r.first_at, lastAt: r.last_at };
}
