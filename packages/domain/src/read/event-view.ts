import { ZAuditEventView, type TAuditEventView } from '@modula/contracts';
import { sql, type RawBuilder } from '@modula/db';

/** A timestamp column as `YYYY-MM-DDTHH:mm:ss.sssZ` (the driver hands timestamps back as text in its own format). */
export function isoUtc(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The columns a view is made of, selected by every read of events (and nothing else). */
export const EVENT_VIEW_COLUMNS = sql`seq, id, event_id, tenant_id, branch_id, module, action, description, outcome, reason,
  claimed_outcome, actor_type, actor_id, actor_role, actor_name, entity_type, entity_id, entity_label,
  ${isoUtc('occurred_at')} as occurred_at, ${isoUtc('received_at')} as received_at, ip, session_id, device_id, device_seq, offline, before, after, metadata, redacted_paths,
  record_version, credential, source_address, hash, prev_hash`;

export interface TEventViewRow {
  seq: string;
  id: string;
  event_id: string;
  tenant_id: string;
  branch_id: string | null;
  module: string;
  action: string;
  description: string;
  outcome: string;
  reason: string | null;
  claimed_outcome: string;
  actor_type: string;
  actor_id: string | null;
  actor_role: string | null;
  actor_name: string | null;
  entity_type: string | null;
  entity_id: string | null;
  entity_label: string | null;
  occurred_at: string;
  received_at: string;
  ip: string | null;
  session_id: string | null;
  device_id: string | null;
  device_seq: string | null;
  offline: boolean | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  redacted_paths: string[];
  record_version: number;
  credential: string | null;
  source_address: string | null;
  hash: string;
  prev_hash: string;
}

/**
 * The one mapper from a stored row to what a reader sees: fields are listed, never spread, so a
 * column added to the table reaches no client until it is added here and to the contract.
 */
export function toEventView(r: TEventViewRow): TAuditEventView {
  return ZAuditEventView.parse({
    id: r.id,
    seq: Number(r.seq),
    eventId: r.event_id,
    tenantId: r.tenant_id,
    branchId: r.branch_id,
    module: r.module,
    action: r.action,
    description: r.description,
    outcome: r.outcome,
    reason: r.reason,
    claimedOutcome: r.claimed_outcome,
    actor: { type: r.actor_type, id: r.actor_id, role: r.actor_role, name: r.actor_name },
    entity: r.entity_type === null || r.entity_id === null ? null : { type: r.entity_type, id: r.entity_id, label: r.entity_label },
    occurredAt: r.occurred_at,
    receivedAt: r.received_at,
    context: {
      ip: r.ip,
      sessionId: r.session_id,
      deviceId: r.device_id,
      deviceSeq: r.device_seq === null ? null : Number(r.device_seq),
      offline: r.offline,
    },
    before: r.before,
    after: r.after,
    metadata: r.metadata,
    redactedPaths: r.redacted_paths,
    provenance: r.record_version === 1 ? null : { credential: r.credential, sourceAddress: r.source_address },
    hash: r.hash,
    prevHash: r.prev_hash,
  });
}
