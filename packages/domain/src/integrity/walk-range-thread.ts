/**
 * A worker thread of walk-parallel.ts: walks one seq range of one tenant on its own connection and
 * returns what the join needs — the stored prev_hash of the range's first row, the hashes of the
 * rows that checked out (32 bytes each, in order), and the first fault inside the range. Loaded by
 * Node's own type stripping (no tsx in a worker): it imports only pg and record-text.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { rowHash, type TWalkRow } from './record-text.ts';

export interface TRangeTask {
  url: string;
  role: string;
  tenantId: string;
  fromSeq: number;
  toSeq: number;
  pageSize: number;
  /** AUDIT_EVENT_RECORD_SELECT_LIST, handed over by the parent: this thread does not load the database layer. */
  selectList: string;
}

export interface TRangeResult {
  /** prev_hash stored in the range's first row (null when that row is missing). */
  firstPrevHash: string | null;
  /** The hashes of the good rows from fromSeq on, 32 bytes each. */
  hashes: Uint8Array;
  checked: number;
  brokenSeq: number | null;
  reason: string | null;
}

async function walkRange(task: TRangeTask): Promise<TRangeResult> {
  const client = new pg.Client({ connectionString: task.url });
  await client.connect();
  // its own memory (not Node's shared pool): it is transferred to the parent thread
  const hashes = Buffer.from(new ArrayBuffer((task.toSeq - task.fromSeq + 1) * 32));
  let checked = 0;
  let firstPrevHash: string | null = null;
  let prevHash: string | null = null;
  const fail = (seq: number, reason: string): TRangeResult => ({ firstPrevHash, hashes: hashes.subarray(0, checked * 32), checked, brokenSeq: seq, reason });
  try {
    // read-only, as the runtime role, confined to the tenant by row-level security like every read
    await client.query('begin isolation level repeatable read read only');
    await client.query(`set local role ${pg.escapeIdentifier(task.role)}`);
    await client.query(`select set_config('app.tenant_id', $1, true)`, [task.tenantId]);
    let expected = task.fromSeq;
    const page = (from: number) =>
      client.query<TWalkRow>(
        `select ${task.selectList} from audit_events
      where tenant_id = $1 and seq >= $2 and seq <= $3 order by seq limit $4`,
        [task.tenantId, from, task.toSeq, task.pageSize],
      );
    let next: ReturnType<typeof page> | null = expected <= task.toSeq ? page(expected) : null;
    while (next) {
      const { rows } = await next;
      const last = rows.at(-1);
      // PostgreSQL reads the next page while this one is hashed
      next = rows.length === task.pageSize && last && Number(last.seq) < task.toSeq ? page(Number(last.seq) + 1) : null;
      next?.catch(() => {});
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== expected) return fail(expected, seq > expected ? `event ${expected} is missing` : `event ${expected} is out of place`);
        if (prevHash === null) firstPrevHash = row.prevHash;
        else if (row.prevHash !== prevHash) return fail(expected, `event ${expected} does not link to the hash of event ${expected - 1}`);
        if (rowHash(row) !== row.hash) return fail(expected, `event ${expected} was altered: its content does not hash to its recorded hash`);
        hashes.write(row.hash, checked * 32, 'hex');
        checked += 1;
        prevHash = row.hash;
        expected += 1;
      }
    }
    if (expected <= task.toSeq) return fail(expected, `event ${expected} is missing`);
    return { firstPrevHash, hashes: hashes.subarray(0, checked * 32), checked, brokenSeq: null, reason: null };
  } finally {
    await client.query('rollback').catch(() => {});
    await client.end().catch(() => {});
  }
}

if (parentPort) {
  const port = parentPort;
  walkRange(workerData as TRangeTask).then(
    (result) => port.postMessage({ ok: true, result }, [result.hashes.buffer as ArrayBuffer]),
    (err: Error) => port.postMessage({ ok: false, message: err.message }),
  );
}
