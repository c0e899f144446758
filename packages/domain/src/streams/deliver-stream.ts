import type { TAuditEventView, TStreamTarget, TStreamTestOutput } from '@modula/contracts';
import { dbOf, sql, withNoTenant, withTenant, type Orm } from '@modula/db';
import { randomUUID } from 'node:crypto';
import { AppError } from '../app-error.ts';
import { EVENT_VIEW_COLUMNS, toEventView, type TEventViewRow } from '../read/event-view.ts';
import { storableErrorText } from './error-text.ts';
import { DeliveryError, sendBatch, type TSendBatch, type TSendableDestination } from './stream-senders.ts';
import { resealStoredUrls } from './stream-destinations.ts';
import { openStreamSecret, type TStreamSettings } from './stream-settings.ts';
import { sendableTarget, shownTarget } from './stream-urls.ts';

export type TDeliveryOutcome = 'caught-up' | 'failed' | 'paused' | 'busy' | 'budget';

export interface TDeliveryResult {
  outcome: TDeliveryOutcome;
  delivered: number;
  batches: number;
  cursorSeq?: number;
  error?: string;
}

/** The destination that paused itself, for the STREAM_PAUSED_BY_FAILURES event. */
export interface TPausedStream {
  tenantId: string;
  id: string;
  name: string;
  kind: TStreamTarget['kind'];
  failures: number;
  lastError: string;
}

export interface TDeliverOptions {
  /** Stop after this long (the rest is the next job's): one destination never holds a worker slot for ever. */
  budgetMs: number;
  /**
   * Records the pause in the tenant's log. Called inside the transaction that pauses: when it
   * throws, the destination is not paused and the failure is not counted (the next attempt retries).
   */
  onPaused: (paused: TPausedStream) => Promise<void>;
}

/** How long a delivery loop holds its destination: renewed at every batch, longer than one send can take. */
export function leaseMs(s: Pick<TStreamSettings, 'timeoutMs'>): number {
  return s.timeoutMs * 2 + 5000;
}

/** Full-jitter exponential backoff: the n-th failure in a row waits up to base·2^(n-1), capped. */
export function streamBackoffMs(failures: number, s: Pick<TStreamSettings, 'backoffMs' | 'backoffMaxMs'>, random = Math.random): number {
  const ceiling = Math.min(s.backoffMaxMs, s.backoffMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Active destinations, of every tenant, with events to deliver and not waiting nor held, least recently served first: ids only. */
export async function dueStreams(orm: Orm, limit: number): Promise<{ tenantId: string; id: string }[]> {
  const { rows } = await withNoTenant(orm, (em) =>
    sql<{ tenant_id: string; id: string }>`select tenant_id, id from stream_destinations_due(${limit}::int)`.execute(dbOf(em)),
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
}

type TClaimed = { name: string; settings: unknown; secret_sealed: string | null; cursor_seq: string; consecutive_failures: number };

/** Takes the destination's lease (one delivery loop per destination at a time, whatever the process). */
async function claim(orm: Orm, s: TStreamSettings, tenantId: string, id: string, token: string): Promise<TClaimed | undefined> {
  return withTenant(orm, tenantId, async (em) => {
    const { rows } = await sql<TClaimed>`update stream_destinations
        set lease_token = ${token}::uuid, lease_until = now() + ${leaseMs(s)} * interval '1 millisecond'
      where tenant_id = ${tenantId} and id = ${id}::uuid and status = 'ACTIVE'
        and (lease_until is null or lease_until < now()) and (next_attempt_at is null or next_attempt_at <= now())
      returning name, settings, secret_sealed, cursor_seq, consecutive_failures`.execute(dbOf(em));
    // a credential URL an earlier version stored in clear is sealed by its first delivery (lazy reseal)
    if (rows[0]) await resealStoredUrls(dbOf(em), s, tenantId, [{ id, settings: rows[0].settings }]);
    return rows[0];
  });
}

async function release(orm: Orm, tenantId: string, id: string, token: string): Promise<void> {
  await withTenant(orm, tenantId, (em) =>
    sql`update stream_destinations set lease_token = null, lease_until = null
      where tenant_id = ${tenantId} and id = ${id}::uuid and lease_token = ${token}::uuid`.execute(dbOf(em)),
  );
}

/** The next batch after `cursor`, in seq order, at most batchMax events and batchMaxBytes of JSON (at least one event). */
async function readBatch(orm: Orm, s: TStreamSettings, tenantId: string, cursor: number): Promise<TAuditEventView[]> {
  const rows = await withTenant(
    orm,
    tenantId,
    async (em) =>
      (
        await sql<TEventViewRow>`select ${EVENT_VIEW_COLUMNS} from audit_events
          where tenant_id = ${tenantId} and seq > ${cursor} order by seq limit ${s.batchMax}`.execute(dbOf(em))
      ).rows,
  );
  const events: TAuditEventView[] = [];
  let bytes = 0;
  for (const row of rows) {
    const view = toEventView(row);
    bytes += JSON.stringify(view).length;
    if (events.length > 0 && bytes > s.batchMaxBytes) break;
    events.push(view);
  }
  return events;
}

/**
 * One destination's delivery loop: takes its lease, then sends batch after batch from its cursor,
 * advancing the cursor in PostgreSQL after each batch the receiver took (at least once: a crash
 * between the receiver's answer and the cursor's update sends that batch again). A failure counts,
 * sets the next attempt (backoff) and ends the loop; the Nth failure in a row pauses the destination.
 */
export async function deliverStream(orm: Orm, s: TStreamSettings, tenantId: string, id: string, opts: TDeliverOptions): Promise<TDeliveryResult> {
  const token = randomUUID();
  const claimed = await claim(orm, s, tenantId, id, token);
  if (!claimed) return { outcome: 'busy', delivered: 0, batches: 0 };
  const started = Date.now();
  let cursor = Number(claimed.cursor_seq);
  let delivered = 0;
  let batches = 0;
  try {
    // what a failure names: never a sealed URL opened
    const target = shownTarget(claimed.settings);
    let destination: TSendableDestination;
    try {
      destination = {
        tenantId,
        id,
        target: sendableTarget(s, claimed.settings),
        secret: claimed.secret_sealed ? openStreamSecret(s, claimed.secret_sealed) : null,
      };
    } catch {
      // sealed under another server secret (a worker started without the shared SERVER_SECRET):
      // a failure the Admin sees and that pauses the stream, not a silent stall
      const message = 'the stored credential or URL cannot be opened: this worker has another SERVER_SECRET than the server that sealed it';
      const paused = await recordFailure(orm, s, { tenantId, id, target, secret: null }, claimed.name, token, message, opts);
      return { outcome: paused ? 'paused' : 'failed', delivered, batches, cursorSeq: cursor, error: message };
    }
    for (;;) {
      const events = await readBatch(orm, s, tenantId, cursor);
      const last = events.at(-1);
      if (!last) return { outcome: 'caught-up', delivered, batches, cursorSeq: cursor };
      const batch: TSendBatch = { firstSeq: events[0]!.seq, lastSeq: last.seq, events };
      try {
        await sendBatch(destination, batch, s);
      } catch (err) {
        const message = err instanceof DeliveryError ? err.message : `delivery failed: ${(err as Error).message}`;
        const paused = await recordFailure(orm, s, destination, claimed.name, token, message, opts);
        return { outcome: paused ? 'paused' : 'failed', delivered, batches, cursorSeq: cursor, error: message };
      }
      const advanced = await withTenant(orm, tenantId, async (em) => {
        const { rows } = await sql`update stream_destinations set cursor_seq = ${last.seq}, consecutive_failures = 0, next_attempt_at = null,
            last_delivery_at = now(), last_delivered_received_at = ${last.receivedAt}::timestamptz,
            lease_until = now() + ${leaseMs(s)} * interval '1 millisecond'
          where tenant_id = ${tenantId} and id = ${id}::uuid and lease_token = ${token}::uuid and status = 'ACTIVE' returning id`.execute(dbOf(em));
        return rows.length === 1;
      });
      // the lease was lost (this loop outlived it) or an Admin paused or deleted it meanwhile: stop here
      if (!advanced) return { outcome: 'busy', delivered, batches, cursorSeq: cursor };
      cursor = last.seq;
      delivered += events.length;
      batches += 1;
      if (Date.now() - started > opts.budgetMs) return { outcome: 'budget', delivered, batches, cursorSeq: cursor };
    }
  } finally {
    await release(orm, tenantId, id, token);
  }
}

/** Counts a failure and sets the next attempt; the Nth in a row pauses the destination (once: only an ACTIVE one). */
async function recordFailure(
  orm: Orm,
  s: TStreamSettings,
  d: TSendableDestination,
  name: string,
  token: string,
  message: string,
  opts: TDeliverOptions,
): Promise<boolean> {
  const lastError = storableErrorText(message, 1000);
  return withTenant(orm, d.tenantId, async (em) => {
    const db = dbOf(em);
    const { rows } = await sql<{ consecutive_failures: number }>`update stream_destinations
        set consecutive_failures = consecutive_failures + 1, last_error = ${lastError}, last_error_at = now()
      where tenant_id = ${d.tenantId} and id = ${d.id}::uuid and lease_token = ${token}::uuid and status = 'ACTIVE'
      returning consecutive_failures`.execute(db);
    const failures = rows[0]?.consecutive_failures;
    if (failures === undefined) return false;
    if (failures < s.pauseAfterFailures) {
      await sql`update stream_destinations set next_attempt_at = now() + ${streamBackoffMs(failures, s)} * interval '1 millisecond'
        where tenant_id = ${d.tenantId} and id = ${d.id}::uuid`.execute(db);
      return false;
    }
    await sql`update stream_destinations set status = 'PAUSED', paused_reason = 'FAILURES', next_attempt_at = null, updated_at = now()
      where tenant_id = ${d.tenantId} and id = ${d.id}::uuid`.execute(db);
    await opts.onPaused({ tenantId: d.tenantId, id: d.id, name, kind: d.target.kind, failures, lastError });
    return true;
  });
}

/** streams.test: one marked test delivery (no event of the log), its answer or error; nothing about the destination changes. */
export async function testStream(orm: Orm, s: TStreamSettings, tenantId: string, id: string): Promise<TStreamTestOutput> {
  const row = await withTenant(
    orm,
    tenantId,
    async (em) =>
      (
        await sql<{ settings: unknown; secret_sealed: string | null }>`select settings, secret_sealed from stream_destinations
          where tenant_id = ${tenantId} and id = ${id}::uuid`.execute(dbOf(em))
      ).rows[0],
  );
  if (!row) throw new AppError('NOT_FOUND', `no log stream ${id}`);
  const destination: TSendableDestination = {
    tenantId,
    id,
    target: sendableTarget(s, row.settings),
    secret: row.secret_sealed ? openStreamSecret(s, row.secret_sealed) : null,
  };
  const started = performance.now();
  try {
    const status = await sendBatch(destination, { firstSeq: 0, lastSeq: 0, events: [], test: true }, s);
    return { ok: true, status, error: null, ms: Math.round(performance.now() - started) };
  } catch (err) {
    const status = err instanceof DeliveryError ? err.status : null;
    const message = err instanceof DeliveryError ? err.message : (err as Error).message;
    return { ok: false, status, error: message, ms: Math.round(performance.now() - started) };
  }
}
