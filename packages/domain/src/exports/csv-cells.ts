import type { TEventViewRow } from '../read/event-view.ts';

/**
 * OWASP CSV injection: a cell that a spreadsheet would read as a formula (starting with = + - @,
 * a tab or a carriage return) gets a leading single quote, so it is shown as text, never run.
 */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export const CSV_HEADER = ['seq', 'occurredAt', 'receivedAt', 'branchId', 'module', 'action', 'description', 'outcome', 'reason',
  'claimedOutcome', 'actorType', 'actorId', 'actorRole', 'actorName', 'entityType', 'entityId', 'entityLabel', 'ip', 'sessionId',
  'deviceId', 'deviceSeq', 'offline', 'before', 'after', 'metadata', 'redactedPaths', 'eventId', 'id', 'hash', 'prevHash'] as const;

const text = (v: string | null) => (v === null ? '' : neutralizeCell(v));
const json = (v: unknown) => (v === null || v === undefined ? '' : neutralizeCell(JSON.stringify(v)));

/** One CSV record of an event: every text cell neutralised, JSON members as JSON text, nulls empty. */
export function csvRecord(r: TEventViewRow): string[] {
  return [r.seq, r.occurred_at, r.received_at, text(r.branch_id), r.module, r.action, text(r.description), r.outcome, text(r.reason),
    r.claimed_outcome, r.actor_type, text(r.actor_id), text(r.actor_role), text(r.actor_name), text(r.entity_type), text(r.entity_id),
    text(r.entity_label), text(r.ip), text(r.session_id), text(r.device_id), r.device_seq ?? '', r.offline === null ? '' : String(r.offline),
    json(r.before), json(r.after), json(r.metadata), json(r.redacted_paths), r.event_id, r.id, r.hash, r.prev_hash];
}
