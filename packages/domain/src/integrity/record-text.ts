import { hash as oneShotHash } from 'node:crypto';
import type { TAuditEventRecordRow } from '@modula/db';
import { canonicalJson } from './canonical-json.ts';

/**
 * A stored row as the chain hashes it, and its canonical text: what every verifier of stored rows
 * uses (chain-walk, and the worker threads of walk-parallel). Only node:crypto and canonical JSON
 * here (the row's type only from @modula/db), so a worker thread loads it without the database layer.
 * `recordText` must stay byte-identical to canonicalJson(record) (chain-walk.test.ts checks it).
 */

/**
 * A stored row as selected with AUDIT_EVENT_RECORD_SELECT (@modula/db): every column under the
 * record's key. recordVersion 1: stored before provenance was kept (its record lacks recordVersion,
 * credential and sourceAddress); 2: with them.
 */
export type TWalkRow = TAuditEventRecordRow;

const str = JSON.stringify;
const optStr = (v: string | null) => (v === null ? 'null' : str(v));
const json = (v: unknown) => (v === null ? 'null' : canonicalJson(v));
/** bigint columns arrive as decimal text, which is already their RFC 8785 form (integers below 2^53). */
const int = (v: number | string | null) => (v === null ? 'null' : String(Number(v)));
const bool = (v: boolean | null) => (v === null ? 'null' : v ? 'true' : 'false');
/** uuid columns: PostgreSQL prints them in one canonical form that needs no escaping. */
const uuid = (v: string) => `"${v}"`;
const optUuid = (v: string | null) => (v === null ? 'null' : `"${v}"`);

/** What recordText reads: a row's fields but its hash; the JSON members may be objects or CanonicalText already serialized. */
export type TRecordFields = Omit<TWalkRow, 'hash' | 'before' | 'after' | 'metadata'> & Record<'before' | 'after' | 'metadata', unknown>;

export function recordText(r: TRecordFields): string {
  // a version-1 row never held provenance (a CHECK keeps it so); one that does (a superuser's edit
  // past the CHECK, to pin old events on a key) is written with it, so its stored hash fails
  const v2 = r.recordVersion !== 1 || r.credential !== null || r.sourceAddress !== null;
  return (
    `{"action":${str(r.action)},"actorId":${optStr(r.actorId)},"actorName":${optStr(r.actorName)},"actorRole":${optStr(r.actorRole)}` +
    `,"actorType":${str(r.actorType)},"after":${json(r.after)},"before":${json(r.before)},"branchId":${optUuid(r.branchId)}` +
    `,"claimedOutcome":${str(r.claimedOutcome)},"contentHash":${str(r.contentHash)}${v2 ? `,"credential":${optStr(r.credential)}` : ''}` +
    `,"description":${str(r.description)}` +
    `,"deviceId":${optStr(r.deviceId)},"deviceSeq":${int(r.deviceSeq)},"entityId":${optStr(r.entityId)},"entityLabel":${optStr(r.entityLabel)}` +
    `,"entityType":${optStr(r.entityType)},"eventId":${uuid(r.eventId)},"id":${uuid(r.id)},"ip":${optStr(r.ip)},"metadata":${json(r.metadata)}` +
    `,"module":${str(r.module)},"occurredAt":${str(r.occurredAt)},"offline":${bool(r.offline)},"outcome":${str(r.outcome)}` +
    `,"reason":${optStr(r.reason)},"receivedAt":${str(r.receivedAt)}${v2 ? `,"recordVersion":${r.recordVersion}` : ''}` +
    `,"redactedPaths":${canonicalJson(r.redactedPaths)},"seq":${int(r.seq)},"sessionId":${optStr(r.sessionId)}` +
    `${v2 ? `,"sourceAddress":${optStr(r.sourceAddress)}` : ''},"tenantId":${uuid(r.tenantId)}}`
  );
}

export function rowHash(r: TRecordFields): string {
  return oneShotHash('sha256', r.prevHash + recordText(r), 'hex');
}
