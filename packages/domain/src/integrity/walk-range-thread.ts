/**
 * A worker thread of walk-parallel.ts: walks one seq range of one tenant on its own connection and
 * returns what the join needs — the stored prev_hash of the range's first row, the chain hash at
 * each cut and at the last row that checked out, with those rows' part of the Merkle tree as a few
 * perfect subtrees, and the first fault inside the range. Loaded by
 * Node's own type stripping (no tsx in a worker): it imports only pg, pg-copy-streams, record-bytes.ts and merkle.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { BlockStack, leafHash } from './merkle.ts';
import { BinaryCopyRows, RECORD_BYTES_FIELD_COUNT, RECORD_BYTES_TYPES, RecordBytes, type TRowFields } from './record-bytes.ts';

export interface TRangeTask {
  url: string;
  role: string;
  tenantId: string;
  fromSeq: number;
  toSeq: number;
  /** recordBytesColumns(AUDIT_EVENT_FIELDS), handed over by the parent: this thread does not load the database layer. */
  columns: string[];
  /** Also hash the good rows' part of the Merkle tree (RFC 6962), as perfect subtrees the parent appends. */
  tree: boolean;
  /** Seqs in the range where a piece must end: the parent needs the chain hash and the tree there (a checkpoint's seq). */
  cuts: number[];
}

/** Good rows up to endSeq, the hash of the last, and their Merkle subtrees left to right (none without `tree`). */
export interface TRangePiece {
  endSeq: number;
  hash: string;
  blocks: { start: number; size: number; root: Uint8Array }[];
}

export interface TRangeResult {
  /** prev_hash stored in the range's first row (null when that row is missing). */
  firstPrevHash: string | null;
  /** The good rows from fromSeq on, in consecutive pieces: one ends at each cut and one at the last good row. */
  pieces: TRangePiece[];
  checked: number;
  brokenSeq: number | null;
  reason: string | null;
}

async function walkRange(task: TRangeTask): Promise<TRangeResult> {
  const client = new pg.Client({ connectionString: task.url });
  await client.connect();
  let checked = 0;
  let firstPrevHash: string | null = null;
  // the hash of the last good row as its 64 bytes of hex text: compared with the next row's prev_hash without a string
  const prevHex = Buffer.alloc(64);
  let fault: { seq: number; reason: string } | null = null;
  const records = new RecordBytes();
  const rows = new BinaryCopyRows(RECORD_BYTES_FIELD_COUNT);
  const stack = task.tree ? new BlockStack() : null;
  const cuts = new Set(task.cuts);
  const pieces: TRangePiece[] = [];
  const endPiece = () => {
    if (checked > 0 && pieces.at(-1)?.endSeq !== expected - 1)
      pieces.push({ endSeq: expected - 1, hash: prevHex.toString('latin1'), blocks: stack?.take() ?? [] });
  };
  let expected = task.fromSeq;
  // false stops the walk at the first fault
  const check = (row: TRowFields): boolean => {
    const seq = records.seq(row);
    const stop = (reason: string) => {
      fault = { seq: expected, reason };
      return false;
    };
    if (seq !== expected) return stop(seq > expected ? `event ${expected} is missing` : `event ${expected} is out of place`);
    // the range's first row links to the range before it: the parent checks that
    if (checked === 0) firstPrevHash = records.prevHash(row);
    else if (!records.linksTo(row, prevHex)) return stop(`event ${expected} does not link to the hash of event ${expected - 1}`);
    const digest = records.verifiedDigest(row);
    if (!digest) return stop(`event ${expected} was altered: its content does not hash to its recorded hash`);
    // leaf i is the event at seq i + 1
    stack?.push(seq - 1, leafHash(digest));
    records.copyStoredHash(row, prevHex);
    checked += 1;
    expected += 1;
    if (cuts.has(seq)) endPiece();
    return true;
  };
  try {
    // read-only, as the runtime role, confined to the tenant by row-level security like every read
    await client.query('begin isolation level repeatable read read only');
    await client.query(`set local role ${pg.escapeIdentifier(task.role)}`);
    await client.query(`select set_config('app.tenant_id', $1, true)`, [task.tenantId]);
    await assertBinaryForms(client, task.columns);
    // COPY takes no parameters: the tenant id is quoted as a literal and the seqs are integers
    const stream = client.query(
      copyTo(
        `copy (select ${task.columns.join(', ')} from audit_events where tenant_id = ${client.escapeLiteral(task.tenantId)}
        and seq >= ${Math.trunc(task.fromSeq)} and seq <= ${Math.trunc(task.toSeq)} order by seq) to stdout with (format binary)`,
      ),
    );
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!rows.push(chunk, check)) break;
    }
    const result = (f: { seq: number; reason: string } | null): TRangeResult => {
      endPiece();
      return { firstPrevHash, pieces, checked, brokenSeq: f?.seq ?? null, reason: f?.reason ?? null };
    };
    if (fault) return result(fault);
    if (expected <= task.toSeq) return result({ seq: expected, reason: `event ${expected} is missing` });
    return result(null);
  } finally {
    // after a fault the COPY is still running and the connection takes no other statement:
    // closing it ends the read-only transaction as a rollback would
    if (!fault) await client.query('rollback').catch(() => {});
    await client.end().catch(() => {});
  }
}

/**
 * The binary forms recordBytes reads are fixed by each column's type and the database's encoding:
 * a migration that changed either must fail the walk loudly, not report every row as altered.
 */
async function assertBinaryForms(client: pg.Client, columns: string[]) {
  const encoding = (await client.query<{ server_encoding: string }>('show server_encoding')).rows[0]!.server_encoding;
  // binary COPY sends text in the server's encoding, and the record is hashed as UTF-8
  if (encoding !== 'UTF8') throw new Error(`the database encoding is ${encoding}, not UTF8`);
  const { rows } = await client.query<{ column_name: string; udt_name: string }>(
    `select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = 'audit_events'`,
  );
  const types = new Map(rows.map((r) => [r.column_name, r.udt_name]));
  for (const [i, column] of columns.entries()) {
    if (types.get(column) !== RECORD_BYTES_TYPES[i])
      throw new Error(`audit_events.${column} is ${types.get(column)}, the verifier reads it as ${RECORD_BYTES_TYPES[i]}`);
  }
}

if (parentPort) {
  const port = parentPort;
  walkRange(workerData as TRangeTask).then(
    (result) => port.postMessage({ ok: true, result }),
    (err: Error) => port.postMessage({ ok: false, message: err.message }),
  );
}
