import type { TEventsFilter } from '@modula/contracts';
import { sql, type Db } from '@modula/db';
import { filterConditions } from '../read/events-filter.ts';
import { isoUtc } from '../read/event-view.ts';
import { CSV_SELECT_LIST, csvSourceColumns } from './csv-cells.ts';
import type { TPdfRow } from './pdf-writer.ts';
import { inlineParameters } from './tenant-copy.ts';

/** The columns the PDF lists (before/after for the changes line, metadata for the sentence). */
const PDF_COLUMNS = sql`seq, ${isoUtc('occurred_at')} as occurred_at, action, outcome, reason, claimed_outcome, actor_type, actor_id, actor_role, actor_name,
  entity_type, entity_id, entity_label, description, branch_id, ip, device_id, offline, before, after, metadata, hash`;

/**
 * The rows of a PDF export in chain order, page by page (keyset on seq), never all at once: memory
 * stays at one page whatever the size of the log. Only events at or below `maxSeq` (the signed
 * checkpoint's) are read, so the pack is exactly what that checkpoint covers, however ingestion goes on.
 */
export async function* exportRows(db: Db, tenantId: string, filter: TEventsFilter, maxSeq: number, pageSize = 2000): AsyncGenerator<TPdfRow[]> {
  const fetchPage = (after: number) => {
    const where = filterConditions(tenantId, filter);
    where.push(sql`seq > ${after}`, sql`seq <= ${maxSeq}`);
    return sql<TPdfRow>`select ${PDF_COLUMNS} from audit_events where ${sql.join(where, sql` and `)}
      order by seq limit ${pageSize}`.execute(db);
  };
  let next: ReturnType<typeof fetchPage> | null = fetchPage(0);
  while (next) {
    const rows: TPdfRow[] = (await next).rows;
    // PostgreSQL reads the next page while this one is written
    next = rows.length === pageSize ? fetchPage(Number(rows.at(-1)!.seq)) : null;
    try {
      if (rows.length > 0) yield rows;
    } finally {
      if (next) await next.catch(() => {}); // never leave a query running on an abandoned generator
    }
  }
}

/**
 * The CSV pack as one `COPY (…) TO STDOUT` query, values written in as literals (COPY takes no
 * parameters): the filtered events at or below `maxSeq`, in chain order (the primary key's order,
 * no sort), each JSON member turned into text once (`offset 0` keeps PostgreSQL from repeating it per use).
 */
export function csvCopyQuery(db: Db, tenantId: string, filter: TEventsFilter, maxSeq: number, timeZone: string): string {
  const where = filterConditions(tenantId, filter);
  where.push(sql`seq <= ${maxSeq}`);
  return inlineParameters(
    sql`select ${sql.raw(CSV_SELECT_LIST)}
    from (select ${sql.raw(csvSourceColumns(timeZone))} from audit_events where ${sql.join(where, sql` and `)} order by seq offset 0) e
    order by e.seq`.compile(db),
  );
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
  const r = (
    await sql<{ n: string; lo: string | null; hi: string | null; first_at: string | null; last_at: string | null }>`
    select count(*) as n, min(seq) as lo, max(seq) as hi,
      to_char(min(occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as first_at,
      to_char(max(occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_at
    from audit_events where ${sql.join(where, sql` and `)}`.execute(db)
  ).rows[0]!;
  return {
    rows: Number(r.n),
    fromSeq: r.lo === null ? null : Number(r.lo),
    toSeq: r.hi === null ? null : Number(r.hi),
    firstAt: r.first_at,
    lastAt: r.last_at,
  };
}
