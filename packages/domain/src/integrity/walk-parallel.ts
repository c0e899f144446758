import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AUDIT_EVENT_FIELDS } from '@modula/db';
import type { TWalkOptions, TWalkResult } from './chain-walk.ts';
import { recordBytesColumns } from './record-bytes.ts';
import type { TRangeResult, TRangeTask } from './walk-range-thread.ts';

/** Below this many rows per thread, starting threads costs more than it saves. */
export const MIN_ROWS_PER_THREAD = 50_000;

/** How many threads a walk of `rows` rows uses by default: one per core, each with enough to do. */
export function defaultWalkThreads(rows: number): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(rows / MIN_ROWS_PER_THREAD)));
}

/** The runtime login to read with (each thread opens its own connection) and the role it reads as. */
export interface TWalkConnection {
  url: string;
  role: string;
}

function runRange(task: TRangeTask, started: Worker[]): Promise<TRangeResult> {
  return new Promise((resolve, reject) => {
    // execArgv []: the thread file and what it imports load with Node's own type stripping
    const worker = new Worker(new URL('./walk-range-thread.ts', import.meta.url), { workerData: task, execArgv: [] });
    started.push(worker);
    worker.once('message', (m: { ok: true; result: TRangeResult } | { ok: false; message: string }) => {
      if (m.ok) resolve(m.result);
      else reject(new Error(`verifying events ${task.fromSeq}..${task.toSeq} failed: ${m.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the verifying thread for events ${task.fromSeq}..${task.toSeq} exited with ${code}`));
    });
  });
}

/**
 * At most this many rows per range: a long log is walked in several ranges per thread, `threads`
 * at a time, each range in its own read-only transaction, so none holds back vacuum for a whole walk.
 */
export const MAX_ROWS_PER_RANGE = 1_000_000;

/**
 * walkChain on several cores: fromSeq..toSeq is cut into consecutive ranges of at most
 * `maxRangeRows`, at least one per thread, each walked by a worker thread on its own connection
 * (rows are immutable, so every range reads the same rows whatever its snapshot), `threads` at a
 * time, then joined in order at their boundaries: a range's first row must link to the last hash of
 * the range before it. Same answer as walkChain, fault for fault: the first fault in seq order
 * wins, and `onPiece` sees the good rows in order, in fewer and longer pieces (each thread hashes
 * its part of the Merkle tree itself).
 */
export async function walkChainParallel(
  conn: TWalkConnection,
  tenantId: string,
  opts: TWalkOptions & { threads: number; maxRangeRows?: number },
): Promise<TWalkResult> {
  const total = opts.toSeq - opts.fromSeq + 1;
  const threads = Math.max(1, Math.min(opts.threads, total));
  const count = Math.max(threads, Math.ceil(total / (opts.maxRangeRows ?? MAX_ROWS_PER_RANGE)));
  const size = Math.ceil(total / count);
  const ranges = Array.from({ length: count }, (_, i) => ({
    from: opts.fromSeq + i * size,
    to: Math.min(opts.toSeq, opts.fromSeq + (i + 1) * size - 1),
  })).filter((r) => r.from <= r.to);
  const columns = recordBytesColumns(AUDIT_EVENT_FIELDS);
  const started: Worker[] = [];
  const launched: Promise<TRangeResult>[] = [];
  let stopped = false;
  // a range starts when one before it is done (or when the join needs it), so `threads` run at once
  const resultOf = (i: number): Promise<TRangeResult> => {
    if (!launched[i]) {
      const r = ranges[i]!;
      const cuts = (opts.cuts ?? []).filter((seq) => seq >= r.from && seq <= r.to);
      const task = { url: conn.url, role: conn.role, tenantId, fromSeq: r.from, toSeq: r.to, columns, tree: opts.tree === true, cuts };
      launched[i] = runRange(task, started);
      launched[i]!.then(
        () => {
          const next = launched.length;
          if (!stopped && next < ranges.length) resultOf(next);
        },
        () => {},
      );
    }
    return launched[i]!;
  };
  for (let i = 0; i < Math.min(threads, ranges.length); i++) resultOf(i);
  const stop = async () => {
    stopped = true;
    await Promise.all(started.map((w) => w.terminate()));
  };
  let prevHash = opts.prevHash;
  let checked = 0;
  for (const [i, range] of ranges.entries()) {
    // one range failed (its connection, say): the others' answers are of no use, stop them now
    const result = await resultOf(i).catch(async (err: unknown) => {
      await stop();
      throw err;
    });
    delete launched[i]; // its buffers go once joined
    if (result.firstPrevHash !== null && result.firstPrevHash !== prevHash) {
      await stop();
      return { checked, lastHash: prevHash, brokenSeq: range.from, reason: `event ${range.from} does not link to the hash of event ${range.from - 1}` };
    }
    for (const piece of result.pieces) {
      prevHash = piece.hash;
      opts.onPiece?.(
        piece.endSeq,
        piece.hash,
        piece.blocks.map((b) => ({ start: b.start, size: b.size, root: Buffer.from(b.root) })),
      );
    }
    checked += result.checked;
    if (result.brokenSeq !== null) {
      await stop();
      return { checked, lastHash: prevHash, brokenSeq: result.brokenSeq, reason: result.reason };
    }
  }
  return { checked, lastHash: prevHash, brokenSeq: null, reason: null };
}
