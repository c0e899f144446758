import { AUDIT_EVENT_RECORD_SELECT, sql, type Db } from '@modula/db';
import { leafHash, type TBlock } from './merkle.ts';
import { rowHash, type TWalkRow } from './record-text.ts';

export { recordText, rowHash, type TWalkRow } from './record-text.ts';

/**
 * The hot loop of verification: stored rows of one tenant, in seq order, page by page (keyset on
 * the primary key), each turned into the chain's canonical text by one string concatenation —
 * no intermediate record object, keys already in RFC 8785 order (record-text.ts) — and hashed.
 */

export interface TWalkResult {
  /** Rows that linked and hashed correctly, from `fromSeq` on. */
  checked: number;
  /** Hash of the last good row (the `prevHash` given when none). */
  lastHash: string;
  /** The first seq that is missing, out of place, or wrong; null when every row up to `toSeq` is good. */
  brokenSeq: number | null;
  reason: string | null;
}

export interface TWalkOptions {
  fromSeq: number;
  toSeq: number;
  prevHash: string;
  /**
   * Called with the good rows in order, in consecutive pieces: the last seq of a piece and its chain
   * hash, and with `tree`, the piece's part of the Merkle tree as perfect subtrees, left to right
   * (CompactRange#appendBlock). This walk hands over every row as a piece of one leaf; the parallel
   * walk, longer pieces whose subtrees its threads hashed.
   */
  onPiece?: (endSeq: number, hash: string, blocks: TBlock[]) => void;
  /** Also hash the Merkle tree (RFC 6962 leaves are the chain hashes) for onPiece. */
  tree?: boolean;
  /** Seqs where a piece must end (a checkpoint's): the caller sees the chain hash and the tree there. */
  cuts?: readonly number[];
  pageSize?: number;
}

/**
 * Walks rows fromSeq..toSeq of the tenant: every seq present once and in order, each prev_hash
 * equal to the hash before it, each hash equal to its recomputation. Stops at the first fault.
 */
export async function walkChain(db: Db, tenantId: string, opts: TWalkOptions): Promise<TWalkResult> {
  const pageSize = opts.pageSize ?? 10_000;
  let expected = opts.fromSeq;
  let prevHash = opts.prevHash;
  const fetchPage = (after: number) =>
    sql<TWalkRow>`select ${AUDIT_EVENT_RECORD_SELECT} from audit_events
    where tenant_id = ${tenantId} and seq >= ${after} and seq <= ${opts.toSeq} order by seq limit ${pageSize}`.execute(db);
  const fail = (seq: number, reason: string): TWalkResult => ({ checked: seq - opts.fromSeq, lastHash: prevHash, brokenSeq: seq, reason });
  let next = expected <= opts.toSeq ? fetchPage(expected) : null;
  while (next) {
    const page = (await next).rows;
    // the next page is read by PostgreSQL while this one is hashed
    const last = page.at(-1);
    next = page.length === pageSize && last && Number(last.seq) < opts.toSeq ? fetchPage(Number(last.seq) + 1) : null;
    for (const row of page) {
      const seq = Number(row.seq);
      if (seq !== expected) {
        await next?.catch(() => {});
        return fail(expected, seq > expected ? `event ${expected} is missing` : `event ${expected} is out of place`);
      }
      if (row.prevHash !== prevHash) {
        await next?.catch(() => {});
        return fail(expected, `event ${expected} does not link to the hash of event ${expected - 1}`);
      }
      if (rowHash(row) !== row.hash) {
        await next?.catch(() => {});
        return fail(expected, `event ${expected} was altered: its content does not hash to its recorded hash`);
      }
      opts.onPiece?.(seq, row.hash, opts.tree ? [{ start: seq - 1, size: 1, root: leafHash(row.hash) }] : []);
      prevHash = row.hash;
      expected += 1;
    }
    if (page.length < pageSize) break;
  }
  if (expected <= opts.toSeq) return fail(expected, `event ${expected} is missing`);
  return { checked: expected - opts.fromSeq, lastHash: prevHash, brokenSeq: null, reason: null };
}
