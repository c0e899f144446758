import type { TCheckpoint, TPublicKeySet } from '@modula/contracts';
import { APP_ROLE, dbOf, sql, withNoTenant, withTenantSnapshot, type Db, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../app-error.ts';
import { GENESIS_HASH } from './chain.ts';
import { type TWalkOptions, walkChain } from './chain-walk.ts';
import { defaultWalkThreads, walkChainParallel } from './walk-parallel.ts';
import { CompactRange } from './merkle.ts';
import { PUBLISH_KEY_HINT, signingKeyListing } from './publish-key.ts';
import { keyringOf, type TKeyring, type TSigner } from './signing-key.ts';
import { checkpointSignatureValid, checkpointSigningText } from './signing-text.ts';

interface TCheckpointRow {
  tenant_id: string;
  seq: string;
  hash: string;
  merkle_root: string;
  created_at: string;
  key_id: string;
  signature: string;
  frontier: string[];
}

const CHECKPOINT_COLUMNS = sql`tenant_id, seq, hash, merkle_root,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, key_id, signature, frontier`;

function toCheckpoint(r: TCheckpointRow): TCheckpoint {
  return {
    v: 1,
    tenantId: r.tenant_id,
    seq: Number(r.seq),
    hash: r.hash,
    merkleRoot: r.merkle_root,
    createdAt: r.created_at,
    keyId: r.key_id,
    signature: r.signature,
  };
}

export async function latestCheckpointRow(db: Db, tenantId: string, atOrBelow?: number): Promise<(TCheckpoint & { frontier: string[] }) | undefined> {
  const row = (
    await sql<TCheckpointRow>`select ${CHECKPOINT_COLUMNS} from checkpoints where tenant_id = ${tenantId}
    and seq <= ${atOrBelow ?? Number.MAX_SAFE_INTEGER} order by seq desc, created_at desc limit 1`.execute(db)
  ).rows[0];
  return row ? { ...toCheckpoint(row), frontier: row.frontier } : undefined;
}

/** The keys the database lists as the service's, oldest first (what a verifier may trust only with care: see pinned-keys.ts). */
export async function listedSigningKeys(db: Db): Promise<{ keyId: string; publicKey: string }[]> {
  return (await sql<{ key_id: string; public_key: string }>`select key_id, public_key from signing_keys order by created_at`.execute(db)).rows.map((k) => ({
    keyId: k.key_id,
    publicKey: k.public_key,
  }));
}

/** Every checkpoint of the tenant, oldest first (by seq). */
export async function allCheckpoints(db: Db, tenantId: string): Promise<TCheckpoint[]> {
  const rows = (
    await sql<TCheckpointRow>`select ${CHECKPOINT_COLUMNS} from checkpoints where tenant_id = ${tenantId}
    order by seq, created_at`.execute(db)
  ).rows;
  return rows.map(toCheckpoint);
}

/** The newest checkpoints first. */
export async function listCheckpoints(orm: Orm, tenantId: string, limit = 20): Promise<TCheckpoint[]> {
  return withTenantSnapshot(orm, tenantId, async (em) =>
    (
      await sql<TCheckpointRow>`select ${CHECKPOINT_COLUMNS} from checkpoints
    where tenant_id = ${tenantId} order by seq desc, created_at desc limit ${limit}`.execute(dbOf(em))
    ).rows.map(toCheckpoint),
  );
}

/** The latest checkpoint, when it covers `seq` (to prove an event against the newest signed head). */
export async function checkpointCovering(db: Db, tenantId: string, seq: number): Promise<TCheckpoint | undefined> {
  const row = (
    await sql<TCheckpointRow>`select ${CHECKPOINT_COLUMNS} from checkpoints where tenant_id = ${tenantId} and seq >= ${seq}
    order by seq desc, created_at desc limit 1`.execute(db)
  ).rows[0];
  return row ? toCheckpoint(row) : undefined;
}

/** The newest checkpoint at exactly `seq`. */
export async function checkpointExactly(db: Db, tenantId: string, seq: number): Promise<TCheckpoint | undefined> {
  const row = (
    await sql<TCheckpointRow>`select ${CHECKPOINT_COLUMNS} from checkpoints where tenant_id = ${tenantId} and seq = ${seq}
    order by created_at desc limit 1`.execute(db)
  ).rows[0];
  return row ? toCheckpoint(row) : undefined;
}

export interface TCreateCheckpointOptions {
  /** Return the latest checkpoint instead of signing a new one when the log has not grown (scheduled runs). */
  onlyIfGrown?: boolean;
  /** Worker threads for the walk (walk-parallel.ts); default: one per core once each has 50,000 events. */
  threads?: number;
  /**
   * The keys the previous checkpoint may be signed with for this one to extend it (the signer's own
   * is always added). Default: the keys `signing_keys` lists — only the owner can add one, so SQL run
   * by the service cannot slip in a key of its own. The worker, the server and the CLI pass the keys
   * pinned on their host (pinnedKeys), so that not even a key a database superuser added gets a
   * checkpoint it forged vouched for by a genuine one.
   */
  keyring?: TKeyring;
  /**
   * Sign the chain at this seq instead of the head (retention's cut): extends the newest checkpoint
   * at or below it; one already at exactly this seq is returned as it is.
   */
  atSeq?: number;
}

/**
 * Signs the tenant's current chain head: (seq, hash, Merkle root, time). Only the events added
 * since the previous checkpoint are read — and verified before anything is signed, so a checkpoint
 * never vouches for a link that does not hold. The tree is extended from the previous frontier.
 */
export async function createCheckpoint(
  orm: Orm,
  signer: TSigner,
  tenantId: string,
  opts: TCreateCheckpointOptions = {},
): Promise<{ checkpoint: TCheckpoint; created: boolean }> {
  return withTenantSnapshot(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const head = (await sql<{ seq: string; hash: string }>`select seq, hash from chain_heads where tenant_id = ${tenantId}`.execute(db)).rows[0];
    const tenant = (await sql<{ id: string }>`select id from tenants where id = ${tenantId}`.execute(db)).rows[0];
    if (!tenant) throw new AppError('NOT_FOUND', `no tenant ${tenantId}`);
    const at = opts.atSeq;
    if (at !== undefined && at > Number(head?.seq ?? 0)) throw new AppError('CONFLICT', `the log ends at seq ${Number(head?.seq ?? 0)}, before ${at}`);
    const headSeq = at ?? Number(head?.seq ?? 0);
    const previous = await latestCheckpointRow(db, tenantId, at);
    if (previous && (opts.onlyIfGrown || at !== undefined) && previous.seq === headSeq) return { checkpoint: toPublic(previous), created: false };
    // the runtime cannot publish keys (only the owner can): a checkpoint under an unlisted key would verify nowhere
    const listing = await signingKeyListing(db, signer);
    if (listing !== 'listed') {
      throw new AppError(
        'UNAVAILABLE',
        `the signing key ${signer.keyId} is ${listing === 'missing' ? 'not published' : 'published with another public key'} ` +
          `in signing_keys; not signing: ${PUBLISH_KEY_HINT}`,
      );
    }
    if (previous && previous.seq > headSeq) {
      throw new AppError('CONFLICT', `the log ends at seq ${headSeq} but checkpoint ${previous.seq} covers more: events were deleted; not signing`);
    }
    const range = previous ? rangeAfter(previous) : new CompactRange();
    // the frontier is not signed: a checkpoint extends only what the previous one signed
    if (!range || (previous && range.root().toString('hex') !== previous.merkleRoot)) {
      throw new AppError('CONFLICT', `the stored frontier of checkpoint ${previous!.seq} does not match its signed Merkle root; not signing`);
    }
    if (previous) {
      const keyring: TKeyring = new Map([
        ...(opts.keyring ?? keyringOf(await listedSigningKeys(db))),
        ...keyringOf([{ keyId: signer.keyId, publicKey: signer.publicKeyPem }]),
      ]);
      if (!checkpointSignatureValid(keyring, previous)) {
        throw new AppError(
          'CONFLICT',
          `checkpoint ${previous.seq} is not validly signed by a ${opts.keyring ? 'trusted' : 'published'} key (${previous.keyId}); not signing on top of it`,
        );
      }
    }
    const walkOptions: TWalkOptions = {
      fromSeq: (previous?.seq ?? 0) + 1,
      toSeq: headSeq,
      prevHash: previous?.hash ?? GENESIS_HASH,
      tree: true,
      onPiece: (_seq, _hash, blocks) => {
        for (const b of blocks) range.appendBlock(b.root, b.size);
      },
    };
    // the first checkpoint of a large log walks it all: on several cores, as verify-chain does
    const threads = opts.threads ?? defaultWalkThreads(walkOptions.toSeq - walkOptions.fromSeq + 1);
    const walk =
      threads > 1
        ? await walkChainParallel({ url: orm.config.get('clientUrl')!, role: APP_ROLE }, tenantId, { ...walkOptions, threads })
        : await walkChain(db, tenantId, walkOptions);
    if (walk.brokenSeq !== null) throw new AppError('CONFLICT', `the chain is broken at seq ${walk.brokenSeq} (${walk.reason}); not signing`);
    if (at === undefined && head && walk.lastHash !== head.hash) throw new AppError('CONFLICT', `the chain head does not match event ${headSeq}; not signing`);
    const unsigned = {
      v: 1 as const,
      // the id as stored (lower case), whatever spelling the caller used: the row is read back in it,
      // and a signature over another spelling would never verify again (checkpoints are append-only)
      tenantId: tenant.id,
      seq: headSeq,
      hash: walk.lastHash,
      merkleRoot: range.root().toString('hex'),
      createdAt: new Date().toISOString(),
      keyId: signer.keyId,
    };
    const checkpoint: TCheckpoint = { ...unsigned, signature: signer.sign(checkpointSigningText(unsigned)) };
    await sql`insert into checkpoints (tenant_id, id, seq, hash, merkle_root, created_at, key_id, signature, frontier)
      values (${tenantId}, ${uuidv7()}, ${checkpoint.seq}, ${checkpoint.hash}, ${checkpoint.merkleRoot}, ${checkpoint.createdAt}::timestamptz,
        ${checkpoint.keyId}, ${checkpoint.signature}, ${range.frontier().map((b) => b.toString('hex'))}::text[])`.execute(db);
    return { checkpoint, created: true };
  });
}

/** The Merkle tree's frontier as stored with a checkpoint, or undefined when it is not one of that many leaves. */
function rangeAfter(previous: { seq: number; frontier: string[] }): CompactRange | undefined {
  try {
    return new CompactRange(
      previous.seq,
      previous.frontier.map((h) => Buffer.from(h, 'hex')),
    );
  } catch {
    return undefined;
  }
}

function toPublic(c: TCheckpoint & { frontier?: string[] }): TCheckpoint {
  const { frontier: _frontier, ...rest } = c;
  return rest;
}

/** Every tenant (through tenant_ids(): the runtime reads no other tenant's rows): the scheduled job checkpoints each that grew. */
export async function allTenantIds(orm: Orm): Promise<string[]> {
  const rows = await withNoTenant(orm, (tx) => sql<{ id: string }>`select tenant_ids as id from tenant_ids()`.execute(dbOf(tx)));
  return rows.rows.map((r) => r.id);
}

/**
 * The published key set: every key the owner published (publishSigningKey), newest first. Only
 * read here: the runtime cannot add a key.
 */
export async function publishedKeys(orm: Orm): Promise<TPublicKeySet> {
  return withNoTenant(orm, async (tx) => {
    const db = dbOf(tx);
    const rows = (
      await sql<{ key_id: string; public_key: string; created_at: string }>`select key_id, public_key,
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at from signing_keys order by created_at desc, key_id`.execute(db)
    ).rows;
    return { keys: rows.map((r) => ({ keyId: r.key_id, algorithm: 'Ed25519' as const, publicKey: r.public_key, createdAt: r.created_at })) };
  });
}
