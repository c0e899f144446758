import { createHash, hash as oneShotHash } from 'node:crypto';

/**
 * RFC 6962 (Certificate Transparency) Merkle tree over a tenant's log: leaf i is the chain hash
 * of the event at seq i+1. Leaf = SHA-256(0x00 ‖ 32 hash bytes), node = SHA-256(0x01 ‖ left ‖ right),
 * the empty tree = SHA-256(""). Proofs and their verification follow RFC 9162 §2.1.
 */

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** One buffer for the bytes of a leaf or node, hashed in one call: a million appends allocate nothing else. */
const scratch = Buffer.alloc(65);

export function leafHash(eventHash: Buffer | string): Buffer {
  const bytes = typeof eventHash === 'string' ? Buffer.from(eventHash, 'hex') : eventHash;
  if (bytes.length !== 32) return oneShotHash('sha256', Buffer.concat([LEAF, bytes]), 'buffer');
  scratch[0] = LEAF[0]!;
  bytes.copy(scratch, 1);
  return oneShotHash('sha256', scratch.subarray(0, 33), 'buffer');
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (left.length !== 32 || right.length !== 32) return createHash('sha256').update(NODE).update(left).update(right).digest();
  scratch[0] = NODE[0]!;
  left.copy(scratch, 1);
  right.copy(scratch, 33);
  return oneShotHash('sha256', scratch, 'buffer');
}

export const EMPTY_ROOT = createHash('sha256').digest();

/** Largest power of two strictly below n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Leaf hashes of a log, read by index: an array of buffers, or one buffer of 32-byte slots.
 * `known`: the root of [start, end) when it is known without its leaves — the perfect subtrees of
 * an expired prefix (retention), whose leaves are gone.
 */
export type TLeaves = { count: number; at(i: number): Buffer; known?(start: number, end: number): Buffer | undefined };

export function leavesOf(eventHashes: (Buffer | string)[]): TLeaves {
  const leaves = eventHashes.map(leafHash);
  return { count: leaves.length, at: (i) => leaves[i]! };
}

/** MTH(D[start:end]). */
export function subtreeRoot(leaves: TLeaves, start: number, end: number): Buffer {
  const known = leaves.known?.(start, end);
  if (known) return known;
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves.at(start);
  const k = split(n);
  return nodeHash(subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

export function merkleRoot(leaves: TLeaves, size = leaves.count): Buffer {
  return subtreeRoot(leaves, 0, size);
}

/** PATH(m, D[0:size]): the audit path of leaf m in the tree of the first `size` leaves. */
export function inclusionProof(leaves: TLeaves, m: number, size = leaves.count): Buffer[] {
  if (m < 0 || m >= size || size > leaves.count) throw new RangeError(`leaf ${m} is not in a tree of ${size}`);
  const path: Buffer[] = [];
  const walk = (index: number, start: number, end: number): void => {
    const n = end - start;
    if (n <= 1) return;
    const k = split(n);
    if (index < k) {
      walk(index, start, start + k);
      path.push(subtreeRoot(leaves, start + k, end));
    } else {
      walk(index - k, start + k, end);
      path.push(subtreeRoot(leaves, start, start + k));
    }
  };
  walk(m, 0, size);
  return path;
}

/** PROOF(first, D[0:second]): that the tree of `first` leaves is a prefix of the tree of `second`. */
export function consistencyProof(leaves: TLeaves, first: number, second = leaves.count): Buffer[] {
  if (first < 1 || first > second || second > leaves.count) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  const path: Buffer[] = [];
  const sub = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) path.push(subtreeRoot(leaves, start, end));
      return;
    }
    const k = split(n);
    if (m <= k) {
      sub(m, start, start + k, complete);
      path.push(subtreeRoot(leaves, start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      path.push(subtreeRoot(leaves, start, start + k));
    }
  };
  sub(first, 0, second, true);
  return path;
}

const odd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(leaf: Buffer, index: number, size: number, path: Buffer[], root: Buffer): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (p.length !== 32 || sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2. */
export function verifyConsistency(first: number, second: number, path: Buffer[], firstRoot: Buffer, secondRoot: Buffer): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (first === second) return path.length === 0 && firstRoot.equals(secondRoot);
  if (path.length === 0 || path.some((p) => p.length !== 32)) return false;
  const nodes = isPowerOfTwo(first) ? [firstRoot, ...path] : path;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = nodes[0]!;
  let sr = nodes[0]!;
  for (const c of nodes.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

function isPowerOfTwo(n: number): boolean {
  while (n > 1) {
    if (odd(n)) return false;
    n = half(n);
  }
  return n === 1;
}

/**
 * The right edge of a growing tree: the roots of its perfect subtrees, largest first (one per set
 * bit of the size). Appending a leaf and reading the root cost O(log n), so a verifier walking the
 * log computes the root at every checkpoint in one pass, and a new checkpoint extends the last one.
 */
export class CompactRange {
  private readonly roots: Buffer[];
  private readonly sizes: number[];
  private count: number;

  constructor(size = 0, roots: Buffer[] = []) {
    this.count = size;
    this.sizes = [];
    let rest = size;
    for (let bit = 2 ** 52; bit >= 1; bit /= 2) {
      if (rest >= bit) {
        this.sizes.push(bit);
        rest -= bit;
      }
    }
    if (this.sizes.length !== roots.length) throw new Error(`a tree of ${size} leaves has ${this.sizes.length} subtree roots, not ${roots.length}`);
    this.roots = [...roots];
  }

  get size(): number {
    return this.count;
  }

  append(leaf: Buffer): void {
    this.appendBlock(leaf, 1);
  }

  /**
   * Appends the perfect subtree of `size` leaves (a power of two) whose root is `root`, as appending
   * its leaves one by one would: it must start where the tree ends, at a multiple of its size.
   */
  appendBlock(root: Buffer, size: number): void {
    if (this.count % size !== 0) throw new Error(`a subtree of ${size} leaves cannot follow a tree of ${this.count}`);
    let node = root;
    let nodeSize = size;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === nodeSize) {
      node = nodeHash(this.roots.pop()!, node);
      this.sizes.pop();
      nodeSize *= 2;
    }
    this.roots.push(node);
    this.sizes.push(nodeSize);
    this.count += size;
  }

  root(): Buffer {
    if (this.roots.length === 0) return EMPTY_ROOT;
    let r = this.roots[this.roots.length - 1]!;
    for (let i = this.roots.length - 2; i >= 0; i--) r = nodeHash(this.roots[i]!, r);
    return r;
  }

  frontier(): Buffer[] {
    return [...this.roots];
  }

  /**
   * The perfect subtrees, left to right, keyed `start:end` (leaf indexes, end exclusive). After a
   * retention cut they stand for the expired leaves: a proof about a later leaf needs, of the
   * prefix, only whole subtrees among these (each node left of the cut whose parent is not).
   */
  blocks(): Map<string, Buffer> {
    const blocks = new Map<string, Buffer>();
    let start = 0;
    this.sizes.forEach((size, k) => {
      blocks.set(`${start}:${start + size}`, this.roots[k]!);
      start += size;
    });
    return blocks;
  }
}

/**
 * The root a stored (unsigned) frontier gives for a tree of `size` leaves, as hex; '' when it is
 * not the frontier of such a tree. What a signed Merkle root is compared with before the frontier
 * is trusted (a retention anchor's).
 */
export function frontierRootHex(size: number, frontier: Buffer[]): string {
  try {
    return new CompactRange(size, frontier).root().toString('hex');
  } catch {
    return '';
  }
}

/** A perfect subtree of the log's Merkle tree: `size` leaves (a power of two) from leaf `start` on. */
export interface TBlock {
  start: number;
  size: number;
  root: Buffer;
}

/**
 * The leaves of a stretch of the log that starts anywhere, gathered into the largest perfect
 * subtrees of the whole tree that lie inside it (each starting at a multiple of its size). A thread
 * that walks one seq range hashes its part of the tree this way, and whoever joins the ranges
 * appends a few blocks (CompactRange#appendBlock) instead of every leaf.
 */
export class BlockStack {
  private readonly stack: TBlock[] = [];

  push(index: number, leaf: Buffer): void {
    let block: TBlock = { start: index, size: 1, root: leaf };
    for (
      let top = this.stack.at(-1);
      top && top.size === block.size && top.start + top.size === block.start && top.start % (2 * top.size) === 0;
      top = this.stack.at(-1)
    ) {
      this.stack.pop();
      block = { start: top.start, size: top.size * 2, root: nodeHash(top.root, block.root) };
    }
    this.stack.push(block);
  }

  /** The blocks so far, left to right; the stack starts again empty. */
  take(): TBlock[] {
    return this.stack.splice(0);
  }
}
