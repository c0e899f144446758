import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse';
import { ZExportManifest, type TExportAnchor, type TExportKind, type TExportManifest } from '@modula/contracts';
import { checkpointSignatureValid, manifestSigningText } from '../integrity/signing-text.ts';
import { verifySignature, type TKeyring } from '../integrity/signing-key.ts';
import { exportStatementText } from './build-export.ts';
import { CSV_FORMATS } from './csv-cells.ts';
import { isWholeLog, wholeLogBounds, wholeLogCountProblem } from './whole-log.ts';

export interface TExportCheck {
  ok: boolean;
  reason: string | null;
  rows?: number;
  sha256?: string;
  keyId?: string;
  /** What the pack is, from its manifest once its signature holds: whose log, which part of it, when. */
  exportId?: string;
  tenantId?: string;
  tenantName?: string;
  filter?: TExportManifest['filter'];
  /** True when the filter is not empty: the pack holds the events that match it, not the whole log. */
  filtered?: boolean;
  chainRange?: TExportManifest['chainRange'];
  generatedAt?: string;
  /** The signed checkpoint the pack was taken at (its rows are at or below its seq). */
  checkpoint?: { seq: number; createdAt: string };
  /**
   * What made the pack, as signed: `export`, `retention-archive` (a retention cut's archive) or
   * `offboarding-pack`; null for a manifest signed before 2026-12-02, which does not say.
   */
  kind?: TExportKind | null;
  /** The retention anchor the log started after when the pack was made (signed); absent when it names none. */
  anchor?: TExportAnchor;
}

/** The signed facts of a manifest that say what the pack is, shown with every answer given after its signature holds. */
function describePack(m: TExportManifest): Partial<TExportCheck> {
  return {
    exportId: m.exportId,
    tenantId: m.tenantId,
    tenantName: m.tenantName,
    filter: m.filter,
    // a filter that narrows nothing (`ips: []`, every outcome) is the whole log, and held to its checks
    filtered: !isWholeLog(m.filter),
    chainRange: m.chainRange,
    generatedAt: m.generatedAt,
    checkpoint: { seq: m.checkpoint.seq, createdAt: m.checkpoint.createdAt },
    kind: m.kind ?? null,
    ...(m.anchor ? { anchor: m.anchor } : {}),
  };
}

async function sha256OfFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function startsWithBom(file: string): Promise<boolean> {
  for await (const chunk of createReadStream(file, { start: 0, end: 2 })) return (chunk as Buffer).equals(Buffer.from([0xef, 0xbb, 0xbf]));
  return false;
}

/**
 * Reads a CSV pack's rows (streamed): their count, order and the digest of their chain hashes. The
 * header (and whether a byte-order mark precedes it) is the one of the manifest's version, exactly.
 */
async function csvRows(file: string, version: number, whole: { fromSeq: number } | null): Promise<TCsvRows> {
  const digest = createHash('sha256');
  let rows = 0;
  let lastSeq = 0;
  let lastHash = '';
  let firstPrevHash = '';
  let problem: string | null = null;
  const format = CSV_FORMATS[version];
  if (!format) return { ...NO_ROWS, problem: `the manifest's version ${version} is not one this verifier knows (1, 2)` };
  const seqAt = format.header.indexOf('seq');
  const hashAt = format.header.indexOf('hash');
  const prevAt = format.header.indexOf('prevHash');
  if ((await startsWithBom(file)) !== format.bom)
    problem = `a CSV pack of version ${version} ${format.bom ? 'starts' : 'does not start'} with a UTF-8 byte-order mark; this file ${format.bom ? 'does not' : 'does'}`;
  let header = true;
  for await (const record of createReadStream(file).pipe(parse({ relax_column_count: true, bom: format.bom }))) {
    const cells = record as string[];
    if (header) {
      header = false;
      if (cells.join(',') !== format.header.join(',')) problem ??= `the CSV header is not the export header of version ${version}`;
      continue;
    }
    rows += 1;
    if (rows === 1) firstPrevHash = cells[prevAt] ?? '';
    const seq = Number(cells[seqAt]);
    if (!(seq > lastSeq)) problem ??= `row ${rows} (seq ${cells[seqAt]}) is not after seq ${lastSeq}: a row was duplicated or reordered`;
    // a pack of the whole log holds every event of its range, each linked to the one before: one the
    // table lost (a superuser's delete under an old checkpoint) shows here, with no database at hand
    if (whole) {
      const expected = rows === 1 ? whole.fromSeq : lastSeq + 1;
      if (seq !== expected) problem ??= `row ${rows} is event ${cells[seqAt]}, not ${expected}: a pack of the whole log misses event ${expected}`;
      else if (rows > 1 && cells[prevAt] !== lastHash) problem ??= `event ${seq} does not link to event ${lastSeq} (its prevHash is not that event's hash)`;
    }
    lastSeq = seq;
    const h = cells[hashAt] ?? '';
    lastHash = h;
    if (!/^[0-9a-f]{64}$/.test(h)) problem ??= `row ${rows} has no chain hash`;
    else digest.update(Buffer.from(h, 'hex'));
  }
  return { rows, digest: digest.digest('hex'), problem, lastSeq, lastHash, firstPrevHash };
}

interface TCsvRows {
  rows: number;
  digest: string;
  problem: string | null;
  lastSeq: number;
  /** The last row's chain hash and the first row's prevHash: where a pack of the whole log ends and starts. */
  lastHash: string;
  firstPrevHash: string;
}
const NO_ROWS: Omit<TCsvRows, 'problem'> = { rows: 0, digest: '', lastSeq: 0, lastHash: '', firstPrevHash: '' };

/**
 * Checks an export pack offline, with only the trusted public keys: the manifest is validly
 * signed, its checkpoint too, the file is byte for byte what the manifest hashes, and (CSV) its
 * rows are the ones the signed digest names, in order. The first failure is the reason.
 */
export async function verifyExportPack(file: string, manifestFile: string, keyring: TKeyring): Promise<TExportCheck> {
  const fail = (reason: string, extra: Partial<TExportCheck> = {}): TExportCheck => ({ ok: false, reason, ...extra });
  if (!existsSync(file)) return fail(`no file ${file}`);
  if (!existsSync(manifestFile)) return fail(`no manifest ${manifestFile}`);
  let manifest: TExportManifest;
  // the signature is checked over the manifest as written, every member: parsing drops members
  // this version does not know, and a manifest of a later version (as `kind` and `anchor` were once
  // added) must verify here, not read as altered
  let asWritten: TExportManifest;
  try {
    asWritten = JSON.parse(readFileSync(manifestFile, 'utf8')) as TExportManifest;
    manifest = ZExportManifest.parse(asWritten);
  } catch (err) {
    return fail(`the manifest is not a Modula Audit export manifest: ${(err as Error).message.slice(0, 200)}`);
  }
  if (!keyring.has(manifest.keyId)) return fail(`the manifest is signed with key ${manifest.keyId}, which is not among the trusted keys`);
  if (!verifySignature(keyring, manifest.keyId, manifestSigningText(asWritten), manifest.signature))
    return fail('the manifest signature is not valid: the manifest was altered or the signature swapped');
  const described = describePack(manifest);
  if (!verifySignature(keyring, manifest.keyId, exportStatementText(manifest), manifest.statementSignature))
    return fail('the statement signature is not valid', described);
  if (!checkpointSignatureValid(keyring, manifest.checkpoint)) return fail('the checkpoint in the manifest is not validly signed', described);
  if (manifest.checkpoint.tenantId !== manifest.tenantId) return fail('the checkpoint is of another tenant', described);
  if (manifest.chainRange.toSeq !== null && manifest.chainRange.toSeq > manifest.checkpoint.seq)
    return fail('the pack holds events beyond its checkpoint', described);
  const bounds = described.filtered ? null : wholeLogBounds(manifest);
  if (bounds?.problem) return fail(bounds.problem, described);
  const { sha256, bytes } = await sha256OfFile(file);
  const base = { sha256, keyId: manifest.keyId, ...described };
  if (manifest.format === 'csv') {
    const from = manifest.chainRange.fromSeq;
    const whole = !described.filtered && from !== null ? { fromSeq: from } : null;
    const csv = await csvRows(file, manifest.v, whole).catch(
      (err: Error): TCsvRows => ({ ...NO_ROWS, rows: -1, problem: `the file is not valid CSV: ${err.message.slice(0, 200)}` }),
    );
    if (csv.problem) return fail(csv.problem, base);
    if (whole && csv.rows > 0 && csv.lastSeq !== manifest.chainRange.toSeq)
      return fail(`the pack of the whole log ends at event ${csv.lastSeq}, its signed range at ${manifest.chainRange.toSeq}`, base);
    // its ends are tied to what is signed apart from the table: the genesis hash or the anchor's, and the checkpoint's
    if (whole && csv.rows > 0 && bounds?.start && csv.firstPrevHash !== bounds.start.prevHash)
      return fail(
        `event ${from} does not link to ${bounds.start.seq === 1 ? 'the genesis hash' : `the retention anchor at event ${bounds.start.seq - 1}`} (its prevHash is not ${bounds.start.prevHash})`,
        base,
      );
    if (whole && csv.rows > 0 && manifest.kind !== undefined && csv.lastSeq === manifest.checkpoint.seq && csv.lastHash !== manifest.checkpoint.hash)
      return fail(`event ${csv.lastSeq} does not hash to what its signed checkpoint says (${manifest.checkpoint.hash})`, base);
    if (csv.rows !== manifest.rows)
      return fail(
        `the file has ${csv.rows} rows, the manifest ${manifest.rows}: a row was ${csv.rows < manifest.rows ? 'deleted' : 'added or duplicated'}`,
        base,
      );
    if (csv.digest !== manifest.rowsDigest) return fail('the rows are not the ones the manifest names (their chain hashes differ)', base);
  }
  if (bounds) {
    const short = wholeLogCountProblem(manifest);
    if (short) return fail(short, base);
  }
  if (bytes !== manifest.bytes) return fail(`the file has ${bytes} bytes, the manifest says ${manifest.bytes}`, base);
  if (sha256 !== manifest.sha256) return fail(`the file's SHA-256 ${sha256} is not the manifest's ${manifest.sha256}: the file was altered`, base);
  return { ok: true, reason: null, rows: manifest.rows, ...base };
}
