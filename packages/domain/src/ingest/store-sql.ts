import type { TAcceptedEvent, TProvenance, TQuarantineReason } from '@modula/contracts';
import { sql, type Db } from '@modula/db';
import type { TStoredRow } from './event-row.ts';


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

export interface TQuarantineRow {
  tenantId: string;
  id: string;
  eventId: string;
  reason: TQuarantineReason;
  detail: string;
  contentHash: string;
  /** The event as accepted; or, for one that could not be stored as a row, its JSON text. */
  payload: TAcceptedEvent | { unstorable: string };
  receivedAt: string;
  /** Who sent it: given back to the event when it is replayed. */
  provenance: TProvenance | null;
}

/** Quarantined events are kept whole; quarantining the same content again re-opens the row. */
export async function insertQuarantine(db: Db, rows: TQuarantineRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({
    tenant_id: r.tenantId, id: r.id, event_id: r.eventId, reason: r.reason, detail: r.detail,
    content_hash: r.contentHash, payload: r.payload, received_at: r.receivedAt, provenance: r.provenance,
  })));
  await sql`insert into quarantined_events (tenant_id, id, event_id, reason, detail, content_hash, payload, received_at, provenance)
    select tenant_id, id, event_id, reason, detail, content_hash, payload, received_at, provenance
    from jsonb_to_recordset(${json}::jsonb) as x(tenant_id uuid, id uuid, event_id uuid, reason text, detail text,
      content_hash text, payload jsonb, received_at timestamptz, provenance jsonb)
    on conflict (tenant_id, event_id, content_hash) do update
      set reason = excluded.reason, detail = excluded.detail, quarantined_at = now(), replayed_at = null`.execute(db);
}
