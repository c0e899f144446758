import { createHash } from 'node:crypto';
import type { TCheckpoint } from '@modula/contracts';
import { describe, expect, it } from 'vitest';
import { CheckpointMatcher } from './checkpoint-match.ts';
import { CompactRange, EMPTY_ROOT, leafHash } from './merkle.ts';

/**
 * The matcher alone, over a made-up chain of 12 hashes: the signatures are the caller's concern
 * (verifyChain checks them first), so these checkpoints carry none.
 */

const GENESIS = '0'.repeat(64);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const chain = Array.from({ length: 12 }, (_, i) => sha(`event ${i + 1}`));
const hashAt = (seq: number) => (seq === 0 ? GENESIS : chain[seq - 1]!);

function rootAt(seq: number): string {
  const tree = new CompactRange();
  for (const h of chain.slice(0, seq)) tree.append(leafHash(h));
  return tree.root().toString('hex');
}

const checkpoint = (seq: number, overrides: Partial<TCheckpoint> = {}): TCheckpoint => ({
  v: 1,
  tenantId: '0193a0b4-0000-7000-8000-000000000001',
  seq,
  hash: hashAt(seq),
  merkleRoot: rootAt(seq),
  createdAt: `2026-11-22T13:${String(seq).padStart(2, '0')}:00.000Z`,
  keyId: 'k',
  signature: 's',
  ...overrides,
});

/** Walks the made-up chain the way walkChain calls back: seq 1, 2, 3 … with each hash. */
function walk(checkpoints: TCheckpoint[], upTo = chain.length, merkle = true): CheckpointMatcher {
  const matcher = new CheckpointMatcher(checkpoints, { merkle });
  for (let seq = 1; seq <= upTo; seq++) matcher.pass(seq, hashAt(seq), merkle ? [{ start: seq - 1, size: 1, root: leafHash(hashAt(seq)) }] : []);
  return matcher;
}

describe('CheckpointMatcher', () => {
  it('compares every checkpoint, seq 0 first, and counts them all', () => {
    const m = walk([checkpoint(0), checkpoint(3), checkpoint(3, { createdAt: '2026-11-22T14:00:00.000Z' }), checkpoint(8), checkpoint(12)]);
    expect(m.mismatch).toBeNull();
    expect(m.checked).toBe(5);
    expect(m.pending).toBeUndefined();
  });

  it('signs the empty log at seq 0 as the genesis hash and the empty tree, the root CompactRange gives for no leaves', () => {
    expect(new CompactRange().root().toString('hex')).toBe(EMPTY_ROOT.toString('hex'));
    expect(EMPTY_ROOT.toString('hex')).toBe(sha(''));
    const m = walk([checkpoint(0)], 0);
    expect(m.mismatch).toBeNull();
    expect(m.checked).toBe(1);
  });

  it('does not stall on a seq-0 checkpoint: a later one that disagrees is still found', () => {
    const m = walk([checkpoint(0), checkpoint(5), checkpoint(9, { hash: sha('rewritten') })]);
    expect(m.mismatch).toMatchObject({ seq: 9, firstBrokenSeq: 6 });
    expect(m.mismatch!.reason).toMatch(/chain hash of event 9 differs .*events 6\.\.9 were rewritten/);
    expect(m.checked).toBe(3);
  });

  it.each([
    ['the genesis hash', { hash: chain[0]! }, /seq 0 does not sign the genesis hash/],
    ["the empty tree's root", { merkleRoot: rootAt(1) }, /seq 0 does not sign the Merkle root of the empty tree/],
  ])('refuses a seq-0 checkpoint that does not sign %s, also without Merkle roots', (_what, overrides, reason) => {
    for (const merkle of [true, false]) {
      const m = walk([checkpoint(0, overrides), checkpoint(4)], chain.length, merkle);
      expect(m.mismatch).toMatchObject({ seq: 0, firstBrokenSeq: null });
      expect(m.mismatch!.reason).toMatch(reason);
    }
  });

  it('finds a Merkle root that differs though the chain hash agrees', () => {
    const m = walk([checkpoint(0), checkpoint(6, { merkleRoot: rootAt(5) })]);
    expect(m.mismatch).toMatchObject({ seq: 6, firstBrokenSeq: 1 });
    expect(m.mismatch!.reason).toMatch(/Merkle root over events 1\.\.6 differs/);
  });

  it('flags a checkpoint whose seq the walk passed without standing on it, instead of skipping it', () => {
    const m = walk([checkpoint(2), checkpoint(2.5 as number), checkpoint(7)]);
    expect(m.mismatch).toMatchObject({ seq: 2.5, firstBrokenSeq: null });
    expect(m.mismatch!.reason).toMatch(/no position of the chain/);
  });

  it('leaves a checkpoint beyond the walk pending, never counted as agreed', () => {
    const m = walk([checkpoint(0), checkpoint(10)], 6);
    expect(m.checked).toBe(1);
    expect(m.mismatch).toBeNull();
    expect(m.pending?.seq).toBe(10);
  });
});
