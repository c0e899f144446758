import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TAuditEventInput, TCheckpoint, TEventsFilter, TExportKind, TExportManifest } from '@modula/contracts';
import { dbOf, sql, withTenant, withTenantSnapshot, type Orm } from '@modula/db';
import { DEFAULT_TIME_ZONE } from '../accounts/tenant-time-zone.ts';
import { AppError } from '../app-error.ts';
import { canonicalJson } from '../integrity/canonical-json.ts';
import { createCheckpoint } from '../integrity/checkpoints.ts';
import { pinnedKeys } from '../integrity/pinned-keys.ts';
import { narrowingFilter } from '../read/narrowing-filter.ts';
import { packAnchor } from '../integrity/verify-chain.ts';
import type { TSigner } from '../integrity/signing-key.ts';
import { manifestSigningText } from '../integrity/signing-text.ts';
import { writeCsvPack, type TCsvWritten } from './csv-writer.ts';
import { exportRowDigest, findExportRow, markExportReady, type TExportRow } from './export-requests.ts';
import { csvCopyQuery, exportRows, summarizeExport } from './export-rows.ts';
import { HashingFile } from './hashing-file.ts';
import { databasePackStore } from './database-pack-store.ts';
import type { TPackStore } from './pack-store.ts';
import { pdfWriter } from './pdf-writer.ts';
import { isWholeLog, wholeLogGap, wholeLogRefusal } from './whole-log.ts';
import { copyOutAsTenant } from './tenant-copy.ts';

export interface TBuiltExport {
  manifest: TExportManifest;
  /** The AUDIT_EXPORT_CREATED event to ingest (its eventId is the exportId: recording it twice stores it once). */
  event: TAuditEventInput;
}

/** The statement an export's `statementSignature` covers (printed on the PDF's last page). */
export function exportStatementText(
  m: Pick<TExportManifest, 'exportId' | 'tenantId' | 'format' | 'rows' | 'rowsDigest' | 'chainRange' | 'filter' | 'generatedAt'> & {
    checkpoint: Pick<TCheckpoint, 'seq' | 'merkleRoot'>;
  },
): string {
  return canonicalJson({
    type: 'modula-audit/export-statement',
    exportId: m.exportId,
    tenantId: m.tenantId,
    format: m.format,
    rows: m.rows,
    rowsDigest: m.rowsDigest,
    chainRange: m.chainRange,
    filter: m.filter,
    generatedAt: m.generatedAt,
    checkpointSeq: m.checkpoint.seq,
    checkpointMerkleRoot: m.checkpoint.merkleRoot,
  });
}

/**
 * The signed manifest (version 2) of a pack whose statement is already signed: exports and retention
 * archives alike. `kind` is required here, so each code path that builds a pack says what it is.
 */
export function signExportManifest(
  signer: TSigner,
  m: Omit<TExportManifest, 'v' | 'type' | 'keyId' | 'signature' | 'kind'> & { kind: TExportKind },
): TExportManifest {
  const unsigned: Omit<TExportManifest, 'signature'> = { v: 2, type: 'modula-audit/export', ...m, keyId: signer.keyId };
  return { ...unsigned, signature: signer.sign(manifestSigningText(unsigned)) };
}

export function exportDir(dataDir: string, tenantId: string): string {
  return join(dataDir, 'exports', tenantId);
}

export function exportFileName(exportId: string, format: string): string {
  return `modula-audit-${exportId}.${format}`;
}

function describeFilter(f: TEventsFilter): string[] {
  return Object.entries(f)
    .filter(([, v]) => v !== undefined && (!Array.isArray(v) || v.length > 0))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
}

/**
 * Builds one export pack: signs a checkpoint of the log as it is now, streams the filtered
 * events at or below it into the pack store (CSV or PDF) while hashing them, then records the
 * signed manifest and marks the export READY. Idempotent: a READY export is only re-announced.
 * `store` is where the bytes go (EXPORT_STORE; the database by default), so that any server serves
 * them; `dataDir` holds this host's pinned keys and the packs built before issue 14. `asked`: the
 * digest of the request as it was made (the job's `request`), which the row must still match.
 */
export async function buildExport(
  orm: Orm,
  signer: TSigner,
  dataDir: string,
  tenantId: string,
  exportId: string,
  store: TPackStore = databasePackStore(orm),
  asked?: string,
): Promise<TBuiltExport> {
  const request = await withTenant(orm, tenantId, (em) => findExportRow(dbOf(em), tenantId, exportId));
  if (!request) throw new AppError('NOT_FOUND', `no export ${exportId}`);
  if (request.status === 'READY') return readyExport(dataDir, tenantId, request);
  // the row is what gets signed: it must still say what was asked for (`asked`, from the job)
  if (asked !== undefined && exportRowDigest(request) !== asked)
    throw new AppError(
      'CONFLICT',
      'nothing was signed: the export no longer says what was asked for (its format, filter or requester was changed in the database after the request)',
    );
  const { keyring } = await pinnedKeys(orm, dataDir, signer);
  const { checkpoint } = await createCheckpoint(orm, signer, tenantId, { onlyIfGrown: true, keyring });
  const fileName = exportFileName(exportId, request.format);
  const upload = store.upload(tenantId, exportId, fileName);
  // as it selects: a filter that narrows nothing is the whole log, signed as {} and held to its checks
  const filter = narrowingFilter(request.filter);
  // one snapshot: a retention cut committed between the count and the anchor would look like a gap
  const { tenantName, timeZone, branchNames, summary, csvQuery, anchor, problem } = await withTenantSnapshot(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const tenant = (await sql<{ name: string; time_zone: string }>`select name, time_zone from tenants where id = ${tenantId}`.execute(db)).rows[0];
    const timeZone = tenant?.time_zone ?? DEFAULT_TIME_ZONE;
    return {
      tenantName: tenant?.name ?? '',
      timeZone,
      branchNames: new Map(
        (await sql<{ id: string; name: string }>`select id, name from branches where tenant_id = ${tenantId}`.execute(db)).rows.map((b) => [b.id, b.name]),
      ),
      summary: await summarizeExport(db, tenantId, filter, checkpoint.seq),
      csvQuery: request.format === 'csv' ? csvCopyQuery(db, tenantId, filter, checkpoint.seq, timeZone) : null,
      // where the log starts now, signed: offline, a pack of the whole log must begin right after it (or at event 1)
      ...(await packAnchor(db, tenantId, keyring)),
    };
  });
  const whole = isWholeLog(filter);
  if (whole && problem) throw wholeLogRefusal({ anchorProblem: problem });
  const generatedAt = new Date().toISOString();
  const generatedBy = { userId: request.requested_by_user_id, name: request.requested_by_name, email: request.requested_by_email };
  const chainRange = { fromSeq: summary.fromSeq, toSeq: summary.toSeq };
  const file = new HashingFile(upload.sink);
  try {
    let written: TCsvWritten;
    let pdf: ReturnType<typeof pdfWriter> | null = null;
    if (csvQuery !== null) {
      // PostgreSQL formats and quotes the CSV; this process only converts line ends, hashes and writes bytes
      let csv: TCsvWritten | undefined;
      await copyOutAsTenant(orm, tenantId, csvQuery, async (source) => {
        csv = await writeCsvPack(file, source);
      });
      written = csv!;
    } else {
      pdf = pdfWriter(file, {
        tenantName,
        tenantId,
        exportId,
        filterLines: describeFilter(filter),
        timeRange: `${filter.from ?? summary.firstAt ?? '—'} to ${filter.to ?? summary.lastAt ?? '—'}`,
        generatedAt,
        generatedBy: [generatedBy.name, generatedBy.email].filter(Boolean).join(' ') || 'system',
        rows: summary.rows,
        chainRange: summary.fromSeq === null ? 'none' : `${summary.fromSeq} to ${summary.toSeq}`,
        timeZone,
        branchNames,
      });
      written = await withTenant(orm, tenantId, async (em) => {
        const rowsHash = createHash('sha256');
        let rows = 0;
        for await (const page of exportRows(dbOf(em), tenantId, filter, checkpoint.seq)) {
          for (const r of page) rowsHash.update(Buffer.from(r.hash, 'hex'));
          rows += page.length;
          await pdf!.page(page);
        }
        return { rows, rowsDigest: rowsHash.digest('hex') };
      });
    }
    const { rows, rowsDigest } = written;
    if (rows !== summary.rows) throw new Error(`counted ${summary.rows} events but wrote ${rows}`);
    const gap = whole ? wholeLogGap({ rows, chainRange, checkpoint, anchor, kind: 'export' }) : null;
    if (gap) throw wholeLogRefusal({ gap });
    const statementFields = { exportId, tenantId, format: request.format, rows, rowsDigest, chainRange, filter, generatedAt, checkpoint };
    const statement = exportStatementText(statementFields);
    const statementSignature = signer.sign(statement);
    if (pdf) {
      await pdf.end({
        rowsDigest,
        statement,
        statementSignature,
        keyId: signer.keyId,
        checkpointLines: [
          `seq ${checkpoint.seq}   signed at ${checkpoint.createdAt}   key ${checkpoint.keyId}`,
          `chain hash  ${checkpoint.hash}`,
          `Merkle root ${checkpoint.merkleRoot}`,
          `signature   ${checkpoint.signature}`,
        ],
      });
    }
    const { sha256, bytes } = await file.close();
    const manifest = signExportManifest(signer, {
      exportId,
      tenantId,
      tenantName,
      format: request.format,
      file: fileName,
      bytes,
      sha256,
      rows,
      filter,
      generatedAt,
      generatedBy,
      chainRange,
      checkpoint,
      rowsDigest,
      statementSignature,
      timeZone,
      // whatever the row says (a superuser can rewrite it before this job reads it): a pack this job builds is an export
      kind: 'export',
      ...(anchor ? { anchor } : {}),
    });
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    const marked = await withTenant(orm, tenantId, (em) =>
      markExportReady(dbOf(em), tenantId, exportId, {
        fileName,
        rows,
        sha256,
        signature: manifest.signature,
        bytes,
        manifest: manifestText,
        location: upload.location,
      }),
    );
    if (!marked) {
      // another attempt of this job finished first (or the export failed meanwhile): keep its copy, not two
      await upload.abort();
      const now = await withTenant(orm, tenantId, (em) => findExportRow(dbOf(em), tenantId, exportId));
      if (now?.status !== 'READY') throw new AppError('CONFLICT', `export ${exportId} is ${now?.status ?? 'gone'}`);
      return readyExport(dataDir, tenantId, now);
    }
    return { manifest, event: exportEvent(request, manifest) };
  } catch (err) {
    file.destroy();
    await upload.abort().catch(() => {});
    throw err;
  }
}

/** A READY export's manifest: recorded in the row since issue 14, beside the file on disk before. */
function readyExport(dataDir: string, tenantId: string, request: TExportRow): TBuiltExport {
  const text = request.manifest ?? readFileSync(join(exportDir(dataDir, tenantId), `${request.file_name}.manifest.json`), 'utf8');
  const manifest = JSON.parse(text) as TExportManifest;
  return { manifest, event: exportEvent(request, manifest) };
}

/** Every export is itself audited: AUDIT_EXPORT_CREATED by whoever asked, carrying the file's checksum. */
function exportEvent(request: TExportRow, m: TExportManifest): TAuditEventInput {
  return {
    eventId: m.exportId,
    tenantId: m.tenantId,
    action: 'AUDIT_EXPORT_CREATED',
    outcome: 'SUCCESS',
    actor: request.requested_by_user_id
      ? { type: 'USER', id: request.requested_by_user_id, role: 'ADMIN', ...(request.requested_by_name ? { name: request.requested_by_name } : {}) }
      : { type: 'SYSTEM', name: 'Modula Audit' },
    entity: { type: 'AUDIT_EXPORT', id: m.exportId, label: `${m.format.toUpperCase()} export of ${m.rows} events` },
    occurredAt: m.generatedAt,
    // the checksum as Subresource-Integrity text (base64): a hex digest could look like a card number to redaction
    metadata: {
      format: m.format,
      rows: m.rows,
      checksum: `sha256-${Buffer.from(m.sha256, 'hex').toString('base64')}`,
      bytes: m.bytes,
      fromSeq: m.chainRange.fromSeq,
      toSeq: m.chainRange.toSeq,
      checkpointSeq: m.checkpoint.seq,
      keyId: m.keyId,
    },
  } as TAuditEventInput;
}
