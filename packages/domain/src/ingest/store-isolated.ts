import { ZAcceptedEvent, ZUuid, type TAcceptedEvent, type TIngestJob } from '@modula/contracts';
import { dbOf, withTenant, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { sha256Hex } from '../integrity/canonical-json.ts';
import { normalizeEvent } from './accept.ts';
import { storeBatch, storeJobs, type TStoreOutcome } from './store-batch.ts';
import { insertQuarantine, type TQuarantineRow } from './quarantine-rows.ts';

/** An event of a job that this version cannot read (schema) or that PostgreSQL refused (data error). */
export interface TUnstorable {
  raw: unknown;
  detail: string;
  /** Set when PostgreSQL refused the event: its SQLSTATE. Such a row is replayed only when asked to (quarantine.ts, `refused`). */
  refusedSqlState?: string;
}

/** Reads a job's events one by one: one unreadable event must not fail the others. */
export function readJobEvents(raw: unknown[]): { events: TAcceptedEvent[]; unreadable: TUnstorable[] } {
  const events: TAcceptedEvent[] = [];
  const unreadable: TUnstorable[] = [];
  for (const item of raw) {
    const parsed = ZAcceptedEvent.safeParse(item);
    if (parsed.success) events.push(normalizeEvent(parsed.data));
    else
      unreadable.push({
        raw: item,
        detail: parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
          .join('; '),
      });
  }
  return { events, unreadable };
}

/**
 * SQLSTATE classes that retrying cannot fix because the data itself is refused: 22 (data
 * exception: a value out of range, an invalid escape), 23 (a constraint; not 23505, which the
 * dedupe lock rules out and which is no fault of the event), 54 (a value over a limit).
 */
export function isPermanentDataError(err: unknown): boolean {
  return permanentDataErrorCode(err) !== undefined;
}

/** The SQLSTATE of a permanent data error (see isPermanentDataError), else undefined. */
export function permanentDataErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      return code.startsWith('22') || code.startsWith('54') || (code.startsWith('23') && code !== '23505') ? code : undefined;
    }
  }
  return undefined;
}

/**
 * How the detail of an event PostgreSQL refused begins. Rows written before the SQLSTATE was kept
 * in the payload (and rows re-opened by such a refusal, whose payload the runtime login may not
 * update) are known by it: quarantine.ts reads it with refusedByPostgres.
 */
export const REFUSED_DETAIL_PREFIX = 'PostgreSQL refused it';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Kept whole as JSON text: what could not be stored as a row may not fit a jsonb either (e.g. a NUL). */
function unstorableRow({ tenantId, receivedAt, provenance }: TIngestJob, item: TUnstorable): TQuarantineRow {
  const text = JSON.stringify(item.raw) ?? 'null';
  const rawId = (item.raw as { eventId?: unknown } | null)?.eventId;
  const eventId = ZUuid.safeParse(rawId);
  return {
    tenantId,
    id: uuidv7(),
    eventId: eventId.success ? eventId.data : NIL_UUID,
    reason: 'INVALID_PAYLOAD',
    detail: item.detail.slice(0, 2000),
    contentHash: sha256Hex(text),
    payload: item.refusedSqlState ? { unstorable: text, refusedSqlState: item.refusedSqlState } : { unstorable: text },
    receivedAt,
    provenance: provenance ?? null,
  };
}

async function quarantineUnstorable(orm: Orm, job: TIngestJob, items: TUnstorable[]): Promise<TStoreOutcome['quarantined']> {
  if (items.length === 0) return [];
  const rows = items.map((item) => unstorableRow(job, item));
  await withTenant(orm, job.tenantId, (em) => insertQuarantine(dbOf(em), rows));
  return rows.map((r) => ({ eventId: r.eventId, reason: 'INVALID_PAYLOAD' as const }));
}

function merge(a: TStoreOutcome, b: TStoreOutcome): TStoreOutcome {
  return {
    stored: [...a.stored, ...b.stored],
    duplicates: a.duplicates + b.duplicates,
    quarantined: [...a.quarantined, ...b.quarantined],
    waiting: [...a.waiting, ...b.waiting],
  };
}

/**
 * DESIGN rule 7: stores a job's events, each transaction as in storeBatch. When PostgreSQL refuses
 * the data itself, the batch is halved until the refused events stand alone; they are quarantined
 * as INVALID_PAYLOAD and every other event is stored at once, in its order. Transient faults still
 * throw, so the job is retried whole.
 */
export async function storeIsolated(orm: Orm, job: TIngestJob, unreadable: TUnstorable[], opts: { lastBranchWait: boolean }): Promise<TStoreOutcome> {
  const quarantined = await quarantineUnstorable(orm, job, unreadable);
  const outcome = job.events.length > 0 ? await storeHalving(orm, job, opts) : { stored: [], duplicates: 0, quarantined: [], waiting: [] };
  return { ...outcome, quarantined: [...quarantined, ...outcome.quarantined] };
}

async function storeHalving(orm: Orm, job: TIngestJob, opts: { lastBranchWait: boolean }): Promise<TStoreOutcome> {
  try {
    return await withTenant(orm, job.tenantId, (em) => storeBatch(em, job, opts));
  } catch (err) {
    const sqlState = permanentDataErrorCode(err);
    if (sqlState === undefined) throw err;
    if (job.events.length === 1) {
      const detail = `${REFUSED_DETAIL_PREFIX} (SQLSTATE ${sqlState}): ${(err as Error).message}`;
      const quarantined = await quarantineUnstorable(orm, job, [{ raw: job.events[0], detail, refusedSqlState: sqlState }]);
      return { stored: [], duplicates: 0, quarantined, waiting: [] };
    }
    const half = Math.ceil(job.events.length / 2);
    const first = await storeHalving(orm, { ...job, events: job.events.slice(0, half) }, opts);
    return merge(first, await storeHalving(orm, { ...job, events: job.events.slice(half) }, opts));
  }
}

/** One job of a group: its readable events (in job), what it could not read, and its last-wait flag. */
export interface TGroupMember {
  job: TIngestJob;
  unreadable: TUnstorable[];
  lastBranchWait: boolean;
}

const NOTHING: TStoreOutcome = { stored: [], duplicates: 0, quarantined: [], waiting: [] };

/**
 * storeIsolated for several jobs of one tenant, in their order, in one transaction (storeJobs).
 * When PostgreSQL refuses the data of one of them, the group's transaction rolls back and each job
 * is stored on its own, halving as storeIsolated does, so the refused events stand alone. Transient
 * faults throw: every job of the group is retried.
 */
export async function storeIsolatedGroup(orm: Orm, members: TGroupMember[]): Promise<TStoreOutcome[]> {
  if (members.length === 1) {
    const [m] = members as [TGroupMember];
    return [await storeIsolated(orm, m.job, m.unreadable, { lastBranchWait: m.lastBranchWait })];
  }
  const quarantined: TStoreOutcome['quarantined'][] = [];
  for (const m of members) quarantined.push(await quarantineUnstorable(orm, m.job, m.unreadable));
  const withEvents = members.filter((m) => m.job.events.length > 0);
  let stored: TStoreOutcome[];
  try {
    stored =
      withEvents.length === 0
        ? []
        : await withTenant(orm, members[0]!.job.tenantId, (em) =>
            storeJobs(
              em,
              withEvents.map((m) => ({ job: m.job, lastBranchWait: m.lastBranchWait })),
            ),
          );
  } catch (err) {
    if (!isPermanentDataError(err)) throw err;
    stored = [];
    for (const m of withEvents) stored.push(await storeHalving(orm, m.job, { lastBranchWait: m.lastBranchWait }));
  }
  return members.map((m, k) => {
    const own = m.job.events.length > 0 ? stored[withEvents.indexOf(m)]! : NOTHING;
    return { ...own, quarantined: [...quarantined[k]!, ...own.quarantined] };
  });
}
