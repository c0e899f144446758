import type { TCheckpoint } from '@modula/contracts';
import { GENESIS_HASH } from './chain.ts';
import { CompactRange, EMPTY_ROOT, type TBlock } from './merkle.ts';

/** Where the walked chain first contradicts a signed checkpoint. */
export interface TCheckpointMismatch {
  /** The seq the checkpoint signs. */
  seq: number;
  /** The first event that may have been rewritten; null when the checkpoint itself names no event (seq 0). */
  firstBrokenSeq: number | null;
  reason: string;
}

/**
 * Compares a tenant's signed checkpoints with its chain while the chain is walked from seq 1: each
 * checkpoint, oldest first, as soon as the walk reaches its seq — the chain hash at that seq and the
 * Merkle root over events 1..seq. A checkpoint at seq 0 (signed while the log was still empty, the
 * usual first one) is compared before the first event: the genesis hash and the empty tree.
 *
 * No checkpoint is skipped: the cursor moves past every checkpoint whose seq the walk has reached,
 * and one it reaches without standing on its seq is a mismatch, not an omission — a cursor that
 * waits for an exact seq stalls forever on one it never sees, and with it every later checkpoint.
 */
export class CheckpointMatcher {
  private next = 0;
  private agreedUpTo = 0;
  private readonly tree: CompactRange | null;
  mismatch: TCheckpointMismatch | null = null;

  /** `checkpoints` sorted by seq; `merkle` also recomputes each one's Merkle root. */
  constructor(
    private readonly checkpoints: readonly TCheckpoint[],
    opts: { merkle: boolean; start?: { seq: number; hash: string; frontier: Buffer[] } },
  ) {
    // a chain whose prefix expired starts at its anchor: the tree from the anchor's frontier
    const start = opts.start;
    this.tree = opts.merkle && checkpoints.length > 0 ? (start ? new CompactRange(start.seq, start.frontier) : new CompactRange()) : null;
    this.agreedUpTo = start?.seq ?? 0;
    this.reach(start?.seq ?? 0, start?.hash ?? GENESIS_HASH);
  }

  /** Whether pass() grows a Merkle tree (then the walk may hand it each row's leaf hash). */
  get growsTree(): boolean {
    return this.tree !== null;
  }

  /** How many checkpoints were compared (the one that disagreed included). */
  get checked(): number {
    return this.next;
  }

  /** The checkpoint the walk has not reached yet, if any. */
  get pending(): TCheckpoint | undefined {
    return this.checkpoints[this.next];
  }

  /** The seqs where the walk must hand over a piece: those of the checkpoints it compares. */
  get cuts(): number[] {
    return this.checkpoints.slice(this.next).map((c) => c.seq);
  }

  /**
   * The walk verified the events up to `seq` (pieces in order from the first), the last of them with
   * chain hash `hash`; `blocks` is their part of the Merkle tree when the walk hashed it.
   */
  pass(seq: number, hash: string, blocks: readonly TBlock[]): void {
    // past the last checkpoint (or a mismatch) nothing is left to compare: the tree need not grow
    if (this.mismatch !== null || this.next === this.checkpoints.length) return;
    if (this.tree) {
      for (const b of blocks) this.tree.appendBlock(b.root, b.size);
      // a walk that hashed no tree (it was not asked for one) hands over no blocks
      if (this.tree.size !== seq) throw new Error(`the Merkle tree holds ${this.tree.size} leaves at event ${seq}`);
    }
    this.reach(seq, hash);
  }

  private reach(seq: number, hash: string): void {
    while (this.mismatch === null && this.next < this.checkpoints.length && this.checkpoints[this.next]!.seq <= seq) {
      this.mismatch = this.compare(this.checkpoints[this.next]!, seq, hash);
      this.next += 1;
    }
  }

  private compare(c: TCheckpoint, seq: number, hash: string): TCheckpointMismatch | null {
    const signed = `the checkpoint of ${c.createdAt}`;
    if (c.seq !== seq) return { seq: c.seq, firstBrokenSeq: null, reason: `${signed} signs seq ${c.seq}, which is no position of the chain` };
    if (seq === 0) return this.compareEmpty(c, hash, signed);
    if (c.hash !== hash) {
      // the rows link and hash, yet differ from what was signed: rewritten after the last checkpoint that agreed
      const from = this.agreedUpTo + 1;
      return {
        seq,
        firstBrokenSeq: from,
        reason: `the chain hash of event ${seq} differs from the one signed in ${signed}: events ${from}..${seq} were rewritten`,
      };
    }
    if (this.tree && this.tree.root().toString('hex') !== c.merkleRoot) {
      // the root spans every event from 1: which of them differs cannot be told from it
      return {
        seq,
        firstBrokenSeq: 1,
        reason: `the Merkle root over events 1..${seq} differs from the one signed in ${signed}: events 1..${seq} were rewritten`,
      };
    }
    this.agreedUpTo = seq;
    return null;
  }

  /** A checkpoint of the empty log signs the genesis hash and the empty tree's root, nothing else. */
  private compareEmpty(c: TCheckpoint, hash: string, signed: string): TCheckpointMismatch | null {
    if (c.hash !== hash) return { seq: 0, firstBrokenSeq: null, reason: `${signed} at seq 0 does not sign the genesis hash of an empty log` };
    // free to check, so checked even when the Merkle roots of the others are not recomputed
    if (c.merkleRoot !== EMPTY_ROOT.toString('hex'))
      return { seq: 0, firstBrokenSeq: null, reason: `${signed} at seq 0 does not sign the Merkle root of the empty tree` };
    return null;
  }
}
