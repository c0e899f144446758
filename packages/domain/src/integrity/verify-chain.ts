import { ZExportManifest, type TCheckpoint, type TExportAnchor, type TExportManifest } from '@modula/contracts';
import { APP_ROLE, dbOf, sql, withTenantSnapshot, type Db, type Orm } from '@modula/db';
import { RETENTION_ARCHIVE } from '../retention/retention-archive.ts';
import { GENESIS_HASH } from './chain.ts';
import { walkChain, type TWalkOptions } from './chain-walk.ts';
import { defaultWalkThreads, walkChainParallel } from './walk-parallel.ts';
import { allCheckpoints, listedSigningKeys } from './checkpoints.ts';
import { CheckpointMatcher } from './checkpoint-match.ts';
import { frontierRootHex } from './merkle.ts';
import { keyringOf, verifySignature, type TKeyring } from './signing-key.ts';
import { checkpointSignatureValid, checkpointSigningText, manifestSigningText } from './signing-text.ts';

export interface TChainVerification {
  ok: boolean;
  checked: number;
  headSeq: number;
  headHash: string;
  /** The first seq whose row is missing, out of place, or does not hash to what the chain (or a signed checkpoint) says. */
  firstBrokenSeq: number | null;
  /** Why the log is not intact; null when it is. */
  reason: string | null;
  checkedAt: string;
  lastCheckpoint: { seq: number; createdAt: string; keyId: string } | null;
  checkpointsChecked: number;
  /** Where the walk started when a prefix expired (retention): the anchoring checkpoint's seq; absent otherwise. */
  fromAnchorSeq?: number;
  /**
   * Anchors accepted on the weaker evidence of a cut made before 2026-12-02: their archive's manifest
   * predates the signed `kind` (README "Retention per tenant"); absent when there is none.
   */
  legacyAnchorSeqs?: number[];
}

export interface TVerifyChainOptions {
  /**
   * The keys checkpoints must be signed with. Default: the keys published by this installation
   * (signing_keys). An auditor passes the keys.json or PEM they obtained independently.
   */
  keyring?: TKeyring;
  /** Checkpoints held outside the database (an auditor's copies): a truncated tail is caught even if the table was emptied. */
  extraCheckpoints?: TCheckpoint[];
  /** Also recompute the Merkle root at every checkpoint (default true; the chain hash at each is always checked). */
  merkle?: boolean;
  /**
   * Worker threads that walk consecutive seq ranges, each on its own connection (walk-parallel.ts).
   * Default: one per core once each has at least 50 000 events; 1 walks on the snapshot's connection.
   */
  threads?: number;
  /** Rows per thread's range at most (walk-parallel.ts MAX_ROWS_PER_RANGE): each range is one read-only transaction. */
  maxRangeRows?: number;
}

/**
 * Recomputes a tenant's chain from its stored rows in seq order — every seq from 1 present once,
 * each prev_hash equal to the hash before it, each hash equal to its recomputation, the last row
 * equal to the recorded head — and checks it against every signed checkpoint: a valid signature,
 * the same chain hash (and Merkle root) at its seq — the genesis hash and the empty tree for one at
 * seq 0, signed before the first event — and no fewer events than it covers (a deleted tail whose
 * head was rewound is caught here).
 */
export async function verifyChain(orm: Orm, tenantId: string, opts: TVerifyChainOptions = {}): Promise<TChainVerification> {
  return withTenantSnapshot(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const head = (await sql<{ seq: string; hash: string }>`select seq, hash from chain_heads where tenant_id = ${tenantId}`.execute(db)).rows[0];
    const headSeq = Number(head?.seq ?? 0);
    const headHash = head?.hash ?? GENESIS_HASH;
    const keyring = opts.keyring ?? keyringOf(await listedSigningKeys(db));
    const checkpoints = distinct([...(await allCheckpoints(db, tenantId)), ...(opts.extraCheckpoints ?? []).filter((c) => c.tenantId === tenantId)]).sort(
      (a, b) => a.seq - b.seq,
    );
    const latest = checkpoints.reduce<TCheckpoint | undefined>(
      (l, c) => (!l || c.seq > l.seq || (c.seq === l.seq && c.createdAt > l.createdAt) ? c : l),
      undefined,
    );
    const base: Omit<TChainVerification, 'ok' | 'checked' | 'firstBrokenSeq' | 'reason'> = {
      headSeq,
      headHash,
      checkedAt: new Date().toISOString(),
      checkpointsChecked: 0,
      lastCheckpoint: latest ? { seq: latest.seq, createdAt: latest.createdAt, keyId: latest.keyId } : null,
    };
    const broken = (checked: number, seq: number | null, reason: string): TChainVerification => ({ ...base, ok: false, checked, firstBrokenSeq: seq, reason });

    for (const c of checkpoints) {
      if (!checkpointSignatureValid(keyring, c))
        return broken(0, null, `the checkpoint at seq ${c.seq} (${c.createdAt}) is not validly signed by a trusted key (${c.keyId})`);
    }
    // a prefix that expired (retention) is gone by design: the walk starts at the newest anchor
    const anchor = await readAnchor(db, tenantId, keyring);
    if (typeof anchor === 'string') return broken(0, null, anchor);
    const fromSeq = (anchor?.seq ?? 0) + 1;
    if (anchor) base.fromAnchorSeq = anchor.seq;
    if (anchor && anchor.legacy.length > 0) base.legacyAnchorSeqs = anchor.legacy;
    // the walk reads fromSeq on: a row below it (seq 0, or under the anchor, whose events the cut removed
    // in the same transaction) is no part of the chain, yet the viewer and filtered packs would show it
    const before = (
      await sql<{ seq: string }>`select seq from audit_events where tenant_id = ${tenantId} and seq < ${fromSeq} order by seq limit 1`.execute(db)
    ).rows[0];
    if (before) {
      const why = anchor ? `: events 1..${anchor.seq} expired at the retention anchor` : '';
      return broken(0, Number(before.seq), `event ${before.seq} is stored before the chain's first event (${fromSeq})${why}`);
    }
    const maxCovered = latest?.seq ?? 0;
    const toSeq = Math.max(headSeq, maxCovered);
    // compares every checkpoint as the walk reaches its seq; one at seq 0 before the first event
    const matcher = new CheckpointMatcher(
      checkpoints.filter((c) => c.seq > (anchor?.seq ?? -1)),
      { merkle: opts.merkle !== false, ...(anchor ? { start: anchor } : {}) },
    );
    const walkOptions: TWalkOptions = {
      fromSeq,
      toSeq,
      prevHash: anchor?.hash ?? GENESIS_HASH,
      tree: matcher.growsTree,
      cuts: matcher.cuts,
      onPiece: (seq, hash, blocks) => matcher.pass(seq, hash, blocks),
    };
    const threads = opts.threads ?? defaultWalkThreads(toSeq - fromSeq + 1);
    const walk =
      threads > 1
        ? await walkChainParallel({ url: orm.config.get('clientUrl')!, role: APP_ROLE }, tenantId, { ...walkOptions, threads, maxRangeRows: opts.maxRangeRows })
        : await walkChain(db, tenantId, walkOptions);
    base.checkpointsChecked = matcher.checked;
    const m = matcher.mismatch;
    // a contradiction before the walk's first fault is the earlier evidence
    if (m !== null && (walk.brokenSeq === null || walk.brokenSeq > m.seq)) return broken(m.seq, m.firstBrokenSeq, m.reason);
    if (walk.brokenSeq !== null) {
      const reason =
        walk.brokenSeq > headSeq && walk.brokenSeq <= maxCovered
          ? `events ${walk.brokenSeq}..${maxCovered} are missing: the checkpoint signed at ${latest!.createdAt} covers ${maxCovered} events (the tail was deleted)`
          : walk.reason!;
      return broken(walk.checked, walk.brokenSeq, reason);
    }
    // the walk runs up to the newest checkpoint, so none is left over; should one ever be, it fails rather than passes unseen
    const unreached = matcher.pending;
    if (unreached) return broken(walk.checked, null, `the checkpoint at seq ${unreached.seq} (${unreached.createdAt}) was never compared with the chain`);
    if (head && walk.lastHash !== head.hash && headSeq >= maxCovered)
      return broken(walk.checked, headSeq, `the recorded chain head does not match event ${headSeq}`);
    // the walk found every event a checkpoint signs, yet the head (or its absence) says the log ends before
    // them: the head was rewound, and the next event would be given a seq that is already stored
    if (walk.checked > 0 && headSeq < toSeq) return broken(walk.checked, headSeq + 1, `event ${headSeq + 1} is stored beyond the chain head (${headSeq})`);
    const beyond = (await sql<{ seq: string }>`select seq from audit_events where tenant_id = ${tenantId} and seq > ${toSeq} order by seq limit 1`.execute(db))
      .rows[0];
    if (beyond) return broken(walk.checked, toSeq + 1, `event ${beyond.seq} is stored beyond the chain head (${headSeq})`);
    return { ...base, ok: true, checked: walk.checked, headHash: walk.lastHash, firstBrokenSeq: null, reason: null };
  });
}

export interface TAnchor {
  seq: number;
  hash: string;
  frontier: Buffer[];
  /** The archive pack of the prefix that ended here. */
  archive: { exportId: string; sha256: string };
  /** Anchors, this one and those before, accepted as cuts made before the manifest's signed kind (README). */
  legacy: number[];
}

/**
 * The newest anchor of the tenant's chain (where an expired prefix ended), after checking every
 * anchor, oldest first: its checkpoint validly signed by a trusted key for the tenant at that seq
 * and hash, its Merkle frontier giving the signed root, and its archive pack's manifest signed and
 * the archive of exactly what that cut removed — the tenant's, unfiltered, events from the anchor
 * before (or 1) to this one, every one of them, signed as kind `retention-archive`, which only the
 * cut's code path sets. Any signed manifest ending at the checkpoint is not enough: a superuser could
 * take an Admin's filtered one-row export as the "archive" of a prefix he deleted — or an export whose
 * `exports` row he rewrote (unfiltered, no user, "retention archive") before the worker signed it.
 * A manifest without `kind` was signed before the kind existed (every one signed since carries it):
 * its anchor is accepted on the older checks and listed in `legacy`. A string says what is wrong.
 */
export async function readAnchor(db: Db, tenantId: string, keyring: TKeyring): Promise<TAnchor | string | undefined> {
  const rows = (
    await sql<{ seq: string; hash: string; checkpoint: TCheckpoint; frontier: string[]; archive_manifest: TExportManifest }>`select seq, hash, checkpoint,
      frontier, archive_manifest from chain_anchors where tenant_id = ${tenantId} order by seq`.execute(db)
  ).rows;
  let newest: TAnchor | undefined;
  const legacy: number[] = [];
  for (const row of rows) {
    const seq = Number(row.seq);
    const from = (newest?.seq ?? 0) + 1;
    const c = row.checkpoint;
    const m = row.archive_manifest;
    if (!checkpointSignatureValid(keyring, c) || c.seq !== seq || c.hash !== row.hash || c.tenantId !== tenantId)
      return `the anchor at seq ${seq} (events 1..${seq} expired) is not a checkpoint validly signed by a trusted key for that seq and hash`;
    const frontier = row.frontier.map((h) => Buffer.from(h, 'hex'));
    if (frontierRootHex(seq, frontier) !== c.merkleRoot)
      return `the anchor at seq ${seq} keeps a Merkle frontier that does not give its checkpoint's signed root`;
    const { signature, ...unsigned } = m;
    if (!verifySignature(keyring, m.keyId, manifestSigningText(unsigned), signature))
      return `the archive pack of the anchor at seq ${seq} is not signed by a trusted key or does not end at the anchor`;
    // signed, but perhaps another statement of the same key (a checkpoint, say): only a pack's manifest names an archive
    if (m.type !== 'modula-audit/export' || !ZExportManifest.safeParse(m).success)
      return `the archive pack of the anchor at seq ${seq} is not an export manifest (it is signed, but as ${typeof m.type === 'string' ? `"${m.type.slice(0, 60)}"` : 'something else'})`;
    if (m.checkpoint.seq !== seq || m.checkpoint.hash !== row.hash)
      return `the archive pack of the anchor at seq ${seq} is not signed by a trusted key or does not end at the anchor`;
    // and made by the cut: an Admin's (or the operator's) export of the whole log is signed too, and what
    // its row says (filter, requester) a superuser can rewrite before it is signed; its signed kind he cannot
    const signedBefore = !Object.hasOwn(m, 'kind');
    const whole =
      m.tenantId === tenantId && Object.keys(m.filter ?? {}).length === 0 && m.generatedBy?.userId === null && m.generatedBy.name === RETENTION_ARCHIVE;
    const byTheCut = signedBefore || m.kind === 'retention-archive';
    if (!whole || !byTheCut || m.chainRange?.fromSeq !== from || m.chainRange?.toSeq !== seq || m.rows !== seq - from + 1)
      return `the archive pack of the anchor at seq ${seq} is not the archive of events ${from}..${seq} that expired: it holds ${m.rows} events ${m.chainRange ? `${m.chainRange.fromSeq}..${m.chainRange.toSeq}` : '(none)'}${whole ? '' : ', not the unfiltered archive a cut of this tenant writes'}${byTheCut ? '' : `, and is signed as kind "${m.kind}", not the "retention-archive" only a cut writes`}`;
    if (signedBefore) legacy.push(seq);
    newest = { seq, hash: row.hash, frontier, archive: { exportId: m.exportId, sha256: m.sha256 }, legacy: [...legacy] };
  }
  return newest;
}

/**
 * The anchor a pack made now starts after, as its manifest states it: the tenant's newest anchor once
 * every anchor checks (readAnchor), none when nothing expired. `legacy` is signed with it when that
 * anchor, or one before it, rests on an archive signed before the manifest's kind existed: an offline
 * auditor sees it rests on the older checks. `problem`: an anchor does not check, so no pack of the
 * whole log can be signed now (it would start after an anchor nothing vouches for).
 */
export async function packAnchor(db: Db, tenantId: string, keyring: TKeyring): Promise<{ anchor?: TExportAnchor; problem: string | null }> {
  const a = await readAnchor(db, tenantId, keyring);
  if (a === undefined) return { problem: null };
  if (typeof a === 'string') return { problem: a };
  const anchor: TExportAnchor = { seq: a.seq, hash: a.hash, archiveExportId: a.archive.exportId, archiveSha256: a.archive.sha256 };
  return { anchor: a.legacy.length > 0 ? { ...anchor, legacy: true } : anchor, problem: null };
}

/** The same signed statement once, whether the table, the auditor's file or both hold it. */
function distinct(checkpoints: TCheckpoint[]): TCheckpoint[] {
  const seen = new Map<string, TCheckpoint>();
  for (const c of checkpoints) seen.set(`${checkpointSigningText(c)} ${c.signature}`, c);
  return [...seen.values()];
}
