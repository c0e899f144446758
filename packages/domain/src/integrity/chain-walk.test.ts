import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TChainRecord } from './chain.ts';
import { chainHash } from './chain.ts';
import { recordText, rowHash, type TWalkRow } from './chain-walk.ts';

const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\u0000'));
const optText = fc.option(text, { nil: null });
const json = fc.option(
  fc.dictionary(text, fc.jsonValue({ maxDepth: 4 })).map((v) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>),
  { nil: null },
);
const iso = fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString());

/** Records of every shape the log can hold: nulls, odd strings (quotes, controls, surrogate pairs, U+2028), numbers of every form. */
const recordV1 = fc.record({
  tenantId: fc.uuid(),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  id: fc.uuid(),
  eventId: fc.uuid(),
  branchId: fc.option(fc.uuid(), { nil: null }),
  module: text,
  action: text,
  description: text,
  outcome: text,
  reason: optText,
  claimedOutcome: text,
  actorType: text,
  actorId: optText,
  actorRole: optText,
  actorName: optText,
  entityType: optText,
  entityId: optText,
  entityLabel: optText,
  occurredAt: iso,
  receivedAt: iso,
  ip: optText,
  sessionId: optText,
  deviceId: optText,
  deviceSeq: fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: null }),
  offline: fc.option(fc.boolean(), { nil: null }),
  before: json,
  after: json,
  metadata: json,
  redactedPaths: fc.array(text, { maxLength: 4 }),
  contentHash: fc.string({ maxLength: 64 }),
});
/** Record version 2 adds who wrote the event; version 1 rows (stored before) hash without those keys. */
const record: fc.Arbitrary<TChainRecord> = fc.oneof(
  recordV1,
  fc.tuple(recordV1, optText, optText).map(([r, credential, sourceAddress]) => ({ ...r, recordVersion: 2 as const, credential, sourceAddress })),
);

/** The record as the walker receives it from PostgreSQL: bigint columns as decimal text. */
function asRow(r: TChainRecord, prevHash: string): TWalkRow {
  const provenance = 'recordVersion' in r ? r : { recordVersion: 1, credential: null, sourceAddress: null };
  return { ...r, ...provenance, seq: String(r.seq), deviceSeq: r.deviceSeq === null ? null : String(r.deviceSeq), prevHash, hash: '' };
}

describe("the verifier's one-concatenation record text", () => {
  it('is byte-identical to RFC 8785 (the canonicalize reference) for varied records', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(recordText(asRow(r, '0'.repeat(64)))).toBe(canonicalize(r));
      }),
      { numRuns: 3000 },
    );
  });

  it('hashes to what the definition (chainHash over the generic canonical JSON) gives', () => {
    fc.assert(
      fc.property(record, fc.stringMatching(/^[0-9a-f]{64}$/), (r, prev) => {
        expect(rowHash(asRow(r, prev))).toBe(chainHash(prev, r));
      }),
      { numRuns: 500 },
    );
  });
});
