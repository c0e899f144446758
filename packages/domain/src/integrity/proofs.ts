import type { TCheckpoint, TConsistencyProof, TInclusionProof, TInclusionProofWithRecord, TProofBundle } from '@modula/contracts';
import { AUDIT_EVENT_RECORD_SELECT, dbOf, sql, withTenantSnapshot, type Db, type Orm } from '@modula/db';
import { AppError } from '../app-error.ts';
import { toEventView, type TEventViewRow } from '../read/event-view.ts';
import { canonicalJson } from './canonical-json.ts';
import { chainHash, type TChainRecord } from './chain.ts';
import { checkpointCovering, checkpointExactly } from './checkpoints.ts';
import { CompactRange, consistencyProof, frontierRootHex, inclusionProof, leafHash, verifyConsistency, verifyInclusion, type TLeaves } from './merkle.ts';
import type { TKeyring } from './signing-key.ts';
import { checkpointSignatureValid } from './signing-text.ts';

/**
 * The leaf hashes of events 1..size (computed from the stored chain hashes), in one buffer of
 * 32-byte slots. After a retention cut the expired events' leaves are gone: the anchor's frontier
 * (the perfect subtrees of events 1..anchor, kept with it) stands for them, which is all a proof
 * about a later event needs; a proof that needs an expired leaf itself is refused.
 */
async function loadLeaves(db: Db, tenantId: string, size: number): Promise<TLeaves> {
  const anchor = (
    await sql<{ seq: string; frontier: string[]; merkle_root: string }>`select seq, frontier, checkpoint->>'merkleRoot' as merkle_root
      from chain_anchors where tenant_id = ${tenantId} order by seq desc limit 1`.execute(db)
  ).rows[0];
  const expiredThrough = anchor ? Number(anchor.seq) : 0;
  const expiredError = () =>
    new AppError('CONFLICT', `events 1..${expiredThrough} expired (retention): a proof that needs them cannot be made; their archive pack holds them`);
  // a tree that ends before the newest cut has no leaf left to prove anything with
  if (expiredThrough > size) throw expiredError();
  const frontier = anchor?.frontier.map((h) => Buffer.from(h, 'hex')) ?? [];
  // the frontier is stored, not signed: it must give the anchor's signed root (verify-chain checks the same)
  if (anchor && frontierRootHex(expiredThrough, frontier) !== anchor.merkle_root) {
    throw new AppError(
      'CONFLICT',
      `the anchor at seq ${expiredThrough} keeps a Merkle frontier that does not give its signed root; no proof can be made (verify-chain reports it)`,
    );
  }
  const first = expiredThrough + 1;
  const buffer = Buffer.allocUnsafe((size - first + 1) * 32);
  const page = 50_000;
  for (let from = first; from <= size; from += page) {
    const rows = (
      await sql<{ seq: string; hash: string }>`select seq, hash from audit_events
      where tenant_id = ${tenantId} and seq >= ${from} and seq <= ${Math.min(size, from + page - 1)} order by seq`.execute(db)
    ).rows;
    rows.forEach((r, i) => {
      if (Number(r.seq) !== from + i) throw new AppError('CONFLICT', `event ${from + i} is missing from the log; no proof can be made`);
      leafHash(Buffer.from(r.hash, 'hex')).copy(buffer, (from - first + i) * 32);
    });
    if (rows.length < Math.min(page, size - from + 1)) throw new AppError('CONFLICT', `events after ${from + rows.length - 1} are missing from the log`);
  }
  const expired = anchor ? new CompactRange(expiredThrough, frontier).blocks() : undefined;
  return {
    count: size,
    at: (i) => {
      if (i < expiredThrough) throw expiredError();
      return buffer.subarray((i - first + 1) * 32, (i - first + 2) * 32);
    },
    ...(expired ? { known: (start: number, end: number) => expired.get(`${start}:${end}`) } : {}),
  };
}

const hex = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));

/** The keys record version 2 added (README "Hash chain"): a record of version 1 hashes without them. */
const PROVENANCE_KEYS = ['recordVersion', 'credential', 'sourceAddress'];

/** Event `seq` as the chain hashes it (README "Hash chain"), and the hash before it. */
async function chainRecordOf(db: Db, tenantId: string, seq: number): Promise<{ record: Record<string, unknown>; prevHash: string }> {
  const r = (
    await sql<{ record: Record<string, unknown>; prevHash: string }>`select to_jsonb(e) - 'hash' - 'prevHash' as record, e."prevHash"
      from (select ${AUDIT_EVENT_RECORD_SELECT} from audit_events where tenant_id = ${tenantId} and seq = ${seq}) e`.execute(db)
  ).rows[0];
  if (!r) throw new AppError('NOT_FOUND', `no event ${seq}`);
  const record = Object.fromEntries(Object.entries(r.record).filter(([k]) => r.record.recordVersion !== 1 || !PROVENANCE_KEYS.includes(k)));
  return { record, prevHash: r.prevHash };
}

/**
 * An event's inclusion proof against the latest checkpoint; null when no checkpoint covers it yet.
 * With `withRecord`, also the event's record and the hash before it (read in the same snapshot),
 * so a verifier recomputes the event's hash from its content, not only its place in the log.
 */
export async function proveInclusion(orm: Orm, tenantId: string, seq: number): Promise<TInclusionProof | null>;
export async function proveInclusion(orm: Orm, tenantId: string, seq: number, options: { withRecord: true }): Promise<TInclusionProofWithRecord | null>;
export async function proveInclusion(
  orm: Orm,
  tenantId: string,
  seq: number,
  options: { withRecord?: boolean } = {},
): Promise<TInclusionProofWithRecord | null> {
  return withTenantSnapshot(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const event = (await sql<{ hash: string }>`select hash from audit_events where tenant_id = ${tenantId} and seq = ${seq}`.execute(db)).rows[0];
    if (!event) throw new AppError('NOT_FOUND', `no event ${seq}`);
    const checkpoint = await checkpointCovering(db, tenantId, seq);
    if (!checkpoint) return null;
    const leaves = await loadLeaves(db, tenantId, checkpoint.seq);
    const proof: TInclusionProof = {
      v: 1,
      type: 'inclusion',
      tenantId,
      seq,
      eventHash: event.hash,
      leafIndex: seq - 1,
      treeSize: checkpoint.seq,
      auditPath: hex(inclusionProof(leaves, seq - 1, checkpoint.seq)),
      checkpoint,
    };
    return options.withRecord ? { ...proof, ...(await chainRecordOf(db, tenantId, seq)) } : proof;
  });
}

async function checkpointAt(db: Db, tenantId: string, seq: number): Promise<TCheckpoint> {
  const c = await checkpointExactly(db, tenantId, seq);
  if (!c) throw new AppError('NOT_FOUND', `no checkpoint at seq ${seq}`);
  return c;
}

/** Proof that the checkpoint at `toSeq` (default: the latest) extends the one at `fromSeq`. */
export async function proveConsistency(orm: Orm, tenantId: string, fromSeq: number, toSeq?: number): Promise<TConsistencyProof> {
  return withTenantSnapshot(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const first = await checkpointAt(db, tenantId, fromSeq);
    const second = toSeq === undefined ? await checkpointCovering(db, tenantId, fromSeq) : await checkpointAt(db, tenantId, toSeq);
    if (!second || second.seq < first.seq) throw new AppError('VALIDATION_FAILED', 'toSeq must not be below fromSeq');
    const leaves = await loadLeaves(db, tenantId, second.seq);
    return { v: 1, type: 'consistency', tenantId, first, second, path: hex(consistencyProof(leaves, first.seq, second.seq)) };
  });
}

export interface TProofCheck {
  ok: boolean;
  reason: string | null;
}

export interface TProofCheckOptions {
  /** The other fields of the saved events.get answer that holds the proof: each must be the verified record's, as the viewer shows it. */
  view?: Record<string, unknown>;
}

const buf = (h: string) => Buffer.from(h, 'hex');

/**
 * The fields of `view` that are not what the verified record shows (the view toEventView makes of
 * it); null when every one matches. A field the answer leaves out shows nothing, so it is not compared.
 */
function viewMismatch(record: Record<string, unknown>, prevHash: string, eventHash: string, view: Record<string, unknown>): string | null {
  const row = Object.fromEntries(Object.entries(record).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
  let verified: Record<string, unknown>;
  try {
    verified = toEventView({ record_version: 1, ...row, hash: eventHash, prev_hash: prevHash } as unknown as TEventViewRow);
  } catch {
    return 'the record is not one an event view can be made of';
  }
  const differ = Object.keys(verified).filter((k) => k in view && canonicalJson(view[k] ?? null) !== canonicalJson(verified[k] ?? null));
  return differ.length === 0 ? null : `the answer does not match the verified record (fields that differ: ${differ.join(', ')})`;
}

/**
 * Checks a proof offline, with nothing but the trusted public keys. An inclusion proof with the
 * event's record is checked from the record up: the record hashes to the event's hash, which is
 * in the signed tree; without one only the hash's place is (the caller says so: verify-proof refuses it).
 */
export function verifyProofBundle(bundle: TProofBundle, keyring: TKeyring, options: TProofCheckOptions = {}): TProofCheck {
  const fail = (reason: string): TProofCheck => ({ ok: false, reason });
  if (bundle.type === 'consistency') {
    const { first, second } = bundle;
    if (first.tenantId !== bundle.tenantId || second.tenantId !== bundle.tenantId) return fail('the checkpoints are of another tenant');
    if (!checkpointSignatureValid(keyring, first)) return fail(`the checkpoint at seq ${first.seq} is not validly signed by a trusted key (${first.keyId})`);
    if (!checkpointSignatureValid(keyring, second)) return fail(`the checkpoint at seq ${second.seq} is not validly signed by a trusted key (${second.keyId})`);
    if (!verifyConsistency(first.seq, second.seq, bundle.path.map(buf), buf(first.merkleRoot), buf(second.merkleRoot))) {
      return fail(`the log of seq ${second.seq} is not an extension of the log of seq ${first.seq}: the consistency proof does not hold`);
    }
    return { ok: true, reason: null };
  }
  const c = bundle.checkpoint;
  if (c.tenantId !== bundle.tenantId) return fail('the checkpoint is of another tenant');
  if (!checkpointSignatureValid(keyring, c)) return fail(`the checkpoint is not validly signed by a trusted key (${c.keyId})`);
  if (bundle.treeSize !== c.seq || bundle.leafIndex !== bundle.seq - 1)
    return fail('the proof names another tree size or position than its checkpoint and event');
  if (bundle.record !== undefined || bundle.prevHash !== undefined) {
    if (!bundle.record || !bundle.prevHash) return fail('record and prevHash go together');
    if ((bundle.record as { seq?: unknown }).seq !== bundle.seq) return fail('the record is of another seq');
    if (chainHash(bundle.prevHash, bundle.record as unknown as TChainRecord) !== bundle.eventHash)
      return fail('the event record does not hash to eventHash: it was altered');
    const mismatch = options.view ? viewMismatch(bundle.record, bundle.prevHash, bundle.eventHash, options.view) : null;
    if (mismatch) return fail(`${mismatch}: the answer shows other content than the log holds`);
  }
  if (!verifyInclusion(leafHash(buf(bundle.eventHash)), bundle.leafIndex, bundle.treeSize, bundle.auditPath.map(buf), buf(c.merkleRoot))) {
    return fail(`event ${bundle.seq} is not in the log the checkpoint of ${c.createdAt} signs: the inclusion proof does not hold`);
  }
  return { ok: true, reason: null };
}
