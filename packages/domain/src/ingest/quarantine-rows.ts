import type { TAcceptedEvent, TProvenance, TQuarantineReason } from '@modula/contracts';
import { sql, type Db } from '@modula/db';

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
