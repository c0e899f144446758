import type { TAcceptedEvent, TProvenance, TQuarantineReason } from '@modula/contracts';
import { sql, type Db } from '@modula/db';

export interface TQuarantineRow {
  tenantId: string;
  id: string;
  eventId: string;
  reason: TQuarantineReason;
  detail: string;
  contentHash: string;
  /**
   * The event as accepted; or, for one that could not be stored as a row, its JSON text, with the
   * SQLSTATE when PostgreSQL refused it (not when a worker could not read it).
   */
  payload: TAcceptedEvent | { unstorable: string; refusedSqlState?: string };
  receivedAt: string;
  /** Who sent it: given back to the event when it is replayed. */
  provenance: TProvenance | null;
}

/** Quarantined events are kept whole; quarantining the same content again re-opens the row. */
export async function insertQuarantine(db: Db, rows: TQuarantineRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('quarantined_events')
    .values(
      rows.map((r) => ({
        tenant_id: r.tenantId,
        id: r.id,
        event_id: r.eventId,
        reason: r.reason,
        detail: r.detail,
        content_hash: r.contentHash,
        payload: r.payload,
        received_at: new Date(r.receivedAt),
        provenance: r.provenance,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'event_id', 'content_hash']).doUpdateSet((eb) => ({
        reason: eb.ref('excluded.reason'),
        detail: eb.ref('excluded.detail'),
        quarantined_at: sql<Date>`now()`,
        replayed_at: null,
      })),
    )
    .execute();
}
