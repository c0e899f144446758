import { dbOf, sql, withTenantSnapshot, type Orm } from '@modula/db';
import { GENESIS_HASH } from './chain.ts';
import { readAnchor, type TChainVerification } from './verify-chain.ts';
import { walkChain } from './chain-walk.ts';
import { latestCheckpointRow, listedSigningKeys } from './checkpoints.ts';
import { keyringOf, type TKeyring } from './signing-key.ts';
import { checkpointSignatureValid } from './signing-text.ts';

export type TCheckpointVerification = TChainVerification & { fromCheckpointSeq: number };

/**
 * What the check from the latest checkpoint found:
 * - `verified`: the answer (intact, or broken after the checkpoint at `firstBrokenSeq`);
 * - `no-checkpoint`: the tenant has none yet; only a full verification can answer;
 * - `contradicted`: the checkpoint itself does not hold (bad signature, its event missing or
 *   hashing otherwise, the log shorter than it): the log was rewritten or cut at or before it, and
 *   a full verification names where. `result` is the answer to give when none can run.
 */
export type TSinceCheckpoint =
  | { kind: 'verified'; result: TCheckpointVerification }
  | { kind: 'no-checkpoint' }
  | { kind: 'contradicted'; result: TCheckpointVerification };

/**
 * The viewer's quick check, in one REPEATABLE READ snapshot: the latest signed checkpoint vouches
 * for events 1..seq — its signature must verify with a trusted key (`opts.keyring`: the server
 * passes the keys pinned on its host, see pinned-keys.ts; default the keys `signing_keys` lists)
 * and the stored row at its seq must carry the chain hash it signed (the genesis hash for seq 0) — and the events after it are
 * recomputed and linked as verifyChain does (`checked` counts them), up to the recorded head and
 * nothing beyond. An edit before the checkpoint that left the stored hashes alone is not seen
 * here: that is what the full verification (verifyChain) and the scheduled checkpoints, which
 * verify every event they add, are for.
 */
export async function verifySinceCheckpoint(orm: Orm, tenantId: string, opts: { keyring?: TKeyring } = {}): Promise<TSinceCheckpoint> {
  return withTenantSnapshot(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const head = (await sql<{ seq: string; hash: string }>`select seq, hash from chain_heads where tenant_id = ${tenantId}`.execute(db)).rows[0];
    const checkpoint = await latestCheckpointRow(db, tenantId);
    if (!checkpoint) return { kind: 'no-checkpoint' };
    const headSeq = Number(head?.seq ?? 0);
    const base = {
      headSeq,
      headHash: head?.hash ?? GENESIS_HASH,
      checkedAt: new Date().toISOString(),
      checkpointsChecked: 1,
      fromCheckpointSeq: checkpoint.seq,
      lastCheckpoint: { seq: checkpoint.seq, createdAt: checkpoint.createdAt, keyId: checkpoint.keyId },
    };
    const broken = (checked: number, seq: number | null, reason: string): TCheckpointVerification => ({
      ...base,
      ok: false,
      checked,
      firstBrokenSeq: seq,
      reason,
    });
    const contradicted = (seq: number | null, reason: string): TSinceCheckpoint => ({ kind: 'contradicted', result: broken(0, seq, reason) });
    const verified = (result: TCheckpointVerification): TSinceCheckpoint => ({ kind: 'verified', result });
    const signedAt = `the checkpoint signed at ${checkpoint.createdAt}`;

    const keyring = opts.keyring ?? keyringOf(await listedSigningKeys(db));
    if (!checkpointSignatureValid(keyring, checkpoint)) {
      return contradicted(
        null,
        `the checkpoint at seq ${checkpoint.seq} (${checkpoint.createdAt}) is not validly signed by a trusted key (${checkpoint.keyId})`,
      );
    }
    if (checkpoint.seq > headSeq) {
      return contradicted(
        headSeq + 1,
        `events ${headSeq + 1}..${checkpoint.seq} are missing: ${signedAt} covers ${checkpoint.seq} events (the tail was deleted)`,
      );
    }
    if (checkpoint.seq === 0) {
      if (checkpoint.hash !== GENESIS_HASH) return contradicted(1, `${signedAt} at seq 0 does not sign the genesis hash`);
    } else {
      const row = (await sql<{ hash: string }>`select hash from audit_events where tenant_id = ${tenantId} and seq = ${checkpoint.seq}`.execute(db)).rows[0];
      if (!row) {
        // a retention cut removed the events up to its anchor, signed by this very checkpoint when nothing
        // newer was signed since: the anchor, checked as verify-chain checks it, stands for the expired event
        const expired = await readAnchor(db, tenantId, keyring);
        const anchored = typeof expired === 'object' && expired.seq === checkpoint.seq && expired.hash === checkpoint.hash;
        if (!anchored) return contradicted(checkpoint.seq, `event ${checkpoint.seq} is missing: ${signedAt} covers it`);
      } else if (row.hash !== checkpoint.hash) {
        return contradicted(checkpoint.seq, `event ${checkpoint.seq} does not carry the chain hash signed in ${signedAt}: the log up to it was rewritten`);
      }
    }

    const walk = await walkChain(db, tenantId, { fromSeq: checkpoint.seq + 1, toSeq: headSeq, prevHash: checkpoint.hash });
    if (walk.brokenSeq !== null) return verified(broken(walk.checked, walk.brokenSeq, walk.reason!));
    if (head && walk.lastHash !== head.hash) return verified(broken(walk.checked, headSeq, `the recorded chain head does not match event ${headSeq}`));
    const beyond = (
      await sql<{ seq: string }>`select seq from audit_events where tenant_id = ${tenantId} and seq > ${headSeq} order by seq limit 1`.execute(db)
    ).rows[0];
    if (beyond) return verified(broken(walk.checked, headSeq + 1, `event ${beyond.seq} is stored beyond the chain head (${headSeq})`));
    return verified({ ...base, ok: true, checked: walk.checked, headHash: walk.lastHash, firstBrokenSeq: null, reason: null });
  });
}
