import type { TAuditEventRecord } from '@modula/db';
import { canonicalJson, sha256Hex } from './canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * A stored audit event as its hash covers it: one flat object, every column of `audit_events`
 * but `hash` and `prev_hash`, keys in camelCase, a missing value as `null`, timestamps as
 * `YYYY-MM-DDTHH:mm:ss.sssZ`. Rows of record version 1 (stored before provenance was kept) have
 * no `recordVersion`, `credential` or `sourceAddress`. See README "Hash chain" for the exact recipe.
 */
export type TChainRecord = TChainRecordV1 | (TChainRecordV1 & TProvenanceFields);

/** What record version 2 adds: who wrote the event (see ZProvenance). */
export type TProvenanceFields = Pick<TAuditEventRecord, 'credential' | 'sourceAddress'> & { recordVersion: 2 };

/** The record of version 1: derived from the one definition of audit_events (@modula/db), so a column is never re-typed here. */
export type TChainRecordV1 = Omit<TAuditEventRecord, 'prevHash' | 'hash' | keyof TProvenanceFields>;

/**
 * hash = SHA-256 over the UTF-8 bytes of prevHash (64 hex chars) followed by the canonical JSON of
 * the record: the definition, for a record of any shape (a proof bundle's). Stored rows are hashed
 * by record-text.ts's rowHash, the same bytes without the generic serializer (chain-walk.test.ts).
 */
export function chainHash(prevHash: string, record: TChainRecord): string {
  return sha256Hex(prevHash + canonicalJson(record));
}
