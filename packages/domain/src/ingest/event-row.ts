import { CATALOG, describeEvent, type TAcceptedEvent, type TDenialReason, type TProvenance } from '@modula/contracts';
import { CanonicalText, canonicalJson, sha256Hex } from '../integrity/canonical-json.ts';
import type { TChainRecordV1, TProvenanceFields } from '../integrity/chain.ts';
import { rowHash } from '../integrity/record-text.ts';

/** A row as the worker writes it today: record version 2, with its provenance. */
export type TStoredRow = TChainRecordV1 &
  TProvenanceFields & {
    prevHash: string;
    hash: string;
  };

/** The large JSON members of an event, serialized once for both the content hash and the chain. */
export interface TCanonicalMembers {
  before?: CanonicalText;
  after?: CanonicalText;
  metadata?: CanonicalText;
}

export function canonicalMembersOf(event: TAcceptedEvent): TCanonicalMembers {
  const members: TCanonicalMembers = {};
  for (const key of ['before', 'after', 'metadata'] as const) {
    if (event[key]) members[key] = new CanonicalText(canonicalJson(event[key]));
  }
  return members;
}

/** Identity of an event's content: equal for a resend, different for a conflicting reuse of its id. */
export function contentHashOf(event: TAcceptedEvent, members: TCanonicalMembers = canonicalMembersOf(event)): string {
  return sha256Hex(canonicalJson({ ...event, ...members }));
}

export interface TRowInput {
  event: TAcceptedEvent;
  contentHash: string;
  id: string;
  seq: number;
  prevHash: string;
  receivedAt: string;
  /** Set when the service overrides a claimed SUCCESS (frozen branch or tenant). */
  denial?: TDenialReason;
  /** The event's before/after/metadata already serialized (see canonicalMembersOf). */
  members?: TCanonicalMembers;
  /** Who sent it; null when its job was queued before provenance was kept. */
  provenance: TProvenance | null;
}

/** Builds the row to store and links it into the chain. */
export function buildStoredRow({
  event,
  contentHash,
  id,
  seq,
  prevHash,
  receivedAt,
  denial,
  members = canonicalMembersOf(event),
  provenance,
}: TRowInput): TStoredRow {
  const { actor, entity, context } = event;
  const record: TChainRecordV1 & TProvenanceFields = {
    tenantId: event.tenantId,
    seq,
    id,
    eventId: event.eventId,
    branchId: event.branchId ?? null,
    module: CATALOG[event.action].module,
    action: event.action,
    description: describeEvent(event.action, actor, entity),
    outcome: denial ? 'REJECTED' : event.outcome,
    reason: denial ?? event.reason ?? null,
    claimedOutcome: event.outcome,
    actorType: actor.type,
    actorId: actor.id ?? null,
    actorRole: actor.type === 'USER' ? (actor.role ?? null) : null,
    actorName: actor.name ?? null,
    entityType: entity?.type ?? null,
    entityId: entity?.id ?? null,
    entityLabel: entity?.label ?? null,
    occurredAt: event.occurredAt,
    receivedAt,
    ip: context?.ip ?? null,
    sessionId: context?.sessionId ?? null,
    deviceId: context?.deviceId ?? null,
    deviceSeq: context?.deviceSeq ?? null,
    offline: context?.offline ?? null,
    before: event.before ?? null,
    after: event.after ?? null,
    metadata: event.metadata ?? null,
    redactedPaths: event.redactedPaths,
    contentHash,
    recordVersion: 2,
    credential: provenance?.credential ?? null,
    sourceAddress: provenance?.sourceAddress ?? null,
  };
  // the verifier's one-concatenation text (keys already in RFC 8785 order), not the generic serializer:
  // the same bytes (chain-walk.test.ts), without sorting 33 keys per event
  const hash = rowHash({ ...record, before: members.before ?? null, after: members.after ?? null, metadata: members.metadata ?? null, prevHash });
  return { ...record, prevHash, hash };
}
