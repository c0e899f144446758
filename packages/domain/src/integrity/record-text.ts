import { hash as oneShotHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/**
 * A stored row as the chain hashes it, and its canonical text: what every verifier of stored rows
 * uses (chain-walk, and the worker threads of walk-parallel). Only node:crypto and canonical JSON
 * here, so a worker thread loads it without the database layer.
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

function utc(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The select list that gives a TWalkRow: columns aliased to the record's keys, timestamps as the record writes them. */
export const WALK_SELECT_LIST = `action, actor_id as "actorId", actor_name as "actorName", actor_role as "actorRole", actor_type as "actorType",
  after, before, branch_id as "branchId", claimed_outcome as "claimedOutcome", content_hash as "contentHash", description,
  device_id as "deviceId", device_seq as "deviceSeq", entity_id as "entityId", entity_label as "entityLabel",
  entity_type as "entityType", event_id as "eventId", id, ip, metadata, module, ${utc('occurred_at')} as "occurredAt", offline,
  outcome, reason, ${utc('received_at')} as "receivedAt", redacted_paths as "redactedPaths", seq, session_id as "sessionId",
  tenant_id as "tenantId", prev_hash as "prevHash", hash, record_version as "recordVersion", credential,
  source_address as "sourceAddress"`;

