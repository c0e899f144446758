import { hash as oneShotHash } from 'node:crypto';
import { jsonbCanonical, type TOut } from './jsonb-canonical.ts';

/**
 * The chain's record text built straight from the bytes of a binary COPY row, for the verifying
 * threads (walk-range-thread.ts): no row object, no string per column, the text assembled in one
 * reused buffer and hashed there. Must stay byte-identical to recordText (record-text.ts) over the
 * rows AUDIT_EVENT_RECORD_SELECT selects, which stays the readable definition;
 * record-bytes.int.test.ts checks the two against each other on rows stored with every awkward
 * character, date and number.
 *
 * The columns arrive in PostgreSQL's binary forms (no cast or to_char on the server: those cost it
 * a third of its streaming rate), each turned here into what recordText writes for it. SQL NULL is
 * `null` for every type, as in recordText.
 */

/** A column's PostgreSQL type, which fixes both its binary form and its member's form in the record. */
type TKind = 'text' | 'uuid' | 'int8' | 'int2' | 'bool' | 'jsonb' | 'timestamptz' | 'text[]';

interface TRecordMember {
  /** The record key (a property of the audit_events entity). */
  property: string;
  kind: TKind;
  /** Only in records of version 2 and later (provenance). */
  v2: boolean;
}

const member = (property: string, kind: TKind, v2 = false): TRecordMember => ({ property, kind, v2 });

/** The record's members in RFC 8785 key order: the order of recordText's concatenation. */
const MEMBERS: readonly TRecordMember[] = [
  member('action', 'text'),
  member('actorId', 'text'),
  member('actorName', 'text'),
  member('actorRole', 'text'),
  member('actorType', 'text'),
  member('after', 'jsonb'),
  member('before', 'jsonb'),
  member('branchId', 'uuid'),
  member('claimedOutcome', 'text'),
  member('contentHash', 'text'),
  member('credential', 'text', true),
  member('description', 'text'),
  member('deviceId', 'text'),
  member('deviceSeq', 'int8'),
  member('entityId', 'text'),
  member('entityLabel', 'text'),
  member('entityType', 'text'),
  member('eventId', 'uuid'),
  member('id', 'uuid'),
  member('ip', 'text'),
  member('metadata', 'jsonb'),
  member('module', 'text'),
  member('occurredAt', 'timestamptz'),
  member('offline', 'bool'),
  member('outcome', 'text'),
  member('reason', 'text'),
  member('receivedAt', 'timestamptz'),
  member('recordVersion', 'int2', true),
  member('redactedPaths', 'text[]'),
  member('seq', 'int8'),
  member('sessionId', 'text'),
  member('sourceAddress', 'text', true),
  member('tenantId', 'uuid'),
];

/** Selected before the members: what the walk checks besides the record. */
const PREV_HASH = 0;
const HASH = 1;
const SEQ = 2 + MEMBERS.findIndex((m) => m.property === 'seq');
const RECORD_VERSION = 2 + MEMBERS.findIndex((m) => m.property === 'recordVersion');
const CREDENTIAL = 2 + MEMBERS.findIndex((m) => m.property === 'credential');
const SOURCE_ADDRESS = 2 + MEMBERS.findIndex((m) => m.property === 'sourceAddress');
export const RECORD_BYTES_FIELD_COUNT = 2 + MEMBERS.length;

/** A column of audit_events as @modula/db's AUDIT_EVENT_FIELDS describes it (passed in: this file loads without the database layer). */
export interface TColumnOf {
  property: string;
  column: string;
}

/** The columns in the order recordBytes reads them: prev_hash, hash, then one per member. */
export function recordBytesColumns(columns: readonly TColumnOf[]): string[] {
  const byProperty = new Map(columns.map((c) => [c.property, c.column]));
  return ['prevHash', 'hash', ...MEMBERS.map((m) => m.property)].map((property) => {
    const column = byProperty.get(property);
    if (!column) throw new Error(`audit_events has no column for the record key ${property}`);
    return column;
  });
}

/** The PostgreSQL type (udt_name) each of recordBytesColumns must have, in the same order. */
export const RECORD_BYTES_TYPES: readonly string[] = ['text', 'text', ...MEMBERS.map((m) => (m.kind === 'text[]' ? '_text' : m.kind))];

const ascii = (s: string) => Buffer.from(s, 'latin1');
/** `{"action":`, `,"actorId":`, …: the bytes before each member. */
const KEY_PREFIXES = MEMBERS.map((m, i) => ascii(`${i === 0 ? '{' : ','}${JSON.stringify(m.property)}:`));
const NULL = ascii('null');
const NEEDS_ESCAPE = Uint8Array.from({ length: 256 }, (_, b) => (b === 0x22 || b === 0x5c || b < 0x20 ? 1 : 0));
const ESCAPES: Buffer[] = Array.from({ length: 256 }, (_, b) => ascii(NEEDS_ESCAPE[b] ? JSON.stringify(String.fromCharCode(b)).slice(1, -1) : ''));
const HEX = ascii('0123456789abcdef');
/** PostgreSQL counts timestamps in microseconds from 2000-01-01, JavaScript in milliseconds from 1970-01-01. */
const PG_EPOCH_MS = 946_684_800_000;
const DAY_MS = 86_400_000;
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Where each field of one COPY row lies in its buffer; start -1 for NULL. */
export interface TRowFields {
  buf: Buffer;
  start: Int32Array;
  end: Int32Array;
}

/** Builds the record texts of rows, one at a time, in a buffer it reuses. */
export class RecordBytes implements TOut {
  private out = Buffer.allocUnsafe(64 * 1024);
  o = 0;
  /** The last day formatted (`"YYYY-MM-DDT`) and its number: neighbouring rows share it. */
  private day = Number.NaN;
  private dayText = Buffer.alloc(0);

  /** The row's seq. */
  seq(row: TRowFields): number {
    return int64(row.buf, row.start[SEQ]!);
  }

  prevHash(row: TRowFields): string {
    return row.buf.toString('latin1', row.start[PREV_HASH]!, row.end[PREV_HASH]!);
  }

  storedHash(row: TRowFields): string {
    return row.buf.toString('latin1', row.start[HASH]!, row.end[HASH]!);
  }

  /** Whether the row's prev_hash is exactly `hex`, 64 bytes of hex text (the hash of the row before). */
  linksTo(row: TRowFields, hex: Buffer): boolean {
    const s = row.start[PREV_HASH]!;
    const e = row.end[PREV_HASH]!;
    return s >= 0 && e - s === 64 && hex.compare(row.buf, s, e) === 0;
  }

  /**
   * The row's SHA-256 of prevHash ‖ record text (32 bytes) when its recorded hash is that digest in
   * lower-case hex, as hash(row) === storedHash(row) tells; null when it is not. No string is made:
   * this is the verifying threads' per-row check.
   */
  verifiedDigest(row: TRowFields): Buffer | null {
    this.build(row);
    const digest = oneShotHash('sha256', this.out.subarray(0, this.o), 'buffer');
    const { buf } = row;
    const s = row.start[HASH]!;
    if (s < 0 || row.end[HASH]! - s !== 64) return null;
    for (let i = 0; i < 32; i++) {
      const b = digest[i]!;
      if (buf[s + 2 * i] !== HEX[b >> 4] || buf[s + 2 * i + 1] !== HEX[b & 15]) return null;
    }
    return digest;
  }

  /** Copies the row's recorded hash (64 bytes of hex text, as verifiedDigest checked) into `into`. */
  copyStoredHash(row: TRowFields, into: Buffer): void {
    row.buf.copy(into, 0, row.start[HASH]!, row.end[HASH]!);
  }

  /** SHA-256 of prevHash ‖ record text, hex: what rowHash(row) gives for the same stored row. */
  hash(row: TRowFields): string {
    this.build(row);
    return oneShotHash('sha256', this.out.subarray(0, this.o), 'hex');
  }

  private build(row: TRowFields) {
    const { buf, start, end } = row;
    this.o = 0;
    this.raw(buf, start[PREV_HASH]!, end[PREV_HASH]!);
    const rv = start[RECORD_VERSION]!;
    // recordText's rule: every version but 1 carries the provenance members, and so does a version-1
    // row that holds provenance anyway (it then fails its hash)
    const v2 = rv < 0 || buf.readInt16BE(rv) !== 1 || start[CREDENTIAL]! >= 0 || start[SOURCE_ADDRESS]! >= 0;
    for (let i = 0; i < MEMBERS.length; i++) {
      const m = MEMBERS[i]!;
      if (m.v2 && !v2) continue;
      this.raw(KEY_PREFIXES[i]!, 0, KEY_PREFIXES[i]!.length);
      const s = start[i + 2]!;
      const e = end[i + 2]!;
      if (s < 0) this.raw(NULL, 0, 4);
      else if (m.kind === 'text') this.string(buf, s, e);
      else if (m.kind === 'uuid') this.uuid(buf, s);
      else if (m.kind === 'int8') this.integer(int64(buf, s));
      else if (m.kind === 'timestamptz') this.timestamp(buf, s);
      else if (m.kind === 'jsonb') this.jsonb(buf, s, e);
      else if (m.kind === 'text[]') this.array(buf, s);
      else if (m.kind === 'int2') this.integer(buf.readInt16BE(s));
      else this.text(buf[s] ? 'true' : 'false');
    }
    this.ensure(1);
    this.out[this.o++] = 0x7d;
  }

  private ensure(n: number) {
    if (this.o + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.o + n));
    this.out.copy(bigger, 0, 0, this.o);
    this.out = bigger;
  }

  private raw(src: Uint8Array, s: number, e: number) {
    this.ensure(e - s);
    const out = this.out;
    let o = this.o;
    // most fields are a few dozen bytes: a loop beats creating a view to copy from
    if (e - s < 64) for (let i = s; i < e; i++) out[o++] = src[i]!;
    else {
      out.set(src.subarray(s, e), o);
      o += e - s;
    }
    this.o = o;
  }

  room(n: number): Uint8Array {
    this.ensure(n);
    return this.out;
  }

  /** jsonb's binary form: a version byte (1), then its text. */
  private jsonb(src: Buffer, s: number, e: number) {
    if (src[s] !== 1) throw new Error(`jsonb binary version ${src[s]} is not one this verifier reads`);
    jsonbCanonical(src, s + 1, e, this);
  }

  text(t: string) {
    this.ensure(t.length * 3);
    this.o += this.out.write(t, this.o, 'utf8');
  }

  /** A JSON string as JSON.stringify writes it from valid UTF-8: only `"`, `\\` and control characters escaped. */
  private string(src: Uint8Array, s: number, e: number) {
    this.ensure((e - s) * 6 + 2);
    const out = this.out;
    let o = this.o;
    out[o++] = 0x22;
    for (let i = s; i < e; i++) {
      const b = src[i]!;
      if (NEEDS_ESCAPE[b] === 0) out[o++] = b;
      else {
        const escaped = ESCAPES[b]!;
        for (let k = 0; k < escaped.length; k++) out[o++] = escaped[k]!;
      }
    }
    out[o++] = 0x22;
    this.o = o;
  }

  /** 16 bytes as PostgreSQL prints a uuid: lower-case hex, dashes after bytes 4, 6, 8 and 10, quoted. */
  private uuid(src: Uint8Array, s: number) {
    this.ensure(38);
    const out = this.out;
    let o = this.o;
    out[o++] = 0x22;
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out[o++] = 0x2d;
      const b = src[s + i]!;
      out[o++] = HEX[b >> 4]!;
      out[o++] = HEX[b & 15]!;
    }
    out[o++] = 0x22;
    this.o = o;
  }

  /** recordText writes String(Number(decimal text)): the same number, rounded above 2^53 as there. */
  private integer(n: number) {
    this.text(String(n));
  }

  /**
   * What to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') prints, quoted: milliseconds
   * cut (not rounded) from the microseconds, years before 1 AD as their BC number.
   */
  private timestamp(src: Buffer, s: number) {
    const ms = floorMillis(src, s) + PG_EPOCH_MS;
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      const d = new Date(day * DAY_MS);
      const y = d.getUTCFullYear();
      this.dayText = ascii(`"${String(y <= 0 ? 1 - y : y).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T`);
      this.day = day;
    }
    this.raw(this.dayText, 0, this.dayText.length);
    let t = ms - day * DAY_MS;
    const milli = t % 1000;
    t = (t - milli) / 1000;
    const second = t % 60;
    t = (t - second) / 60;
    const minute = t % 60;
    const hour = (t - minute) / 60;
    this.ensure(14);
    const out = this.out;
    let o = this.o;
    out[o++] = 0x30 + Math.floor(hour / 10);
    out[o++] = 0x30 + (hour % 10);
    out[o++] = 0x3a;
    out[o++] = 0x30 + Math.floor(minute / 10);
    out[o++] = 0x30 + (minute % 10);
    out[o++] = 0x3a;
    out[o++] = 0x30 + Math.floor(second / 10);
    out[o++] = 0x30 + (second % 10);
    out[o++] = 0x2e;
    out[o++] = 0x30 + Math.floor(milli / 100);
    out[o++] = 0x30 + (Math.floor(milli / 10) % 10);
    out[o++] = 0x30 + (milli % 10);
    out[o++] = 0x5a;
    out[o++] = 0x22;
    this.o = o;
  }

  /** A text[] in PostgreSQL's binary array form, as the JSON array (nested per dimension) the driver would give. */
  private array(src: Buffer, s: number) {
    const dims = src.readInt32BE(s);
    if (dims === 0) return this.text('[]');
    const sizes: number[] = [];
    for (let d = 0; d < dims; d++) sizes.push(src.readInt32BE(s + 12 + d * 8));
    let p = s + 12 + dims * 8;
    const level = (d: number) => {
      this.text('[');
      for (let k = 0; k < sizes[d]!; k++) {
        if (k > 0) this.text(',');
        if (d + 1 < dims) {
          level(d + 1);
          continue;
        }
        const len = src.readInt32BE(p);
        p += 4;
        if (len < 0) this.raw(NULL, 0, 4);
        else {
          this.string(src, p, p + len);
          p += len;
        }
      }
      this.text(']');
    };
    level(0);
  }
}

/** A timestamp's microseconds (big-endian int64) as whole milliseconds, rounded down, exactly even beyond 2^53 µs (past 2285). */
function floorMillis(src: Buffer, s: number): number {
  const micros = int64(src, s);
  if (Math.abs(micros) <= Number.MAX_SAFE_INTEGER) {
    // % and the division of a multiple of 1000 are exact on doubles; micros / 1000 may round up to the next integer
    const rest = micros % 1000;
    return (micros - rest) / 1000 - (rest < 0 ? 1 : 0);
  }
  const exact = src.readBigInt64BE(s);
  const q = exact / 1000n;
  return Number(exact % 1000n < 0n ? q - 1n : q);
}

/** A big-endian int64 as the nearest double (exact below 2^53), as Number() of its decimal text gives. */
function int64(src: Buffer, s: number): number {
  return src.readInt32BE(s) * 4_294_967_296 + src.readUInt32BE(s + 4);
}

/**
 * Splits PostgreSQL's binary COPY stream into rows of `fields` fields, whatever the chunk
 * boundaries: the 19-byte header, then per row a 16-bit field count and per field a 32-bit length
 * (-1 for NULL) and that many bytes, then -1 as the trailer.
 */
export class BinaryCopyRows {
  private rest: Buffer = Buffer.alloc(0);
  private headerRead = false;
  private readonly row: TRowFields;
  private readonly fields: number;
  done = false;

  // a plain field, not a parameter property: worker threads load this file with Node's own type stripping
  constructor(fields: number) {
    this.fields = fields;
    this.row = { buf: this.rest, start: new Int32Array(fields), end: new Int32Array(fields) };
  }

  /** Calls onRow for every whole row in the data so far; a row cut by the chunk's end waits for the next chunk. */
  push(chunk: Buffer, onRow: (row: TRowFields) => boolean): boolean {
    const buf = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    let p = 0;
    if (!this.headerRead) {
      if (buf.length < 19) {
        this.rest = buf;
        return true;
      }
      if (buf.toString('latin1', 0, 11) !== 'PGCOPY\n\xff\r\n\0') throw new Error('not a binary COPY stream');
      p = 19 + buf.readInt32BE(15);
      this.headerRead = true;
    }
    const row = this.row;
    row.buf = buf;
    while (p + 2 <= buf.length) {
      const count = buf.readInt16BE(p);
      if (count === -1) {
        this.done = true;
        this.rest = Buffer.alloc(0);
        return true;
      }
      if (count !== this.fields) throw new Error(`a COPY row has ${count} fields, not ${this.fields}`);
      let q = p + 2;
      let whole = true;
      for (let f = 0; f < count; f++) {
        if (q + 4 > buf.length) {
          whole = false;
          break;
        }
        const len = buf.readInt32BE(q);
        q += 4;
        if (len < 0) {
          row.start[f] = -1;
          row.end[f] = -1;
          continue;
        }
        if (q + len > buf.length) {
          whole = false;
          break;
        }
        row.start[f] = q;
        row.end[f] = q + len;
        q += len;
      }
      if (!whole) break;
      p = q;
      if (!onRow(row)) {
        this.rest = Buffer.alloc(0);
        return false;
      }
    }
    this.rest = buf.subarray(p);
    return true;
  }
}
