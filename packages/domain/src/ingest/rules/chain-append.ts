import { AUDIT_EVENT_COLUMN_LIST, auditEventColumnsOf, sql, type Db } from '@modula/db';
import { buildStoredRow, type TRowInput, type TStoredRow } from '../event-row.ts';
import { newRowId } from '../row-id.ts';

/**
 * DESIGN rule 5, the hash chain: the tenant's chain_heads row is locked for the whole transaction,
 * so appends of one tenant are serialised and seq stays gap-free under any concurrency; seq and
 * hash are assigned in memory, the rows written in one statement, and the head advanced last.
 */
export interface TChainTail {
  tenantId: string;
  /** seq and hash of the last row, stored or appended in this batch. */
  seq: number;
  hash: string;
  /** The rows appended in this batch, in seq order. */
  rows: TStoredRow[];
}

export async function lockChainHead(db: Db, tenantId: string): Promise<TChainTail> {
  const head = (await sql<{ seq: string; hash: string }>`select seq, hash from lock_chain_head(${tenantId}::uuid)`.execute(db)).rows[0]!;
  return { tenantId, seq: Number(head.seq), hash: head.hash, rows: [] };
}

/** Builds the event's row at the next seq, linked to the one before. */
export function appendToChain(tail: TChainTail, input: Omit<TRowInput, 'id' | 'seq' | 'prevHash'>): TStoredRow {
  const row = buildStoredRow({ ...input, id: newRowId(), seq: tail.seq + 1, prevHash: tail.hash });
  tail.seq = row.seq;
  tail.hash = row.hash;
  tail.rows.push(row);
  return row;
}

const COLUMNS = sql.raw(AUDIT_EVENT_COLUMN_LIST);

/**
 * One INSERT for the whole batch: the rows travel as a single JSON parameter that PostgreSQL
 * expands into rows of audit_events' own type, so the statement and its plan do not depend on the
 * batch size and the columns come from the one definition in @modula/db. The parameter is `json`,
 * not `jsonb`: json_populate_recordset reads the text once, where a jsonb parameter is first built
 * into a binary tree of every row and then read (about 5 of 25 µs of PostgreSQL CPU per row,
 * docs/ingest-profile.md).
 */
export async function insertAuditRows(db: Db, rows: TStoredRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map(auditEventColumnsOf));
  await sql`insert into audit_events (${COLUMNS}) select ${COLUMNS}
    from json_populate_recordset(null::audit_events, ${json}::json)`.execute(db);
}

/** The database checks that the rows just written are all there and link before the head moves. */
export async function advanceChainHead(db: Db, tail: TChainTail): Promise<void> {
  if (tail.rows.length === 0) return;
  await sql`select advance_chain_head(${tail.tenantId}::uuid, ${tail.seq}::bigint, ${tail.hash})`.execute(db);
}
