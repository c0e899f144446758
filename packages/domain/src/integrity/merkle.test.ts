import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BlockStack,
  CompactRange,
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  leavesOf,
  merkleRoot,
  nodeHash,
  subtreeRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

const hashes = (n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`event ${i}`).digest());
const flip = (b: Buffer, byte: number, bit = 1) => {
  const c = Buffer.from(b);
  c[byte] = c[byte]! ^ bit;
  return c;
};

/** The reference definition of RFC 6962 §2.1, written out plainly. */
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return createHash('sha256').digest();
  if (d.length === 1)
    return createHash('sha256')
      .update(Buffer.from([0]))
      .update(d[0]!)
      .digest();
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(mth(d.slice(0, k)))
    .update(mth(d.slice(k)))
    .digest();
}

describe('Merkle tree (RFC 6962)', () => {
  it('hashes leaves and nodes with the 0x00 / 0x01 prefixes, the empty tree as SHA-256("")', () => {
    const h = hashes(1)[0]!;
    expect(leafHash(h)).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), h]))
        .digest(),
    );
    expect(nodeHash(h, h)).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([1]), h, h]))
        .digest(),
    );
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches the plain recursive definition and the compact range for sizes 0..70', () => {
    const all = hashes(70);
    const range = new CompactRange();
    for (let n = 0; n <= 70; n++) {
      const root = merkleRoot(leavesOf(all.slice(0, n)));
      expect(root).toEqual(mth(all.slice(0, n)));
      expect(range.root()).toEqual(root);
      // a compact range restored from its frontier continues identically
      const restored = new CompactRange(range.size, range.frontier());
      if (n < 70) {
        range.append(leafHash(all[n]!));
        restored.append(leafHash(all[n]!));
        expect(restored.root()).toEqual(range.root());
      }
    }
  });

  it('proves inclusion of every leaf of every tree of 1..17 leaves, and refuses any altered byte', () => {
    const all = hashes(17);
    for (let size = 1; size <= 17; size++) {
      const leaves = leavesOf(all.slice(0, size));
      const root = merkleRoot(leaves);
      for (let m = 0; m < size; m++) {
        const path = inclusionProof(leaves, m);
        const leaf = leaves.at(m);
        expect(verifyInclusion(leaf, m, size, path, root)).toBe(true);
        expect(verifyInclusion(flip(leaf, m % 32), m, size, path, root)).toBe(false);
        expect(verifyInclusion(leaf, m, size, path, flip(root, 31))).toBe(false);
        path.forEach((_, j) => {
          for (const byte of [0, 17, 31]) {
            const bad = path.map((p, i) => (i === j ? flip(p, byte, 0x80) : p));
            expect(verifyInclusion(leaf, m, size, bad, root)).toBe(false);
          }
        });
        if (size > 1) expect(verifyInclusion(leaf, (m + 1) % size, size, path, root)).toBe(false);
        // (the tree size itself is not bound by the path: the signed checkpoint authenticates it)
        expect(verifyInclusion(leaf, m, m, path, root)).toBe(false);
        expect(verifyInclusion(leaf, m, size, [...path, root], root)).toBe(false);
        if (path.length > 0) expect(verifyInclusion(leaf, m, size, path.slice(0, -1), root)).toBe(false);
      }
    }
  });

  it('proves consistency between every pair of sizes 1 <= m <= n <= 17, and refuses any altered byte', () => {
    const all = hashes(17);
    const leaves = leavesOf(all);
    for (let n = 1; n <= 17; n++) {
      const second = merkleRoot(leaves, n);
      for (let m = 1; m <= n; m++) {
        const first = merkleRoot(leaves, m);
        const path = consistencyProof(leaves, m, n);
        expect(verifyConsistency(m, n, path, first, second)).toBe(true);
        expect(verifyConsistency(m, n, path, flip(first, 3), second)).toBe(false);
        expect(verifyConsistency(m, n, path, first, flip(second, 30))).toBe(false);
        path.forEach((_, j) => {
          const bad = path.map((p, i) => (i === j ? flip(p, j % 32, 4) : p));
          expect(verifyConsistency(m, n, bad, first, second)).toBe(false);
        });
        if (m < n) {
          expect(verifyConsistency(m, n, path.slice(1), first, second)).toBe(false);
          // a log that was rewritten (not only grown) has no proof: a different leaf m-1
          const forked = leavesOf([...all.slice(0, m - 1), randomBytes(32), ...all.slice(m, n)]);
          expect(verifyConsistency(m, n, consistencyProof(forked, m, n), first, merkleRoot(forked))).toBe(false);
        }
      }
    }
  });

  it('after a cut, the prefix’s frontier stands for its leaves: every proof of a later leaf is the same, for every cut and size up to 40', () => {
    for (let n = 2; n <= 40; n++) {
      const full = leavesOf(hashes(n));
      for (let cut = 1; cut < n; cut++) {
        const prefix = new CompactRange();
        for (let i = 0; i < cut; i++) prefix.append(full.at(i));
        const blocks = new CompactRange(cut, prefix.frontier()).blocks();
        const afterCut = {
          count: n,
          at: (i: number) => {
            if (i < cut) throw new Error(`leaf ${i} expired`);
            return full.at(i);
          },
          known: (start: number, end: number) => blocks.get(`${start}:${end}`),
        };
        expect(merkleRoot(afterCut)).toEqual(merkleRoot(full));
        for (let m = cut; m < n; m++) expect(inclusionProof(afterCut, m, n)).toEqual(inclusionProof(full, m, n));
        for (let first = cut; first <= n; first++) expect(consistencyProof(afterCut, first, n)).toEqual(consistencyProof(full, first, n));
      }
    }
  });

  it('a stretch of leaves starting anywhere, gathered into blocks and cut anywhere, grows the tree as its leaves one by one would', () => {
    const all = leavesOf(hashes(70));
    for (let start = 0; start < 40; start++) {
      for (let end = start + 1; end <= 70; end += 3) {
        for (const cut of [start + 1, Math.floor((start + end) / 2), end]) {
          const byLeaf = new CompactRange();
          const byBlock = new CompactRange();
          for (let i = 0; i < start; i++) {
            byLeaf.append(all.at(i));
            byBlock.append(all.at(i));
          }
          const stack = new BlockStack();
          for (let i = start; i < end; i++) {
            stack.push(i, all.at(i));
            byLeaf.append(all.at(i));
            if (i + 1 !== cut && i + 1 !== end) continue;
            const blocks = stack.take();
            // consecutive perfect subtrees of the whole tree: each starts at a multiple of its size
            for (const b of blocks) {
              expect(b.start).toBe(byBlock.size);
              expect(b.start % b.size).toBe(0);
              expect(b.root).toEqual(subtreeRoot(all, b.start, b.start + b.size));
              byBlock.appendBlock(b.root, b.size);
            }
            expect(byBlock.size).toBe(i + 1);
            expect(byBlock.root()).toEqual(byLeaf.root());
            expect(byBlock.frontier()).toEqual(byLeaf.frontier());
          }
        }
      }
    }
    // a block that does not start at a multiple of its size is no subtree of the tree
    const tree = new CompactRange();
    tree.append(all.at(0));
    expect(() => tree.appendBlock(nodeHash(all.at(1), all.at(2)), 2)).toThrow(/cannot follow a tree of 1/);
  });

  it('agrees with the RFC 6962 test vectors of certificate-transparency-go for the empty and one-leaf trees', () => {
    // MTH({}) and MTH({""}) (leaf of the empty string) from the CT reference tests
    expect(merkleRoot(leavesOf([]))).toEqual(Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'));
    const emptyLeaf = createHash('sha256')
      .update(Buffer.from([0]))
      .digest();
    expect(emptyLeaf.toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
  });
});
