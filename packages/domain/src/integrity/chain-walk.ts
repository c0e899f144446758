import { hash as oneShotHash } from 'node:crypto';
import { sql, type Db } from '@modula/db';
import { canonicalJson } from './canonical-json.ts';

/**
 * The hot loop of verification: stored rows of one tenant, in seq order, page by page (keyset on
 * the primary key), each turned into the chain's canonical text by one string concatenation —
 * no intermediate record object, keys already in RFC 8785 order — and hashed.
 * `recordText` must stay byte-identical to canonicalJson(record) (chain-walk.test.ts checks it).
 */

/** A stored row as selected below: columns aliased to the record's keys. */
export interface TWalkRow {
  action: string; actorId: string | null; actorName: string | null; actorRole: string | null; actorType: string;
  after: unknown; before: unknown; branchId: string | null; claimedOutcome: string; contentHash: string;
  description: string; deviceId: string | null; deviceSeq: string | null; entityId: string | null; entityLabel: string | null;
  entityType: string | null; eventId: string; id: string; ip: string | null; metadata: unknown; module: string;
  occurredAt: string; offline: boolean | null; outcome: string; reason: string | null; receivedAt: string;
  redactedPaths: string[]; seq: string; sessionId: string | null; tenantId: string; prevHash: string; hash: string;
  /** 1: stored before provenance was kept (the three keys below are not in its record); 2: with them. */
  recordVersion: number; credential: string | null; sourceAddress: string | null;
}

const str = JSON.stringify;
const optStr = (v: string | null) => (v === null ? 'null' : str(v));
const json = (v: unknown) => (v === null ? 'null' : canonicalJson(v));
/** bigint columns arrive as decimal text, which is already their RFC 8785 form (integers below 2^53). */
const int = (v: string | null) => (v === null ? 'null' : String(Number(v)));
const bool = (v: boolean | null) => (v === null ? 'null' : v ? 'true' : 'false');
/** uuid columns: PostgreSQL prints them in one canonical form that needs no escaping. */
const uuid = (v: string) => `"${v}"`;
const optUuid = (v: string | null) => (v === null ? 'null' : `"${v}"`);

export function recordText(r: TWalkRow): string {
  const v2 = r.recordVersion !== 1;
  return `{"action":${str(r.action)},"actorId":${optStr(r.actorId)},"actorName":${optStr(r.actorName)},"actorRole":${optStr(r.actorRole)}`
    + `,"actorType":${str(r.actorType)},"after":${json(r.after)},"before":${json(r.before)},"branchId":${optUuid(r.branchId)}`
    + `,"claimedOutcome":${str(r.claimedOutcome)},"contentHash":${str(r.contentHash)}${v2 ? `,"credential":${optStr(r.credential)}` : ''}`
    + `,"description":${str(r.description)}`
    + `,"deviceId":${optStr(r.deviceId)},"deviceSeq":${int(r.deviceSeq)},"entityId":${optStr(r.entityId)},"entityLabel":${optStr(r.entityLabel)}`
    + `,"entityType":${optStr(r.entityType)},"eventId":${uuid(r.eventId)},"id":${uuid(r.id)},"ip":${optStr(r.ip)},"metadata":${json(r.metadata)}`
    + `,"module":${str(r.module)},"occurredAt":${str(r.occurredAt)},"offline":${bool(r.offline)},"outcome":${str(r.outcome)}`
    + `,"reason":${optStr(r.reason)},"receivedAt":${str(r.receivedAt)}${v2 ? `,"recordVersion":${r.recordVersion}` : ''}`
    + `,"redactedPaths":${canonicalJson(r.redactedPaths)},"seq":${int(r.seq)},"sessionId":${optStr(r.sessionId)}`
    + `${v2 ? `,"sourceAddress":${optStr(r.sourceAddress)}` : ''},"tenantId":${uuid(r.tenantId)}}`;
}

export function rowHash(r: TWalkRow): string {
  return oneShotHash('sha256', r.prevHash + recordText(r), 'hex');
}

const ts = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
const COLUMNS = sql`action, actor_id as "actorId", actor_name as "actorName", actor_role as "actorRole", actor_type as "actorType",
  after, before, branch_id as "branchId", claimed_outcome as "claimedOutcome", content_hash as "contentHash", description,
  device_id as "deviceId", device_seq as "deviceSeq", entity_id as "entityId", entity_label as "entityLabel",
  entity_type as "entityType", event_id as "eventId", id, ip, metadata, module, ${ts('occurred_at')} as "occurredAt", offline,
  outcome, reason, ${ts('received_at')} as "receivedAt", redacted_paths as "redactedPaths", seq, session_id as "sessionId",
  tenant_id as "tenantId", prev_hash as "prevHash", hash, record_version as "recordVersion", credential,
  source_address as "sourceAddress"`;

export interface TWalkResult {
  /** Rows that linked and hashed correctly, from `fromSeq` on. */
  checked: number;
  /** Hash of the last good row (the `prevHash` given when none). */
  lastHash: string;
  /** The first seq that is missing, out of place, or wrong; null when every row up to `toSeq` is good. */
  brokenSeq: number | null;
  reason: string | null;
}

export interface TWalkOptions {
  fromSeq: number;
  toSeq: number;
  prevHash: string;
  /** Called with each good row's seq and hash, in order (e.g. to grow a Merkle tree). */
  onRow?: (seq: number, hash: string) => void;
  pageSize?: number;
}

/**
 * Walks rows fromSeq..toSeq of the tenant: every seq present once and in order, each prev_hash
 * equal to the hash before it, each hash equal to its recomputation. Stops at the first fault.
 */
export async function walkChain(db: Db, tenantId: string, opts: TWalkOptions): Promise<TWalkResult> {
  const pageSize = opts.pageSize ?? 10_000;
  let expected = opts.fromSeq;
  let prevHash = opts.prevHash;
  const fetchPage = (after: number) => sql<TWalkRow>`select ${COLUMNS} from audit_events
    where tenant_id = ${tenantId} and seq >= ${after} and seq <= ${opts.toSeq} order by seq limit ${pageSize}`.execute(db);
  const fail = (seq: number, reason: string): TWalkResult => ({ checked: seq - opts.fromSeq, lastHash: prevHash, brokenSeq: seq, reason });
  let next = expected <= opts.toSeq ? fetchPage(expected) : null;
  while (next) {
    const page = (await next).rows;
    // the next page is read by PostgreSQL while this one is hashed
    const last = page.at(-1);
    next = page.length === pageSize && last && Number(last.seq) < opts.toSeq ? fetchPage(Number(last.seq) + 1) : null;
    for (const row of page) {
      const seq = Number(row.seq);
      if (seq !== expected) {
        await next?.catch(() => {});
        return fail(expected, seq > expected ? `event ${expected} is missing` : `event ${expected} is out of place`);
      }
      if (row.prevHash !== prevHash) {
        await next?.catch(() => {});
        return fail(expected, `event ${expected} does not link to the hash of event ${expected - 1}`);
      }
      if (rowHash(row) !== row.hash) {
        await next?.catch(() => {});
        return fail(expected, `event ${expected} was altered: its content does not hash to its recorded hash`);
      }
      opts.onRow?.(seq, row.hash);
      prevHash = row.hash;
      expected += 1;
    }
    if (page.length < pageSize) break;
  }
  if (expected <= opts.toSeq) return fail(expected, `event ${expected} is missing`);
  return { checked: expected - opts.fromSeq, lastHash: prevHash, brokenSeq: null, reason: null };
}
