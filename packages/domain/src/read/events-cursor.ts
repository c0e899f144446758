import { AppError } from '../app-error.ts';
import { signPayload, verifyPayload } from '../auth/server-keys.ts';

/**
 * A position in one tenant's newest-first list: the last row's (occurredAt, seq), and the chain
 * head when the first page was read, so later pages are a slice of the same set however many
 * events arrive meanwhile. Signed and bound to the tenant: a forged cursor or another tenant's
 * is refused.
 */
export interface TEventsCursor {
  occurredAt: string;
  seq: number;
  snapshotSeq: number;
}

export function encodeCursor(serverSecret: Buffer, tenantId: string, c: TEventsCursor): string {
  return signPayload(serverSecret, 'events-cursor', { t: tenantId, o: c.occurredAt, q: c.seq, s: c.snapshotSeq });
}

export function decodeCursor(serverSecret: Buffer, tenantId: string, cursor: string): TEventsCursor {
  const p = verifyPayload(serverSecret, 'events-cursor', cursor) as { t?: unknown; o?: unknown; q?: unknown; s?: unknown } | undefined;
  if (!p || p.t !== tenantId || typeof p.o !== 'string' || Number.isNaN(Date.parse(p.o)) || !Number.isSafeInteger(p.q) || !Number.isSafeInteger(p.s)) {
    throw new AppError('VALIDATION_FAILED', 'invalid cursor: use the nextCursor of a previous page');
  }
  return { occurredAt: p.o, seq: p.q as number, snapshotSeq: p.s as number };
}
