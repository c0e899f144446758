import { sql, type Db } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { buildStoredRow, type TRowInput, type TStoredRow } from '../event-row.ts';

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
  const row = buildStoredRow({ ...input, id: uuidv7(), seq: tail.seq + 1, prevHash: tail.hash });
  tail.seq = row.seq;
  tail.hash = row.hash;
  tail.rows.push(row);
  return row;
}

/**
 * One INSERT for the whole batch: the rows travel as a single JSON parameter that PostgreSQL
 * expands with jsonb_to_recordset, so the statement and its plan do not depend on the batch size.
 */
export async function insertAuditRows(db: Db, rows: TStoredRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({
    tenant_id: r.tenantId, seq: r.seq, id: r.id, event_id: r.eventId, branch_id: r.branchId, module: r.module,
    action: r.action, description: r.description, outcome: r.outcome, reason: r.reason, claimed_outcome: r.claimedOutcome,
    actor_type: r.actorType, actor_id: r.actorId, actor_role: r.actorRole, actor_name: r.actorName,
    entity_type: r.entityType, entity_id: r.entityId, entity_label: r.entityLabel, occurred_at: r.occurredAt,
    received_at: r.receivedAt, ip: r.ip, session_id: r.sessionId, device_id: r.deviceId, device_seq: r.deviceSeq,
    offline: r.offline, before: r.before, after: r.after, metadata: r.metadata, redacted_paths: r.redactedPaths,
    content_hash: r.contentHash, record_version: r.recordVersion, credential: r.credential, source_address: r.sourceAddress,
    prev_hash: r.prevHash, hash: r.hash,
  })));
  await sql`insert into audit_events (tenant_id, seq, id, event_id, branch_id, module, action, description, outcome,
      reason, claimed_outcome, actor_type, actor_id, actor_role, actor_name, entity_type, entity_id, entity_label,
      occurred_at, received_at, ip, session_id, device_id, device_seq, offline, before, after, metadata,
      redacted_paths, content_hash, record_version, credential, source_address, prev_hash, hash)
    select tenant_id, seq, id, event_id, branch_id, module, action, description, outcome,
      reason, claimed_outcome, actor_type, actor_id, actor_role, actor_name, entity_type, entity_id, entity_label,
      occurred_at, received_at, ip, session_id, device_id, device_seq, offline, before, after, metadata,
      redacted_paths, content_hash, record_version, credential, source_address, prev_hash, hash
    from jsonb_to_recordset(${json}::jsonb) as x(tenant_id uuid, seq bigint, id uuid, event_id uuid, branch_id uuid,
      module text, action text, description text, outcome text, reason text, claimed_outcome text, actor_type text,
      actor_id text, actor_role text, actor_name text, entity_type text, entity_id text, entity_label text,
      occurred_at timestamptz, received_at timestamptz, ip text, session_id text, device_id text, device_seq bigint,
      offline boolean, before jsonb, after jsonb, metadata jsonb, redacted_paths text[], content_hash text,
      record_version smallint, credential text, source_address text, prev_hash text, hash text)`.execute(db);
}

/** The database checks that the rows just written are all there and link before the head moves. */
export async function advanceChainHead(db: Db, tail: TChainTail): Promise<void> {
  if (tail.rows.length === 0) return;
  await sql`select advance_chain_head(${tail.tenantId}::uuid, ${tail.seq}::bigint, ${tail.hash})`.execute(db);
}
