import { canonicalJson, sha256Hex, type CanonicalText } from './canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * A stored audit event as its hash covers it: one flat object, every column of `audit_events`
 * but `hash` and `prev_hash`, keys in camelCase, a missing value as `null`, timestamps as
 * `YYYY-MM-DDTHH:mm:ss.sssZ`. Rows of record version 1 (stored before provenance was kept) have
 * no `recordVersion`, `credential` or `sourceAddress`. See README "Hash chain" for the exact recipe.
 */
export type TChainRecord = TChainRecordV1 | (TChainRecordV1 & TProvenanceFields);

/** What record version 2 adds: who wrote the event (see ZProvenance). */
export interface TProvenanceFields {
  recordVersion: 2;
  credential: string | null;
  sourceAddress: string | null;
}

export interface TChainRecordV1 {
  tenantId: string;
  seq: number;
  id: string;
  eventId: string;
  branchId: string | null;
  module: string;
  action: string;
  description: string;
  outcome: string;
  reason: string | null;
  claimedOutcome: string;
  actorType: string;
  actorId: string | null;
  actorRole: string | null;
  actorName: string | null;
  entityType: string | null;
  entityId: string | null;
  entityLabel: string | null;
  occurredAt: string;
  receivedAt: string;
  ip: string | null;
  sessionId: string | null;
  deviceId: string | null;
  deviceSeq: number | null;
  offline: boolean | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  redactedPaths: string[];
  contentHash: string;
}

/** A record whose large JSON members are already canonical text (serialized once per event). */
export type THashableRecord = Omit<TChainRecordV1, 'before' | 'after' | 'metadata'> & Partial<TProvenanceFields> & Record<'before' | 'after' | 'metadata', CanonicalText | null>;

/** hash = SHA-256 over the UTF-8 bytes of prevHash (64 hex chars) followed by the canonical JSON of the record. */
export function chainHash(prevHash: string, record: TChainRecord | THashableRecord): string {
  return sha256Hex(prevHash + canonicalJson(record));
}
