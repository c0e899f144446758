import { SYSTEM_PROVENANCE } from '@modula/contracts';
import { AUDIT_EVENT_COLUMN_LIST, AUDIT_EVENT_FIELDS } from '@modula/db';
import { judgeEvents, buildStoredRow, contentHashOf, GENESIS_HASH, type TStoredRow } from '@modula/domain';
import { v7 as uuidv7 } from 'uuid';
import { benchBranchIds, generateEvent } from './generate-events.ts';

/** Rows exactly as the worker would store them (redacted, chained), for the COPY limit and seeding. */
export function generateStoredRows(tenantId: string, count: number, startSeq = 1, prevHash = GENESIS_HASH): TStoredRow[] {
  const branches = benchBranchIds(tenantId);
  const raw = Array.from({ length: count }, (_, i) => generateEvent(tenantId, uuidv7(), startSeq + i, branches));
  const { accepted } = judgeEvents(raw, { kind: 'system' });
  const receivedAt = new Date().toISOString();
  const rows: TStoredRow[] = [];
  let prev = prevHash;
  accepted.forEach(({ event }, i) => {
    const row = buildStoredRow({
      event,
      contentHash: contentHashOf(event),
      id: uuidv7(),
      seq: startSeq + i,
      prevHash: prev,
      receivedAt,
      provenance: SYSTEM_PROVENANCE,
    });
    prev = row.hash;
    rows.push(row);
  });
  return rows;
}

/** The columns of audit_events in the order toCsvLine writes them: the one list of @modula/db. */
export const COPY_COLUMNS = AUDIT_EVENT_COLUMN_LIST;

/** A text[] value (redacted_paths) as a PostgreSQL array literal. */
function pgArray(items: string[]): string {
  return `{${items.map((p) => `"${p.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : Array.isArray(value) ? pgArray(value) : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `"${text.replaceAll('"', '""')}"`;
}

/** One CSV line per row, in COPY_COLUMNS order (arrays as PostgreSQL array literals). */
export function toCsvLine(r: TStoredRow): string {
  return `${AUDIT_EVENT_FIELDS.map((f) => csvField(r[f.property])).join(',')}\n`;
}
