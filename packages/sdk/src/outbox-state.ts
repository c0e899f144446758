import type { TAuditEventInput, TIssue } from '@modula/contracts';

/** One event waiting in the outbox for the service's acknowledgement. */
export interface TOutboxEntry {
  event: TAuditEventInput;
  /**
   * Whether the event's content is final. An event recorded before the device clock's offset was
   * known is unsealed: at its first send the SDK corrects its occurredAt if the clock turned out to
   * be off, and seals it (persisted) before the send, so every resend carries identical content.
   */
  sealed: boolean;
}

/** An event the service refused, with its reasons. Kept until the app removes it. */
export interface TDeadLetter {
  event: TAuditEventInput;
  issues: TIssue[];
  /** When the service refused it (ISO, device clock). */
  rejectedAt: string;
}

/**
 * The journal's records, one JSON line each. Replaying them in order rebuilds the outbox;
 * compaction rewrites the journal as the few records that rebuild the same state.
 */
export type TJournalOp =
  /** Who this outbox is and how far its counter went (first line, and the head of a compacted journal). */
  | { t: 'meta'; deviceId: string; lastSeq: number }
  | { t: 'add'; event: TAuditEventInput; sealed: boolean }
  /** Final content of events that were unsealed (corrected occurredAt, metadata.clock). */
  | { t: 'seal'; events: TAuditEventInput[] }
  /** The service acknowledged these events: durably queued. */
  | { t: 'ack'; ids: string[] }
  | { t: 'dead'; items: { eventId: string; issues: TIssue[]; rejectedAt: string; event?: TAuditEventInput }[] }
  /** The app removed these dead letters (`removeDeadLetters`). */
  | { t: 'forget'; ids: string[] };

export interface TOutboxState {
  deviceId: string | null;
  /** The highest deviceSeq ever given out on this device. */
  lastSeq: number;
  /** In recording order (Map keeps insertion order). Both maps are keyed by `idKey(eventId)`. */
  pending: Map<string, TOutboxEntry>;
  deadLetters: Map<string, TDeadLetter>;
}

export function emptyState(): TOutboxState {
  return { deviceId: null, lastSeq: 0, pending: new Map(), deadLetters: new Map() };
}

/**
 * The key of an id in the outbox. Ids are case-insensitive (CONTRACT) and the service answers them
 * in lower case; journals written before `record()` lower-cased its ids may hold upper-case ones,
 * which must still match the service's acknowledgement.
 */
export function idKey(id: string): string {
  return id.toLowerCase();
}

/** Applies one journal record to the state (mutates and returns it). */
export function applyOp(state: TOutboxState, op: TJournalOp): TOutboxState {
  switch (op.t) {
    case 'meta':
      state.deviceId = op.deviceId;
      state.lastSeq = Math.max(state.lastSeq, op.lastSeq);
      break;
    case 'add':
      state.pending.set(idKey(op.event.eventId), { event: op.event, sealed: op.sealed });
      state.lastSeq = Math.max(state.lastSeq, op.event.context?.deviceSeq ?? 0);
      break;
    case 'seal':
      for (const event of op.events) {
        const key = idKey(event.eventId);
        if (state.pending.has(key)) state.pending.set(key, { event, sealed: true });
      }
      break;
    case 'ack':
      for (const id of op.ids) state.pending.delete(idKey(id));
      break;
    case 'dead':
      for (const item of op.items) {
        const key = idKey(item.eventId);
        const event = item.event ?? state.pending.get(key)?.event;
        state.pending.delete(key);
        if (event) state.deadLetters.set(key, { event, issues: item.issues, rejectedAt: item.rejectedAt });
      }
      break;
    case 'forget':
      for (const id of op.ids) state.deadLetters.delete(idKey(id));
      break;
  }
  return state;
}

export function replay(ops: Iterable<TJournalOp>): TOutboxState {
  const state = emptyState();
  for (const op of ops) applyOp(state, op);
  return state;
}

/** The shortest journal that rebuilds `state`: what compaction writes. */
export function snapshotOps(state: TOutboxState): TJournalOp[] {
  const ops: TJournalOp[] = [];
  if (state.deviceId !== null) ops.push({ t: 'meta', deviceId: state.deviceId, lastSeq: state.lastSeq });
  for (const entry of state.pending.values()) ops.push({ t: 'add', event: entry.event, sealed: entry.sealed });
  if (state.deadLetters.size > 0) {
    ops.push({
      t: 'dead',
      items: [...state.deadLetters.values()].map((d) => ({ eventId: d.event.eventId, issues: d.issues, rejectedAt: d.rejectedAt, event: d.event })),
    });
  }
  return ops;
}
