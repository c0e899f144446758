import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_HEADER } from './csv-cells.ts';
import { writeCsvPack } from './csv-writer.ts';
import { HashingFile } from './hashing-file.ts';
import { inlineParameters } from './tenant-copy.ts';

const hex = (i: number) => createHash('sha256').update(String(i)).digest('hex');

/** What COPY … (FORMAT csv) sends for three rows: LF line ends, a quoted cell holding LF, CR LF and quotes. */
function copyOutput(): string {
  return [`1,plain,${hex(1)},${hex(0)}\n`, `2,"multi\nline, ""quoted""\r\nmore",${hex(2)},${hex(1)}\n`, `3,,${hex(3)},${hex(2)}\n`].join('');
}

async function write(chunks: Buffer[]) {
  const path = join(mkdtempSync(join(tmpdir(), 'csv-writer-')), 'pack.csv');
  const file = new HashingFile(path);
  const written = await writeCsvPack(file, Readable.from(chunks));
  const { sha256 } = await file.close();
  return { written, bytes: readFileSync(path), sha256 };
}

describe('writeCsvPack', () => {
  it('ends every record with CRLF, keeps line breaks inside quoted cells, and digests the chain hashes, however the bytes are chunked', async () => {
    const whole = Buffer.from(copyOutput());
    const expected = createHash('sha256')
      .update(Buffer.concat([1, 2, 3].map((i) => Buffer.from(hex(i), 'hex'))))
      .digest('hex');
    const reference = await write([whole]);
    expect(reference.written).toEqual({ rows: 3, rowsDigest: expected });
    const text = reference.bytes.toString('utf8');
    expect(text.startsWith(`\uFEFF${CSV_HEADER.join(',')}\r\n1,plain,`)).toBe(true); // a UTF-8 byte-order mark first (version 2)
    expect(text.split('\r\n')).toHaveLength(5 + 1); // header, 3 records (one holds a CRLF of its own), trailing empty
    const records = parse(reference.bytes, { relax_column_count: true }) as string[][];
    expect(records[2]![1]).toBe('multi\nline, "quoted"\r\nmore');
    for (const size of [1, 7, 64, 129, 130, 200]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < whole.length; at += size) chunks.push(whole.subarray(at, at + size));
      const again = await write(chunks);
      expect(again.written).toEqual(reference.written);
      expect(again.sha256).toBe(reference.sha256);
    }
  });

  it('refuses a record that does not end with two chain hashes', async () => {
    await expect(write([Buffer.from(`1,plain,${hex(1)}\n`)])).rejects.toThrow(/chain hashes/);
  });
});

describe('inlineParameters', () => {
  // pg's escapeLiteral writes a value holding a backslash as ` E'…'` (leading space included)
  it('writes parameters as quoted literals, leaves quoted text alone, and keeps hostile values inert', () => {
    const sql = inlineParameters({
      sql: `select '$1' as a, "x$2" from t where a = $1 and b = any($2::text[]) and c <= $3 and d ilike $4`,
      parameters: ["O'Brien", ['a', 'b\\c'], 42, `%'); drop table t; --%`],
    });
    expect(sql).toBe(
      `select '$1' as a, "x$2" from t where a = 'O''Brien' and b = any(array['a',  E'b\\\\c']::text[]) and c <= 42 and d ilike '%''); drop table t; --%'`,
    );
  });
});
