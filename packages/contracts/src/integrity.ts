import { z } from 'zod';
import { ZAuditEventView, ZEventsFilter, ZEventsGetInput } from './read.ts';
import { ZUuid } from './safe-values.ts';

const ZHex32 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex characters (SHA-256)' });

/**
 * A signed statement "the log of this tenant had `seq` events, the last one hashing to `hash`,
 * whose RFC 6962 Merkle tree has root `merkleRoot`, at `createdAt`". `signature` is Ed25519
 * (base64) over the UTF-8 bytes of the RFC 8785 canonical JSON of every other field
 * (`checkpointSigningText`). Every checkpoint is kept.
 */
export const ZCheckpoint = z.object({
  v: z.literal(1),
  tenantId: z.uuid(),
  /** Number of events covered: the chain position of the last one (the Merkle tree size). */
  seq: z.number().int().min(0),
  /** The chain hash of event `seq` (64 zeros for an empty log). */
  hash: ZHex32,
  /** RFC 6962 Merkle tree hash over the chain hashes of events 1..seq. */
  merkleRoot: ZHex32,
  createdAt: z.iso.datetime(),
  /** Which published key signed it (see GET /.well-known/modula-audit/keys.json). */
  keyId: z.string().min(1).max(128),
  signature: z.string().min(1),
});
export type TCheckpoint = z.infer<typeof ZCheckpoint>;

/** Proof that one event (its chain hash) is leaf `seq - 1` of the tree a checkpoint signs. */
export const ZInclusionProof = z.object({
  v: z.literal(1),
  type: z.literal('inclusion'),
  tenantId: z.uuid(),
  seq: z.number().int().min(1),
  /** The event's chain hash (`hash` of AuditEventView): the leaf is SHA-256(0x00 ‖ these 32 bytes). */
  eventHash: ZHex32,
  leafIndex: z.number().int().min(0),
  treeSize: z.number().int().min(1),
  /** RFC 6962 audit path, leaf to root, hex. */
  auditPath: z.array(ZHex32),
  checkpoint: ZCheckpoint,
});
export type TInclusionProof = z.infer<typeof ZInclusionProof>;

/** Proof that the log of `second` extends the log of `first` (it only grew). */
export const ZConsistencyProof = z.object({
  v: z.literal(1),
  type: z.literal('consistency'),
  tenantId: z.uuid(),
  first: ZCheckpoint,
  second: ZCheckpoint,
  /** RFC 6962 consistency proof, hex. */
  path: z.array(ZHex32),
});
export type TConsistencyProof = z.infer<typeof ZConsistencyProof>;

/** An inclusion proof with the event's record (`cli proof --seq`, `events.get` withProof): a verifier recomputes `eventHash` too. */
export const ZInclusionProofWithRecord = ZInclusionProof.extend({
  /** The stored record as the chain hashes it (README "Hash chain") and the hash before it: lets a verifier recompute `eventHash`. */
  record: z.record(z.string(), z.unknown()).optional(),
  prevHash: ZHex32.optional(),
});
export type TInclusionProofWithRecord = z.infer<typeof ZInclusionProofWithRecord>;

/** What `verify-proof` accepts: either proof, optionally with the event's record to recompute its chain hash. */
export const ZProofBundle = z.union([ZInclusionProofWithRecord, ZConsistencyProof]);
export type TProofBundle = z.infer<typeof ZProofBundle>;

/** One published verification key. */
export const ZPublicKey = z.object({
  keyId: z.string(),
  algorithm: z.literal('Ed25519'),
  /** SPKI, PEM. */
  publicKey: z.string(),
  createdAt: z.iso.datetime(),
});
export type TPublicKey = z.infer<typeof ZPublicKey>;
/** Body of GET /.well-known/modula-audit/keys.json: every key that ever signed, newest first. */
export const ZPublicKeySet = z.object({ keys: z.array(ZPublicKey) });
export type TPublicKeySet = z.infer<typeof ZPublicKeySet>;

// --- integrity.* procedures (additions beside integrity.verify) ---
export const ZIntegrityCheckpointsInput = z.strictObject({ limit: z.number().int().min(1).max(100).default(20) }).optional();
export const ZIntegrityCheckpointsOutput = z.object({ items: z.array(ZCheckpoint) });
export const ZIntegrityConsistencyInput = z.strictObject({ fromSeq: z.number().int().min(1), toSeq: z.number().int().min(1).optional() });

/** `events.get` with `withProof: true` adds the event's inclusion proof against the latest checkpoint. */
export const ZEventsGetWithProofInput = ZEventsGetInput.extend({ withProof: z.boolean().optional() });
export const ZEventsGetWithProofOutput = ZAuditEventView.extend({
  /**
   * Present when asked for; null when no checkpoint covers the event yet (the next scheduled one will).
   * Carries the event's `record` and `prevHash`, so `verify-proof` recomputes the event's hash from
   * its content and checks that this answer's fields are that record's.
   */
  proof: ZInclusionProofWithRecord.nullable().optional(),
});

// --- exports ---
export const ZExportFormat = z.enum(['csv', 'pdf']);
export type TExportFormat = z.infer<typeof ZExportFormat>;
export const ZExportStatus = z.enum(['PENDING', 'READY', 'FAILED']);

export const ZExportsCreateInput = z.strictObject({ format: ZExportFormat, filter: ZEventsFilter.default({}) });
export type TExportsCreateInput = z.input<typeof ZExportsCreateInput>;
export const ZExportsCreateOutput = z.object({ exportId: z.uuid() });
export const ZExportsGetInput = z.strictObject({ exportId: ZUuid });
export const ZExportsGetOutput = z.object({
  status: ZExportStatus,
  format: ZExportFormat.optional(),
  rows: z.number().int().optional(),
  /** Lowercase hex SHA-256 of exactly the bytes `url` serves. */
  sha256: z.string().optional(),
  /** Ed25519 signature (base64) of the manifest. */
  signature: z.string().optional(),
  /** Same-origin path of the file (Admin of the tenant only). */
  url: z.string().optional(),
  /** Same-origin path of the signed manifest. */
  manifestUrl: z.string().optional(),
  /** Why a FAILED export failed. */
  error: z.string().optional(),
  createdAt: z.iso.datetime().optional(),
  completedAt: z.iso.datetime().optional(),
  /** When the worker deleted the file (EXPORT_RETENTION_HOURS after it was built): `url` then answers 410; the manifest stays. */
  fileDeletedAt: z.iso.datetime().optional(),
});
export type TExportsGetOutput = z.infer<typeof ZExportsGetOutput>;

/**
 * What made a pack, as the code path that built it says (never a value read back from a table):
 * `export` — asked for by an Admin or an operator (every pack the export job builds from an `exports`
 * row, whatever the row says); `retention-archive` — the archive a retention cut writes of exactly the
 * events it removes (the only kind verify-chain takes as an anchor's archive); `offboarding-pack` —
 * the final pack of an offboarded tenant.
 */
export const ZExportKind = z.enum(['export', 'retention-archive', 'offboarding-pack']);
export type TExportKind = z.infer<typeof ZExportKind>;

/**
 * The manifest written beside every export file (`<file>.manifest.json`). `signature` is Ed25519
 * (base64) over the RFC 8785 canonical JSON of the manifest without `signature`.
 */
export const ZExportManifest = z.object({
  /**
   * 1: packs made before 2026-12 (CSV without byte-order mark, UTC times only). 2: the CSV starts
   * with a UTF-8 byte-order mark and adds local times, branch names and the summary sentence
   * (CSV_HEADER in the domain); the PDF embeds Noto Sans and shows local times and changes.
   */
  v: z.union([z.literal(1), z.literal(2)]),
  type: z.literal('modula-audit/export'),
  exportId: z.uuid(),
  tenantId: z.uuid(),
  tenantName: z.string(),
  format: ZExportFormat,
  /** File name of the export (the manifest sits beside it). */
  file: z.string(),
  bytes: z.number().int(),
  sha256: ZHex32,
  rows: z.number().int(),
  filter: ZEventsFilter,
  generatedAt: z.iso.datetime(),
  generatedBy: z.object({ userId: z.string().nullable(), name: z.string().nullable(), email: z.string().nullable() }),
  /** Chain positions of the first and last exported event (null when none matched). */
  chainRange: z.object({ fromSeq: z.number().int().nullable(), toSeq: z.number().int().nullable() }),
  /** The signed checkpoint covering every exported event (rows are taken at or below its seq). */
  checkpoint: ZCheckpoint,
  /** SHA-256 over the 32-byte chain hashes of the exported events, in order (printed on the PDF's last page). */
  rowsDigest: ZHex32,
  /** Ed25519 (base64) over `exportStatementText`: the statement printed on the PDF's last page (a file cannot hold its own checksum). */
  statementSignature: z.string(),
  keyId: z.string(),
  /** Version 2: the IANA time zone of the pack's local times (the tenant's, `cli tenant set-time-zone`). */
  timeZone: z.string().optional(),
  /**
   * What made the pack (signed). Absent only from manifests signed before 2026-12-02, when it was
   * added: every manifest signed since carries it, so its absence itself dates a manifest (README
   * "Retention per tenant").
   */
  kind: ZExportKind.optional(),
  /**
   * The retention anchor the tenant's log started after when the pack was made (its newest, checked
   * as verify-chain checks it): events 1..`seq` had expired into the archive pack `archiveExportId`
   * (`archiveSha256`), and the first event kept links to `hash`. A pack of the whole log then starts
   * at `seq` + 1; without it, at event 1. Absent when nothing had expired, and from manifests signed
   * before 2026-12-02. `legacy` (signed since 2026-12-03): that anchor, or one before it, was accepted
   * on an archive manifest signed before `kind` existed, which proves less (README "Retention per tenant").
   */
  anchor: z
    .object({ seq: z.number().int().min(1), hash: ZHex32, archiveExportId: z.uuid(), archiveSha256: ZHex32, legacy: z.literal(true).optional() })
    .optional(),
  signature: z.string(),
});
export type TExportManifest = z.infer<typeof ZExportManifest>;
export type TExportAnchor = NonNullable<TExportManifest['anchor']>;

export const ZExportJob = z.strictObject({
  v: z.literal(1),
  tenantId: z.uuid(),
  exportId: z.uuid(),
  /**
   * SHA-256 of the request as it was asked for (format, filter as it selects, requester), taken when
   * the row was written: the worker signs nothing its row no longer says (a row rewritten in the
   * database before the job ran). Absent from jobs queued before 2026-12-03 and from the operators' CLI.
   */
  request: ZHex32.optional(),
});
export type TExportJob = z.infer<typeof ZExportJob>;

/** Mails the link of a READY pack to the Admin who asked for it (SMTP_URL set); queued by the export job once the pack is ready. */
export const ZExportMailJob = z.strictObject({
  v: z.literal(1),
  tenantId: z.uuid(),
  exportId: z.uuid(),
});
export type TExportMailJob = z.infer<typeof ZExportMailJob>;

export const ZCheckpointJob = z.strictObject({
  v: z.literal(1),
  /** One tenant, or every tenant whose log grew since its last checkpoint. */
  tenantId: z.uuid().optional(),
});
export type TCheckpointJob = z.infer<typeof ZCheckpointJob>;

/** Retention's expiry on `audit-checkpoints`: one tenant, or every tenant with a retention period (scheduled). */
export const ZRetentionJob = z.strictObject({ v: z.literal(1), tenantId: z.uuid().optional() });
export type TRetentionJob = z.infer<typeof ZRetentionJob>;

/** The scheduled sweep on `audit-exports` that deletes pack files older than EXPORT_RETENTION_HOURS (every tenant). */
export const ZExportRetentionJob = z.strictObject({ v: z.literal(1) });
export type TExportRetentionJob = z.infer<typeof ZExportRetentionJob>;
