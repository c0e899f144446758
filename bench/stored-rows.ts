import { SYSTEM_PROVENANCE } from '@modula/contracts';
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
    const row = buildStoredRow({ event, contentHash: contentHashOf(event), id: uuidv7(), seq: startSeq + i, prevHash: prev, receivedAt, provenance: SYSTEM_PROVENANCE });
    prev = row.hash;
    rows.push(row);
  });
  return rows;
}

const COLUMNS = ['tenant_id', 'seq', 'id', 'event_id', 'branch_id', 'module', 'action', 'description', 'outcome', 'reason',
  'claimed_outcome', 'actor_type', 'actor_id', 'actor_role', 'actor_name', 'entity_type', 'entity_id', 'entity_label',
  'occurred_at', 'received_at', 'ip', 'session_id', 'device_id', 'device_seq', 'offline', 'before', 'after', 'metadata',
  'redacted_paths', 'content_hash', 'record_version', 'credential', 'source_address', 'prev_hash', 'hash'] as const;
export const COPY_COLUMNS = COLUMNS.join(', ');

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `"${text.replaceAll('"', '""')}"`;
}

/** One CSV line per row, in COPY_COLUMNS order (arrays as PostgreSQL array literals). */
export function toCsvLine(r: TStoredRow): string {
  const array = `{${r.redactedPaths.map((p) => `"${p.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
  const fields = [r.tenantId, r.seq, r.id, r.eventId, r.branchId, r.module, r.action, r.description, r.outcome, r.reason,
    r.claimedOutcome, r.actorType, r.actorId, r.actorRole, r.actorName, r.entityType, r.entityId, r.entityLabel,
    r.occurredAt, r.receivedAt, r.ip, r.sessionId, r.deviceId, r.deviceSeq, r.offline, r.before, r.after, r.metadata,
    array, r.contentHash, r.recordVersion, r.credential, r.sourceAddress, r.prevHash, r.hash];
  return `${fields.map(csvField).join(',')}\n`;
}
