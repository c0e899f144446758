import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent, provisionBranch, sale } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * A verifier written from the README's recipe alone, sharing no code with the writer: its own
 * RFC 8785 canonical JSON (enough for what the log holds: objects, arrays, strings, finite
 * numbers, booleans, null) and its own mapping from columns to the record.
 */
function jcs(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); // UTF-16 code unit order
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(',')}}`;
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Columns that record version 1 (rows stored before provenance was kept) leaves out of its record. */
const V2_ONLY = ['record_version', 'credential', 'source_address'];

function recompute(row: Record<string, unknown>, prevHash: string): string {
  const record: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column === 'hash' || column === 'prev_hash') continue;
    if (row.record_version === 1 && V2_ONLY.includes(column)) continue;
    record[camel(column)] =
      value instanceof Date ? value.toISOString() : (column === 'seq' || column === 'device_seq') && value !== null ? Number(value) : value;
  }
  return createHash('sha256')
    .update(prevHash + jcs(record), 'utf8')
    .digest('hex');
}

let stack: TestStack;
let tenantId: string;

beforeAll(async () => {
  stack = await startStack();
  ({ tenantId } = await stack.createTenant('Chain'));
  const branchId = '0193a0b4-3333-7000-8000-000000000001';
  const events = [
    provisionBranch(tenantId, branchId),
    sale(tenantId, branchId, new Date().toISOString(), { context: { ip: '203.0.113.9', sessionId: 's-1', deviceId: 'till-1', deviceSeq: 1, offline: true } }),
    makeEvent(tenantId, {
      actor: { type: 'SYSTEM' },
      entity: undefined,
      metadata: { ratio: 0.1, tiny: 1.25e-7, exp: 123456.789, neg: -0, unicode: 'Zürich ☕ \u2028', nested: { b: [1, { z: null, a: true }], a: 'x' } },
    }),
    makeEvent(tenantId, { action: 'LOGIN_FAILED', outcome: 'FAILED', before: null, after: { é: 1, e: 2, E: 3, '\u{1F600}': 4, '\uFB01': 5 } }),
    ...Array.from({ length: 40 }, () => makeEvent(tenantId)),
  ];
  await ingestStored(stack, tenantId, events);
});
afterAll(() => stack.close());

describe('the hash chain, recomputed by code independent of the writer', () => {
  it('links every stored row: seq 1..n without gaps, prev_hash = previous hash, hash = SHA-256(prev_hash ‖ JCS(record))', async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const { rows } = await db.query('select * from audit_events where tenant_id = $1 order by seq', [tenantId]);
      expect(rows).toHaveLength(44);
      let prev = '0'.repeat(64);
      rows.forEach((row, i) => {
        expect(Number(row.seq)).toBe(i + 1);
        expect(row.prev_hash).toBe(prev);
        expect(recompute(row, prev)).toBe(row.hash);
        prev = row.hash;
      });
      const head = (await db.query('select seq, hash from chain_heads where tenant_id = $1', [tenantId])).rows[0];
      expect(head).toEqual({ seq: '44', hash: prev });
    } finally {
      await db.end();
    }
  });

  it("hashes to SHA-256(prev_hash ‖ the record's RFC 8785 text as written out by hand from the README's recipe)", async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const { rows } = await db.query('select * from audit_events where tenant_id = $1 and seq in (3, 4) order by seq', [tenantId]);
      const [numbers, keys] = rows as Record<string, any>[];
      // only what the service generates is taken from the row (ids, times, the template's words, the content hash);
      // the keys, their order, null for what is absent and every number and string form are written here
      const generated = (row: Record<string, any>) => ({
        contentHash: `"${row.content_hash}"`,
        description: JSON.stringify(row.description),
        eventId: `"${row.event_id}"`,
        id: `"${row.id}"`,
        occurredAt: `"${(row.occurred_at as Date).toISOString()}"`,
        receivedAt: `"${(row.received_at as Date).toISOString()}"`,
        tenantId: `"${tenantId}"`,
      });
      const n = generated(numbers!);
      const numbersText =
        '{"action":"POLICY_UPDATED","actorId":null,"actorName":null,"actorRole":null,"actorType":"SYSTEM","after":null,"before":null,' +
        `"branchId":null,"claimedOutcome":"SUCCESS","contentHash":${n.contentHash},"credential":"system","description":${n.description},"deviceId":null,"deviceSeq":null,` +
        `"entityId":null,"entityLabel":null,"entityType":null,"eventId":${n.eventId},"id":${n.id},"ip":null,` +
        '"metadata":{"exp":123456.789,"neg":0,"nested":{"a":"x","b":[1,{"a":true,"z":null}]},"ratio":0.1,"tiny":1.25e-7,"unicode":"Zürich ☕ \u2028"},' +
        `"module":"POLICY","occurredAt":${n.occurredAt},"offline":null,"outcome":"SUCCESS","reason":null,"receivedAt":${n.receivedAt},"recordVersion":2,` +
        `"redactedPaths":[],"seq":3,"sessionId":null,"sourceAddress":null,"tenantId":${n.tenantId}}`;
      const k = generated(keys!);
      // keys sorted by UTF-16 code units: "E" < "e" < "é" < "\u{1F600}" (a surrogate pair, 0xD83D…) < "\uFB01" — code point order would swap the last two
      const keysText =
        '{"action":"LOGIN_FAILED","actorId":"user-1","actorName":"Maria Manager","actorRole":"MANAGER","actorType":"USER",' +
        '"after":{"E":3,"e":2,"é":1,"\u{1F600}":4,"\uFB01":5},"before":null,' +
        `"branchId":null,"claimedOutcome":"FAILED","contentHash":${k.contentHash},"credential":"system","description":${k.description},"deviceId":null,"deviceSeq":null,` +
        `"entityId":"pol-1","entityLabel":"Refund policy","entityType":"POLICY","eventId":${k.eventId},"id":${k.id},"ip":null,"metadata":null,` +
        `"module":"AUTH","occurredAt":${k.occurredAt},"offline":null,"outcome":"FAILED","reason":null,"receivedAt":${k.receivedAt},"recordVersion":2,` +
        `"redactedPaths":[],"seq":4,"sessionId":null,"sourceAddress":null,"tenantId":${k.tenantId}}`;
      const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
      expect(keys!.prev_hash).toBe(numbers!.hash);
      expect(sha256(numbers!.prev_hash + numbersText)).toBe(numbers!.hash);
      expect(sha256(keys!.prev_hash + keysText)).toBe(keys!.hash);
    } finally {
      await db.end();
    }
  });
});
