import { ACTIONS, DENIAL_REASONS, describeAuditEvent, OUTCOMES, type TSentenceEvent } from '@modula/contracts';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSentenceSql } from '../../packages/domain/src/exports/event-sentence-sql.ts';
import { localIsoSql, localTimeFormatter } from '../../packages/domain/src/exports/local-time.ts';
import { connect, createTestDatabase } from '../../testing/database.ts';

/**
 * The CSV pack is written by PostgreSQL (COPY), the viewer and the PDF by JavaScript: the sentence
 * of an event (describeAuditEvent / eventSentenceSql) and its local time (localTimeFormatter /
 * localIsoSql) must come out the same, byte for byte, from both. Both run here, the SQL in a real
 * PostgreSQL.
 */
let db: pg.Client;

beforeAll(async () => {
  db = await connect((await createTestDatabase()).url);
});
afterAll(() => db?.end());

interface TRow {
  action: string;
  outcome: string;
  reason: string | null;
  claimed_outcome: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  entity_type: string | null;
  entity_id: string | null;
  entity_label: string | null;
  ip: string | null;
  metadata: Record<string, unknown> | null;
}

const asEvent = (r: TRow): TSentenceEvent => ({
  action: r.action as TSentenceEvent['action'],
  outcome: r.outcome as TSentenceEvent['outcome'],
  reason: r.reason as TSentenceEvent['reason'],
  claimedOutcome: r.claimed_outcome as TSentenceEvent['claimedOutcome'],
  actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
  entity: r.entity_type === null || r.entity_id === null ? null : { id: r.entity_id, label: r.entity_label },
  context: { ip: r.ip },
  metadata: r.metadata,
});

async function sentencesInPostgres(rows: TRow[]): Promise<string[]> {
  const { rows: out } = await db.query<{ s: string }>(
    `select ${eventSentenceSql()} as s
     from jsonb_to_recordset($1::jsonb) as t(i int, action text, outcome text, reason text, claimed_outcome text, actor_type text, actor_id text,
       actor_name text, entity_type text, entity_id text, entity_label text, ip text, metadata jsonb)
     order by t.i`,
    [JSON.stringify(rows.map((r, i) => ({ i, ...r })))],
  );
  return out.map((r) => r.s);
}

const METADATA: (Record<string, unknown> | null)[] = [
  null,
  {},
  { failure: 'BAD_PASSWORD', channel: 'viewer' },
  { failure: 'LOCKED', attempts: 12, addresses: 3 },
  { failure: 'PAYMENT_DECLINED' },
  { failure: 'Printer offline — paper jam' },
  { failure: `=${'Ł'.repeat(150)}` },
  { failure: 42, attempts: '7' },
  { attempts: 1 },
  { failure: '' },
];
const ACTORS: Pick<TRow, 'actor_type' | 'actor_id' | 'actor_name'>[] = [
  { actor_type: 'USER', actor_id: 'u-1', actor_name: 'Sofia Reyes' },
  { actor_type: 'USER', actor_id: 'u-2', actor_name: null },
  { actor_type: 'SYSTEM', actor_id: null, actor_name: null },
  { actor_type: 'USER', actor_id: null, actor_name: null },
  { actor_type: 'USER', actor_id: 'x', actor_name: "{target} O'Brien" },
];
const ENTITIES: Pick<TRow, 'entity_type' | 'entity_id' | 'entity_label'>[] = [
  { entity_type: 'INVOICE', entity_id: 'b1f0', entity_label: 'INV-23428' },
  { entity_type: 'INVOICE', entity_id: 'b1f0', entity_label: null },
  { entity_type: null, entity_id: null, entity_label: null },
  { entity_type: 'USER', entity_id: 'u-9', entity_label: 'Zoë {actor}' },
];

describe('the sentence of an event: eventSentenceSql in PostgreSQL agrees with describeAuditEvent', () => {
  it('for every action, outcome and reason, across actors, targets, failures, tallies and addresses', async () => {
    const rows: TRow[] = [];
    let k = 0;
    for (const action of ACTIONS)
      for (const outcome of OUTCOMES)
        for (let v = 0; v < 4; v++, k++)
          rows.push({
            action,
            outcome,
            reason: outcome === 'REJECTED' ? DENIAL_REASONS[k % DENIAL_REASONS.length]! : null,
            claimed_outcome: outcome === 'REJECTED' && k % 2 === 0 ? 'SUCCESS' : outcome,
            ...ACTORS[k % ACTORS.length]!,
            ...ENTITIES[(k >> 1) % ENTITIES.length]!,
            ip: k % 3 === 0 ? null : k % 3 === 1 ? '203.0.113.7' : '2001:db8::1',
            metadata: METADATA[k % METADATA.length]!,
          });
    const sofia = { ...ACTORS[0]!, ...ENTITIES[0]!, ip: '203.0.113.7', metadata: null };
    rows.push(
      { ...sofia, action: 'VOID_APPROVED', outcome: 'REJECTED', reason: 'BRANCH_FROZEN', claimed_outcome: 'SUCCESS' },
      { ...sofia, action: 'LOGIN_FAILED', outcome: 'FAILED', reason: null, claimed_outcome: 'FAILED', metadata: METADATA[2]! },
    );
    const got = await sentencesInPostgres(rows);
    const disagreements = rows.map((r, i) => ({ r, sql: got[i], js: describeAuditEvent(asEvent(r)) })).filter((d) => d.sql !== d.js);
    expect(disagreements).toEqual([]);
    // the corpus reaches the cases it is meant to
    expect(got).toContain('Sofia Reyes tried to approve the void of INV-23428 — refused: branch frozen, reported as done by the device');
    expect(got).toContain('Sofia Reyes tried to sign in — failed: wrong password, from 203.0.113.7');
  });

  it('on random names, labels and failures (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            action: fc.constantFrom(...ACTIONS),
            outcome: fc.constantFrom(...OUTCOMES),
            reason: fc.option(fc.constantFrom(...DENIAL_REASONS)),
            claimed_outcome: fc.constantFrom(...OUTCOMES),
            actor_type: fc.constantFrom('USER', 'SYSTEM'),
            actor_id: fc.option(fc.string({ maxLength: 8 })),
            actor_name: fc.option(fc.string({ unit: 'grapheme', maxLength: 8 })),
            entity_type: fc.option(fc.constant('X')),
            entity_id: fc.option(fc.string({ maxLength: 8 })),
            entity_label: fc.option(fc.string({ unit: 'grapheme', maxLength: 8 })),
            ip: fc.option(fc.constantFrom('198.51.100.2', '')),
            metadata: fc.option(
              fc.record({
                failure: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 130 }), fc.constantFrom('BAD_TOTP', 'A_B_1')),
                attempts: fc.integer({ min: -2, max: 30 }),
              }),
            ),
          }),
          { minLength: 1, maxLength: 50 },
        ),
        async (rows) => {
          const storable = rows.filter((r) => !JSON.stringify(r).includes('\\u0000'));
          const got = await sentencesInPostgres(storable);
          storable.forEach((r, i) => expect(got[i], JSON.stringify(r)).toBe(describeAuditEvent(asEvent(r))));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('local time with offset: localIsoSql in PostgreSQL agrees with localTimeFormatter', () => {
  const ZONES = ['UTC', 'Europe/Madrid', 'America/St_Johns', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/Los_Angeles', 'Europe/Warsaw'];
  /** Instants around 2026's transitions of each zone, and spread over 2000–2035. */
  const instants = [
    ...Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2000, 0, 1) + i * 3_700_123_457).toISOString()),
    ...['2026-03-29T00:59:59.999Z', '2026-03-29T01:00:00.000Z', '2026-10-25T00:59:59.999Z', '2026-10-25T01:00:00.000Z'],
    ...['2026-03-08T09:59:59.999Z', '2026-03-08T10:00:00.000Z', '2026-11-01T08:59:59.999Z', '2026-11-01T09:00:00.000Z'],
    ...['2026-04-04T14:59:59.999Z', '2026-04-04T15:00:00.000Z', '2026-10-03T15:29:59.999Z', '2026-10-03T15:30:00.000Z'],
    ...['2026-03-08T05:29:59.999Z', '2026-03-08T05:30:00.000Z', '2026-11-01T04:29:59.999Z', '2026-11-01T04:30:00.000Z'],
  ];

  it.each(ZONES)('in %s, at DST transitions and across 35 years', async (zone) => {
    const { rows } = await db.query<{ s: string }>(
      `select ${localIsoSql('t.at', zone)} as s from unnest($1::timestamptz[]) with ordinality as t(at, n) order by t.n`,
      [instants],
    );
    const local = localTimeFormatter(zone);
    const disagreements = instants.map((at, i) => ({ at, sql: rows[i]!.s, js: local(at) })).filter((d) => d.sql !== d.js);
    expect(disagreements).toEqual([]);
  });

  it('writes what the spec says: the same instant, as local wall time with its offset', () => {
    expect(localTimeFormatter('Europe/Madrid')('2026-11-22T10:15:00.000Z')).toBe('2026-11-22T11:15:00.000+01:00');
    expect(localTimeFormatter('America/St_Johns')('2026-07-01T12:00:00.250Z')).toBe('2026-07-01T09:30:00.250-02:30');
    expect(localTimeFormatter('UTC')('2026-07-01T12:00:00.000Z')).toBe('2026-07-01T12:00:00.000+00:00');
  });
});
