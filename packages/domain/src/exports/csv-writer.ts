import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CSV_HEADER, UTF8_BOM } from './csv-cells.ts';
import type { HashingFile } from './hashing-file.ts';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** `,<hash>,<prevHash>` before each record's end: the last two cells are always 64 hex digits. */
const TAIL = 1 + 64 + 1 + 64;

/** Lower-case hex digit → value, -1 for anything else. */
const HEX = Int8Array.from({ length: 256 }, (_, c) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1));

/**
 * Reads the chain hash out of a record's tail `,<64 hex>,<64 hex>` into `into` (32 bytes), without
 * allocating: this runs once per row. False when the tail is not of that form.
 */
function chainHashOf(tail: Buffer, into: Buffer): boolean {
  if (tail.length !== TAIL || tail[0] !== 0x2c || tail[65] !== 0x2c) return false;
  for (let i = 0; i < 32; i++) {
    const hi = HEX[tail[1 + 2 * i]!]!;
    const lo = HEX[tail[2 + 2 * i]!]!;
    if (hi < 0 || lo < 0) return false;
    into[i] = (hi << 4) | lo;
  }
  for (let i = 66; i < TAIL; i++) if (HEX[tail[i]!]! < 0) return false;
  return true;
}

export interface TCsvWritten {
  rows: number;
  /** SHA-256 over the rows' chain hashes (32 bytes each), in order. */
  rowsDigest: string;
}

/**
 * Writes a CSV pack (RFC 4180, UTF-8 with a byte-order mark, CRLF; manifest version 2) from the bytes of `COPY … TO STDOUT (FORMAT csv)`:
 * PostgreSQL quotes the cells; this turns each record's LF into CRLF (an LF inside a quoted cell
 * stays as it is), counts the records and hashes each one's chain hash as it passes. Memory is one
 * chunk of the COPY stream, whatever the size of the log.
 */
export async function writeCsvPack(file: HashingFile, source: Readable): Promise<TCsvWritten> {
  file.push(`${UTF8_BOM}${CSV_HEADER.join(',')}\r\n`);
  const digest = createHash('sha256');
  let rows = 0;
  let quoted = false;
  let carry = Buffer.alloc(0); // the end of the previous chunk, for a record whose tail spans two chunks
  const ends: number[] = [];
  const hash = Buffer.alloc(32);
  let out = Buffer.allocUnsafe(128 * 1024); // reused for every chunk: written out before it is filled again
  for await (const chunk of source as AsyncIterable<Buffer>) {
    ends.length = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === QUOTE) quoted = !quoted;
      else if (b === LF && !quoted) ends.push(i);
    }
    if (out.length < chunk.length + ends.length) out = Buffer.allocUnsafe(2 * (chunk.length + ends.length));
    let from = 0;
    let at = 0;
    for (const end of ends) {
      const tail = end >= TAIL ? chunk.subarray(end - TAIL, end) : Buffer.concat([carry, chunk.subarray(0, end)]).subarray(-TAIL);
      if (!chainHashOf(tail, hash)) throw new Error(`row ${rows + 1} of the export does not end with its chain hashes`);
      digest.update(hash);
      rows += 1;
      at += chunk.copy(out, at, from, end);
      out[at++] = CR;
      out[at++] = LF;
      from = end + 1;
    }
    at += chunk.copy(out, at, from);
    carry = chunk.length >= TAIL ? Buffer.from(chunk.subarray(-TAIL)) : Buffer.concat([carry, chunk]).subarray(-TAIL);
    await file.write(out.subarray(0, at));
  }
  if (quoted) throw new Error('the export ended inside a quoted cell');
  return { rows, rowsDigest: digest.digest('hex') };
}
