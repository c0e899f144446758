import { randomUUID } from 'node:crypto';
import { AUDIT_EVENT_FIELDS, AUDIT_EVENT_RECORD_SELECT_LIST } from '@modula/db';
import fc from 'fast-check';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../packages/domain/src/integrity/canonical-json.ts';
import { jsonbCanonical } from '../../packages/domain/src/integrity/jsonb-canonical.ts';
import { BinaryCopyRows, RECORD_BYTES_FIELD_COUNT, RecordBytes, recordBytesColumns } from '../../packages/domain/src/integrity/record-bytes.ts';
import { rowHash, type TWalkRow } from '../../packages/domain/src/integrity/record-text.ts';
import { connect, createTestDatabase } from '../../testing/database.ts';

/**
 * The verifying threads hash rows from PostgreSQL's binary COPY bytes (record-bytes.ts), the
 * single walk from rows the driver parsed (record-text.ts, the readable definition). Both must
 * give the same hash for any row the table can hold, not only for rows our writer produces: a
 * superuser's forged row must get the same verdict from either. Rows here are stored directly (as
 * the superuser) with the awkward values real devices and attackers send: quotes, backslashes and
 * control characters, every plane of Unicode, microseconds, dates before 1970, 2000 and Christ,
 * integers past 2^53, nested JSON with odd numbers, both record versions and NULL everywhere allowed.
 */
let db: pg.Client;
let tenantId: string;

beforeAll(async () => {
  const database = await createTestDatabase();
  db = await connect(database.superuserUrl);
  tenantId = randomUUID();
  await db.query(`insert into tenants (id, name) values ($1, 'record bytes')`, [tenantId]);
  // no search-table trigger and no chain-head checks: these rows only have to be stored
  await db.query('set session_replication_role = replica');
});
afterAll(async () => {
  await db?.end();
});

const noNul = (s: string) => !s.includes('\u0000');
const text = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', '\u2028', 'é', '€', '😀', 'a', '/'), maxLength: 12 }),
  )
  .filter(noNul);
const optText = fc.option(text, { nil: null });
/** Microseconds from 2000-01-01: 4000 BC to 9999 AD, and often within a few seconds of 2000 and 1970. */
const micros = fc.oneof(
  fc.bigInt({ min: -189_000_000_000_000_000n, max: 252_000_000_000_000_000n }),
  fc.bigInt({ min: -10_000_000n, max: 10_000_000n }),
  fc.bigInt({ min: -946_684_810_000_000n, max: -946_684_790_000_000n }),
);
const json = fc.option(
  fc.dictionary(
    fc.string({ unit: 'binary', maxLength: 8 }).filter(noNul),
    fc.jsonValue({ maxDepth: 3 }).filter((v) => noNul(JSON.stringify(v))),
    { maxKeys: 6 },
  ),
  { nil: null },
);
const row = fc.record({
  recordVersion: fc.constantFrom(1, 2),
  branchId: fc.option(fc.uuid(), { nil: null }),
  text: fc.array(text, { minLength: 7, maxLength: 7 }),
  optText: fc.array(optText, { minLength: 10, maxLength: 10 }),
  occurredAt: micros,
  receivedAt: micros,
  deviceSeq: fc.option(fc.oneof(fc.bigInt({ min: 1n, max: 100n }), fc.bigInt({ min: 2n ** 53n - 2n, max: 2n ** 63n - 1n })), { nil: null }),
  offline: fc.option(fc.boolean(), { nil: null }),
  before: json,
  after: json,
  metadata: json,
  redactedPaths: fc.array(text, { maxLength: 4 }),
  outcome: fc.constantFrom('SUCCESS', 'REJECTED', 'FAILED'),
  actorType: fc.constantFrom('USER', 'SYSTEM'),
});

let nextSeq = 1;
type TRow = typeof row extends fc.Arbitrary<infer T> ? T : never;
async function store(r: TRow): Promise<number> {
  const seq = nextSeq++;
  const [module, action, description, claimedOutcome, contentHash, prevHash, hash] = r.text;
  const [reason, actorId, actorRole, actorName, entityType, entityId, entityLabel, ip, sessionId, deviceId] = r.optText;
  const v2 = r.recordVersion === 2;
  await db.query(
    `insert into audit_events (tenant_id, seq, id, event_id, branch_id, module, action, description, outcome, reason, claimed_outcome,
      actor_type, actor_id, actor_role, actor_name, entity_type, entity_id, entity_label, occurred_at, received_at, ip, session_id,
      device_id, device_seq, offline, before, after, metadata, redacted_paths, content_hash, prev_hash, hash, record_version, credential, source_address)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
      timestamptz '2000-01-01 00:00:00+00' + $19::bigint * interval '1 microsecond',
      timestamptz '2000-01-01 00:00:00+00' + $20::bigint * interval '1 microsecond',
      $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35)`,
    [
      tenantId,
      seq,
      randomUUID().toUpperCase(),
      randomUUID(),
      r.branchId,
      module,
      action,
      description,
      r.outcome,
      reason,
      claimedOutcome,
      r.actorType,
      actorId,
      actorRole,
      actorName,
      entityType,
      entityId,
      entityLabel,
      String(r.occurredAt),
      String(r.receivedAt),
      ip,
      sessionId,
      deviceId,
      r.deviceSeq === null ? null : String(r.deviceSeq),
      r.offline,
      r.before === null ? null : JSON.stringify(r.before),
      r.after === null ? null : JSON.stringify(r.after),
      r.metadata === null ? null : JSON.stringify(r.metadata),
      r.redactedPaths,
      contentHash,
      prevHash,
      hash,
      r.recordVersion,
      v2 ? (actorName ?? 'apikey:1') : null,
      v2 ? ip : null,
    ],
  );
  return seq;
}

/** rowHash over the rows as the single walk selects them. */
async function referenceHashes(from: number, to: number): Promise<string[]> {
  const { rows } = await db.query<TWalkRow>(
    `select ${AUDIT_EVENT_RECORD_SELECT_LIST} from audit_events where tenant_id = $1 and seq between $2 and $3 order by seq`,
    [tenantId, from, to],
  );
  return rows.map((r) => rowHash(r));
}

/** RecordBytes over the same rows as the threads stream them, fed in chunks of `chunk` bytes to cross every boundary. */
async function binaryHashes(from: number, to: number, chunk: number): Promise<string[]> {
  const columns = recordBytesColumns(AUDIT_EVENT_FIELDS).join(', ');
  const stream = db.query(
    copyTo(
      `copy (select ${columns} from audit_events where tenant_id = '${tenantId}' and seq between ${from} and ${to} order by seq) to stdout with (format binary)`,
    ),
  );
  const parts: Buffer[] = [];
  for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
  const all = Buffer.concat(parts);
  const rows = new BinaryCopyRows(RECORD_BYTES_FIELD_COUNT);
  const records = new RecordBytes();
  const hashes: string[] = [];
  for (let p = 0; p < all.length; p += chunk)
    rows.push(all.subarray(p, p + chunk), (r) => {
      const hex = records.hash(r);
      // the threads' check, which makes no string, agrees with comparing the texts
      expect(records.verifiedDigest(r)?.toString('hex') ?? null).toBe(hex === records.storedHash(r) ? hex : null);
      hashes.push(hex);
      return true;
    });
  expect(rows.done).toBe(true);
  return hashes;
}

describe('the binary COPY record and the readable record hash alike', () => {
  it('for 400 rows of awkward values, read whole and in chunks of 1, 7 and 4096 bytes', async () => {
    const from = nextSeq;
    for (const r of fc.sample(row, { numRuns: 400, seed: 20261201 })) await store(r);
    const to = nextSeq - 1;
    const reference = await referenceHashes(from, to);
    expect(reference).toHaveLength(400);
    for (const chunk of [1 << 30, 4096, 7, 1]) expect(await binaryHashes(from, to, chunk)).toEqual(reference);
  });

  it('for the edges: an empty row of NULLs, 1 AD and 1 BC, the last microsecond of a second, 2^53 + 1', async () => {
    const from = nextSeq;
    const edge = fc.sample(row, { numRuns: 1, seed: 1 })[0]!;
    const nulls = {
      ...edge,
      branchId: null,
      optText: Array(10).fill(null),
      deviceSeq: null,
      offline: null,
      before: null,
      after: null,
      metadata: null,
      redactedPaths: [],
    };
    await store(nulls);
    await store({ ...nulls, recordVersion: 1 });
    await store({ ...edge, occurredAt: -63_082_281_600_000_000n, receivedAt: -63_082_281_600_000_001n });
    await store({ ...edge, occurredAt: -1n, receivedAt: 999_999n, deviceSeq: 2n ** 53n + 1n });
    // near 2^53 µs (2285 AD) a double's quotient by 1000 rounds up to the next millisecond
    await store({ ...edge, occurredAt: 2n ** 53n - 1n, receivedAt: 2n ** 53n + 999n });
    await store({ ...edge, occurredAt: 8_999_999_999_999_999n, receivedAt: -(2n ** 53n) - 1n });
    await store({ ...edge, before: { b: 1.5e300, a: -0, é: [1e-7, 0.1, 100] }, after: { '😀': '\u2028', a: { z: null, y: true } } });
    const to = nextSeq - 1;
    expect(await binaryHashes(from, to, 1 << 30)).toEqual(await referenceHashes(from, to));
  });

  it('a version-1 row given provenance (past a dropped CHECK, to pin old events on a key) no longer hashes as before', async () => {
    // a version-1 row's record has no provenance members; a superuser who drops the constraint that
    // keeps them NULL must not be able to add a credential the hash does not cover
    await db.query('alter table audit_events drop constraint audit_events_record_version_check');
    const seq = await store({ ...fc.sample(row, { numRuns: 1, seed: 11 })[0]!, recordVersion: 1 });
    const [v1] = await binaryHashes(seq, seq, 1 << 30);
    expect([v1]).toEqual(await referenceHashes(seq, seq));
    for (const column of ['credential', 'source_address']) {
      await db.query(`update audit_events set ${column} = 'apikey:0193a0b4-0000-7000-8000-0000000000a1' where tenant_id = $1 and seq = $2`, [tenantId, seq]);
      const [pinned] = await binaryHashes(seq, seq, 1 << 30);
      expect(pinned, column).not.toBe(v1);
      expect([pinned]).toEqual(await referenceHashes(seq, seq));
      await db.query(`update audit_events set ${column} = null where tenant_id = $1 and seq = $2`, [tenantId, seq]);
    }
  });

  it('a row changed in any column no longer hashes as before', async () => {
    const seq = await store(fc.sample(row, { numRuns: 1, seed: 7 })[0]!);
    const [before] = await binaryHashes(seq, seq, 1 << 30);
    await db.query(`update audit_events set entity_label = coalesce(entity_label, '') || 'x' where tenant_id = $1 and seq = $2`, [tenantId, seq]);
    const [after] = await binaryHashes(seq, seq, 1 << 30);
    expect(after).not.toBe(before);
    expect([after]).toEqual(await referenceHashes(seq, seq));
  });
});

describe('jsonb text to RFC 8785 without parsing', () => {
  it('gives canonicalJson(JSON.parse(text)) for 3,000 values as PostgreSQL prints them', async () => {
    const asciiKey = fc.string({ unit: fc.constantFrom('a', 'b', 'B', '_', '1', ' ', '!', '~', 'price', 'qty'), maxLength: 6 });
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.letrec((tie) => ({
        v: fc.oneof(
          { depthSize: 'small' },
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.integer(),
          fc.string(),
          fc.boolean(),
          fc.constant(null),
          tie('a'),
          tie('o'),
        ),
        a: fc.array(tie('v'), { maxLength: 4 }),
        o: fc.dictionary(asciiKey, tie('v'), { maxKeys: 6 }),
      })).v,
    );
    const texts = fc
      .sample(value, { numRuns: 3000, seed: 42 })
      .map((v) => JSON.stringify(v))
      .filter((t) => t !== undefined && noNul(t));
    // numeric's scale survives in jsonb (12.50), and so do the forms no JSON.stringify writes
    texts.push(
      '{"price": 12.50, "qty": 3}',
      '[1.0, -0, 0.000001, 1e-7, 123456789012345678, 1E+2]',
      '{"a\\u00e9": 1, "a": {"b": [], "a": {}}}',
      '"x"',
      '5',
      'null',
    );
    const { rows } = await db.query<{ t: string }>('select v::jsonb::text as t from unnest($1::text[]) v', [texts]);
    let fast = 0;
    for (const { t } of rows) {
      const src = Buffer.from(t, 'utf8');
      const out = {
        o: 0,
        buf: Buffer.alloc(src.length * 4 + 64),
        room(n: number) {
          if (this.o + n > this.buf.length) this.buf = Buffer.concat([this.buf, Buffer.alloc(n + this.buf.length)]);
          return this.buf;
        },
        text(x: string) {
          this.room(x.length * 3);
          this.o += this.buf.write(x, this.o);
        },
      };
      jsonbCanonical(src, 0, src.length, out);
      expect(out.buf.toString('utf8', 0, out.o)).toBe(canonicalJson(JSON.parse(t)));
      if (src.every((b) => b < 0x80)) fast++;
    }
    // most of them took the shortcut (no key outside ASCII), so the shortcut is what was compared
    expect(fast).toBeGreaterThan(1000);
  });
});
