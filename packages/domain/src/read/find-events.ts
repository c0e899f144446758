import type { TAuditEventView, TEventsFilter } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { AppError } from '../app-error.ts';
import { decodeCursor, encodeCursor, type TEventsCursor } from './events-cursor.ts';
import { filterConditions } from './events-filter.ts';
import { EVENT_VIEW_COLUMNS, toEventView, type TEventViewRow } from './event-view.ts';
import { searchCandidates } from './search-plan.ts';

export interface TFindEventsInput extends TEventsFilter {
  cursor?: string | null | undefined;
  limit: number;
}

/**
 * One page of a tenant's log, newest occurredAt first (seq breaks ties), by keyset: the next page
 * starts strictly after the last row of this one. Pages after the first read only events that
 * existed when the first was read, so no row is repeated or skipped while new ones arrive.
 */
export async function findEvents(
  orm: Orm,
  serverSecret: Buffer,
  tenantId: string,
  input: TFindEventsInput,
): Promise<{ items: TAuditEventView[]; nextCursor: string | null }> {
  const after = input.cursor ? decodeCursor(serverSecret, tenantId, input.cursor) : undefined;
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    // A first page reads the chain head in its own statement (one round trip less), except a
    // search: its probe must see every event up to the head, so the head is read before it.
    const snapshotSeq =
      after?.snapshotSeq ??
      (input.search
        ? Number((await sql<{ seq: string }>`select seq from chain_heads where tenant_id = ${tenantId}`.execute(db)).rows[0]?.seq ?? 0)
        : undefined);
    const rows = (await (await prepareEventsPage(db, tenantId, input, snapshotSeq, after)).execute(db)).rows;
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > input.limit && last
        ? encodeCursor(serverSecret, tenantId, { occurredAt: last.occurred_at, seq: Number(last.seq), snapshotSeq: Number(last.snapshot_seq) })
        : null;
    return { items: page.map(toEventView), nextCursor };
  });
}

/**
 * The statement of one page (one row more than the limit, to know whether another page follows).
 * The cursor's occurredAt has milliseconds, as stored: ingestion normalises every occurredAt to
 * `toISOString()`, so no two events differ below the millisecond. Without `snapshotSeq` (a first
 * page) the page is cut at the chain head, read by the statement itself (an InitPlan, so still an
 * index condition) and returned with each row as `snapshot_seq` for the cursor.
 */
export function eventsPageQuery(tenantId: string, input: TFindEventsInput, snapshotSeq: number | undefined, after?: TEventsCursor, searchSeqs?: number[]) {
  const where = filterConditions(tenantId, input);
  const snapshot = snapshotSeq === undefined ? sql`(select seq from chain_heads where tenant_id = ${tenantId})` : sql`${snapshotSeq}::bigint`;
  where.push(sql`seq <= ${snapshot}`);
  if (after) where.push(sql`(occurred_at, seq) < (${after.occurredAt}::timestamptz, ${after.seq}::bigint)`);
  if (searchSeqs) where.push(sql`seq = any(${searchSeqs}::bigint[])`);
  return sql<TEventViewRow & { snapshot_seq: string }>`select ${EVENT_VIEW_COLUMNS}, ${snapshot} as snapshot_seq from audit_events
    where ${sql.join(where, sql` and `)}
    order by audit_events.occurred_at desc, audit_events.seq desc limit ${input.limit + 1}`;
}

/** A page's statement in the caller's transaction, a search first narrowed to its matches when they are few (see searchCandidates); also what EXPLAIN measures. */
export async function prepareEventsPage(db: Db, tenantId: string, input: TFindEventsInput, snapshotSeq: number | undefined, after?: TEventsCursor) {
  return eventsPageQuery(tenantId, input, snapshotSeq, after, await searchCandidates(db, input.search));
}

/** One event of the tenant by its id; another tenant's id is NOT_FOUND (row-level security hides it). */
export async function getEvent(orm: Orm, tenantId: string, id: string): Promise<TAuditEventView> {
  const row = await withTenant(
    orm,
    tenantId,
    async (em) =>
      (await sql<TEventViewRow>`select ${EVENT_VIEW_COLUMNS} from audit_events where tenant_id = ${tenantId} and id = ${id}`.execute(dbOf(em))).rows[0],
  );
  if (!row) throw new AppError('NOT_FOUND', `no event ${id}`);
  return toEventView(row);
}
