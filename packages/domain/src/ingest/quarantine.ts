import { LIMITS, ZAcceptedEvent, ZProvenance, type TAcceptedEvent, type TProvenance } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { canonicalJson, sha256Hex } from '../integrity/canonical-json.ts';
import { allTenantIds } from '../integrity/checkpoints.ts';
import { probeRefusal } from './refusal-probe.ts';
import { REFUSED_DETAIL_PREFIX } from './store-isolated.ts';

export interface TQuarantineEntry {
  tenantId: string;
  id: string;
  eventId: string;
  reason: string;
  detail: string;
  receivedAt: string;
  quarantinedAt: string;
  replayedAt: string | null;
}

/**
 * The tenants an operator's command covers: the one named, or all of them. The runtime login sees
 * one tenant at a time (row-level security), so a command over all tenants visits each in turn.
 */
async function tenantsOf(orm: Orm, tenantId: string | undefined): Promise<string[]> {
  return tenantId ? [tenantId] : allTenantIds(orm);
}

/** Operator view, newest first, of one tenant or of all. */
export async function listQuarantine(orm: Orm, opts: { tenantId?: string; includeReplayed?: boolean; limit?: number }): Promise<TQuarantineEntry[]> {
  const limit = opts.limit ?? 100;
  const entries: TQuarantineEntry[] = [];
  for (const tenantId of await tenantsOf(orm, opts.tenantId)) {
    entries.push(...(await withTenant(orm, tenantId, (em) => listOfTenant(dbOf(em), tenantId, opts.includeReplayed ?? false, limit))));
  }
  return entries.sort((a, b) => b.quarantinedAt.localeCompare(a.quarantinedAt)).slice(0, limit);
}

async function listOfTenant(db: Db, tenantId: string, includeReplayed: boolean, limit: number): Promise<TQuarantineEntry[]> {
  const r = await sql<{
    tenant_id: string;
    id: string;
    event_id: string;
    reason: string;
    detail: string;
    received_at: Date;
    quarantined_at: Date;
    replayed_at: Date | null;
  }>`
    select tenant_id, id, event_id, reason, detail, received_at, quarantined_at, replayed_at from quarantined_events
    where tenant_id = ${tenantId} and (${includeReplayed} or replayed_at is null)
    order by quarantined_at desc limit ${limit}`.execute(db);
  return r.rows.map((q) => ({
    tenantId: q.tenant_id,
    id: q.id,
    eventId: q.event_id,
    reason: q.reason,
    detail: q.detail,
    receivedAt: new Date(q.received_at).toISOString(),
    quarantinedAt: new Date(q.quarantined_at).toISOString(),
    replayedAt: q.replayed_at ? new Date(q.replayed_at).toISOString() : null,
  }));
}

/** Queues events as sent by `provenance` (null: unknown, for rows quarantined before provenance was kept). */
export type TEnqueue = (tenantId: string, events: TAcceptedEvent[], receivedAt: string, provenance: TProvenance | null) => Promise<void>;

export interface TReplayResult {
  replayed: number;
  /** Per tenant that had rows to replay or skip: for the record of the replay in its log. */
  byTenant: { tenantId: string; replayed: number; skipped: number }[];
  /** Rows left open, with why: a replay must never send what was not quarantined. */
  skipped: { id: string; tenantId: string; problem: string }[];
}

/** Which open rows a replay sends (all of the tenant's by default). */
export interface TReplayOptions {
  ids?: string[];
  reason?: string;
  /**
   * Also send rows PostgreSQL refused (kept as text with their SQLSTATE), once the operator has
   * fixed the cause (a column too narrow, a mistaken CHECK, a worker bug). Each is first tried in a
   * transaction that is rolled back (refusal-probe.ts): one still refused is skipped and stays open.
   */
  refused?: boolean;
}

/** `stamp`: quarantined_at to the microsecond (a JavaScript Date would round it to the millisecond). */
interface TOpenRow {
  tenant_id: string;
  id: string;
  payload: unknown;
  content_hash: string;
  received_at: Date;
  detail: string;
  stamp: string;
  provenance: TProvenance | null;
}

/**
 * Sends open quarantined events through the worker again. Each payload must still hash to the
 * content hash recorded when it was quarantined (an edited row is refused, not replayed). Events
 * keep their original receivedAt and sender (provenance), travel in jobs of at most a full batch, and a row is marked
 * replayed only after its job is durably queued — and only if it was not quarantined again
 * meanwhile (a fast worker may already have re-opened it). A crash in between replays it twice,
 * which dedupe makes harmless.
 */
export async function replayQuarantine(orm: Orm, enqueue: TEnqueue, opts: TReplayOptions & { tenantId?: string }): Promise<TReplayResult> {
  const result: TReplayResult = { replayed: 0, skipped: [], byTenant: [] };
  for (const tenantId of await tenantsOf(orm, opts.tenantId)) {
    const one = await replayTenant(orm, tenantId, enqueue, opts);
    result.replayed += one.replayed;
    result.skipped.push(...one.skipped);
    if (one.replayed + one.skipped.length > 0) result.byTenant.push({ tenantId, replayed: one.replayed, skipped: one.skipped.length });
  }
  return result;
}

async function replayTenant(orm: Orm, tenantId: string, enqueue: TEnqueue, opts: TReplayOptions): Promise<Omit<TReplayResult, 'byTenant'>> {
  const rows = (
    await withTenant(orm, tenantId, (em) =>
      sql<TOpenRow>`
    select tenant_id, id, payload, content_hash, received_at, detail, provenance,
      to_char(quarantined_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as stamp from quarantined_events
    where replayed_at is null
      and tenant_id = ${tenantId}
      and (${opts.ids ?? null}::uuid[] is null or id = any(${opts.ids ?? null}::uuid[]))
      and (${opts.reason ?? null}::text is null or reason = ${opts.reason ?? null}::text)
    order by received_at, quarantined_at, id`.execute(dbOf(em)),
    )
  ).rows;
  const result: Omit<TReplayResult, 'byTenant'> = { replayed: 0, skipped: [] };
  const groups = new Map<string, { tenantId: string; receivedAt: string; provenance: TProvenance | null; rows: TOpenRow[]; events: TAcceptedEvent[] }>();
  for (const row of rows) {
    const replayable = replayableEvent(row, opts.refused ?? false);
    if ('problem' in replayable) {
      result.skipped.push({ id: row.id, tenantId: row.tenant_id, problem: replayable.problem });
      continue;
    }
    const receivedAt = new Date(row.received_at).toISOString();
    const provenance = ZProvenance.nullable().catch(null).parse(row.provenance);
    // queued, it would be refused again and re-opened by the worker, yet counted and marked replayed here
    const refusal = replayable.refusedBefore ? await probeRefusal(orm, tenantId, replayable.event, receivedAt, provenance) : undefined;
    if (refusal) {
      result.skipped.push({
        id: row.id,
        tenantId: row.tenant_id,
        problem: `PostgreSQL refused it again (SQLSTATE ${refusal.sqlState}): ${refusal.message.slice(0, 200)}; it stays quarantined`,
      });
      continue;
    }
    const key = `${row.tenant_id}|${receivedAt}|${JSON.stringify(provenance)}`;
    const group = groups.get(key) ?? { tenantId: row.tenant_id, receivedAt, provenance, rows: [], events: [] };
    group.rows.push(row);
    group.events.push(replayable.event);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    for (let i = 0; i < group.events.length; i += LIMITS.batchMaxEvents) {
      const chunk = group.rows.slice(i, i + LIMITS.batchMaxEvents);
      await enqueue(group.tenantId, group.events.slice(i, i + LIMITS.batchMaxEvents), group.receivedAt, group.provenance);
      await withTenant(orm, tenantId, (em) => markReplayed(dbOf(em), chunk));
      result.replayed += chunk.length;
    }
  }
  return result;
}

/**
 * The event a quarantined row holds, if this version can store it. A row kept as text (`unstorable`)
 * because a worker could not read the event (e.g. an older worker behind a newer server) is replayed
 * once a worker can read it: its text must still hash as when it was quarantined, and parse as an
 * event of this version. One kept as text because PostgreSQL refused it (a data error: SQLSTATE
 * class 22, 23 or 54) is skipped unless `withRefused`: until the operator fixes the cause, the
 * worker would be refused again and quarantine it again, and the replay would count as replayed
 * what never reached the chain. With it, the event is returned as `refusedBefore`, to be probed.
 */
function replayableEvent(row: TOpenRow, withRefused: boolean): { event: TAcceptedEvent; refusedBefore: boolean } | { problem: string } {
  const payload = row.payload as { unstorable?: unknown; refusedSqlState?: unknown } | null;
  let candidate: unknown = row.payload;
  if (
    payload &&
    typeof payload === 'object' &&
    typeof payload.unstorable === 'string' &&
    Object.keys(payload).every((k) => k === 'unstorable' || k === 'refusedSqlState')
  ) {
    const refused = refusedByPostgres(row, payload.refusedSqlState);
    if (refused && !withRefused) return { problem: refused };
    if (sha256Hex(payload.unstorable) !== row.content_hash)
      return { problem: 'the text kept no longer matches the content hash recorded when it was quarantined: it was altered' };
    try {
      candidate = JSON.parse(payload.unstorable);
    } catch {
      return { problem: 'kept as text that is not JSON; it cannot be replayed' };
    }
    const parsed = ZAcceptedEvent.safeParse(candidate);
    return parsed.success
      ? { event: parsed.data, refusedBefore: refused !== undefined }
      : { problem: `kept as text because it could not be read or stored, and this version cannot read it either: ${parsed.error.issues[0]?.message}` };
  }
  if (sha256Hex(canonicalJson(candidate)) !== row.content_hash)
    return { problem: 'the payload no longer matches the content hash recorded when it was quarantined: it was altered' };
  const parsed = ZAcceptedEvent.safeParse(candidate);
  return parsed.success
    ? { event: parsed.data, refusedBefore: false }
    : { problem: `the payload is not an event this version can store: ${parsed.error.issues[0]?.message}` };
}

/**
 * Why a row kept as text is not replayed (without `refused`) when PostgreSQL refused it: the SQLSTATE kept in its payload
 * (store-isolated.ts unstorableRow), or, for a row written before it was kept or re-opened by such a
 * refusal (the runtime login may update its detail, not its payload), the detail's fixed opening.
 */
function refusedByPostgres(row: TOpenRow, sqlState: unknown): string | undefined {
  if (typeof sqlState !== 'string' && !row.detail.startsWith(REFUSED_DETAIL_PREFIX)) return undefined;
  const code = typeof sqlState === 'string' ? sqlState : /^[^(:]*\(SQLSTATE ([0-9A-Z]{5})\)/.exec(row.detail)?.[1];
  return `PostgreSQL refused to store it${code ? ` (SQLSTATE ${code})` : ''}: a replay would be refused again until its cause (the data, the database or the worker) is fixed; it stays quarantined, and once the cause is fixed, replay it with --refused (${row.detail.slice(0, 200)})`;
}

async function markReplayed(db: Db, rows: TOpenRow[]): Promise<void> {
  await sql`update quarantined_events q set replayed_at = now()
    from unnest(${rows.map((r) => r.tenant_id)}::uuid[], ${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.stamp)}::timestamptz[]) as x(tenant_id, id, quarantined_at)
    where q.tenant_id = x.tenant_id and q.id = x.id and q.quarantined_at = x.quarantined_at and q.replayed_at is null`.execute(db);
}
