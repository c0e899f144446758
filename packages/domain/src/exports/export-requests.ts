import { createHash } from 'node:crypto';
import type { TEventsFilter, TExportFormat, TExportsGetOutput } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../app-error.ts';
import { canonicalJson } from '../integrity/canonical-json.ts';
import { narrowingFilter } from '../read/narrowing-filter.ts';
import { ARCHIVE_MAKERS } from '../retention/retention-archive.ts';
import type { TPackLocation, TPackStoreKind } from './pack-store.ts';

export interface TRequestedBy {
  userId: string | null;
  name: string | null;
  email: string | null;
}

export interface TExportRow {
  id: string;
  tenant_id: string;
  format: TExportFormat;
  filter: TEventsFilter;
  status: 'PENDING' | 'READY' | 'FAILED';
  requested_by_user_id: string | null;
  requested_by_name: string | null;
  requested_by_email: string | null;
  created_at: string;
  completed_at: string | null;
  file_name: string | null;
  rows: string | null;
  sha256: string | null;
  signature: string | null;
  error: string | null;
  file_deleted_at: string | null;
  /** Where the READY pack's bytes are (null: a file in the building host's DATA_DIR, before issue 14). */
  store: TPackStoreKind | null;
  blob_id: string | null;
  object_key: string | null;
  bytes: string | null;
  /** The signed manifest's text (null before issue 14: beside the file on disk). */
  manifest: string | null;
}

const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
const COLUMNS = sql`id, tenant_id, format, filter, status, requested_by_user_id, requested_by_name, requested_by_email,
  ${iso('created_at')} as created_at, ${iso('completed_at')} as completed_at, file_name, rows, sha256, signature, error,
  ${iso('file_deleted_at')} as file_deleted_at, store, blob_id, object_key, bytes, manifest`;

/** Per tenant: how many exports may be built at once (PENDING) and requested per UTC day. */
export interface TExportLimits {
  maxConcurrent: number;
  maxPerDay: number;
}

/**
 * Records a requested export (PENDING); the worker builds it. With `limits`, refuses
 * (TOO_MANY_REQUESTS, nothing recorded) while the tenant has `maxConcurrent` exports PENDING or
 * has requested `maxPerDay` today (UTC); the packs a retention cut or an offboarding writes itself are
 * not counted (ARCHIVE_MAKERS: one killed mid-way stays PENDING for good). Requests of one tenant take a transaction-scoped advisory
 * lock first, so concurrent requests — on any server — are counted one after the other.
 */
export async function createExportRequest(
  orm: Orm,
  tenantId: string,
  input: { format: TExportFormat; filter: TEventsFilter; requestedBy: TRequestedBy; limits?: TExportLimits },
): Promise<string> {
  const id = uuidv7();
  await withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    if (input.limits) await checkExportLimits(db, tenantId, input.limits);
    await sql`insert into exports (tenant_id, id, format, filter, status, requested_by_user_id, requested_by_name, requested_by_email)
      values (${tenantId}, ${id}, ${input.format}, ${JSON.stringify(narrowingFilter(input.filter))}::jsonb, 'PENDING', ${input.requestedBy.userId}, ${input.requestedBy.name}, ${input.requestedBy.email})`.execute(
      db,
    );
  });
  return id;
}

async function checkExportLimits(db: Db, tenantId: string, limits: TExportLimits): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`modula-audit:exports:${tenantId}`}, 0))`.execute(db);
  const counts = (
    await sql<{ pending: number; today: number; until_midnight: number }>`select
      count(*) filter (where status = 'PENDING')::int as pending,
      count(*) filter (where created_at >= date_trunc('day', now(), 'UTC'))::int as today,
      ceil(extract(epoch from (date_trunc('day', now(), 'UTC') + interval '1 day' - now())))::int as until_midnight
    from exports where tenant_id = ${tenantId} and (status = 'PENDING' or created_at >= date_trunc('day', now(), 'UTC'))
      and not (requested_by_user_id is null and coalesce(requested_by_name = any(${[...ARCHIVE_MAKERS]}::text[]), false))`.execute(db)
  ).rows[0]!;
  if (counts.pending >= limits.maxConcurrent) {
    throw new AppError(
      'TOO_MANY_REQUESTS',
      `${counts.pending} exports of this tenant are being built (at most ${limits.maxConcurrent} at a time): wait until one is ready, then ask again`,
    );
  }
  if (counts.today >= limits.maxPerDay) {
    throw new AppError(
      'TOO_MANY_REQUESTS',
      `this tenant has asked for ${counts.today} exports today (at most ${limits.maxPerDay} exports per day, counted in UTC): try again after midnight UTC`,
      Math.max(1, counts.until_midnight),
    );
  }
}

/**
 * What an export request says, as a digest: its format, its filter as it selects and who asked. The
 * server puts it in the export job; the worker compares it with the row it is about to sign.
 */
export function exportRequestDigest(r: { format: TExportFormat; filter: TEventsFilter; requestedBy: TRequestedBy }): string {
  const { userId, name, email } = r.requestedBy;
  const text = canonicalJson({ format: r.format, filter: narrowingFilter(r.filter), requestedBy: { userId, name, email } });
  return createHash('sha256').update(text).digest('hex');
}

/** The digest of the request an export row says was made (exportRequestDigest). */
export function exportRowDigest(row: TExportRow): string {
  return exportRequestDigest({
    format: row.format,
    filter: row.filter,
    requestedBy: { userId: row.requested_by_user_id, name: row.requested_by_name, email: row.requested_by_email },
  });
}

export async function findExportRow(db: Db, tenantId: string, exportId: string): Promise<TExportRow | undefined> {
  return (await sql<TExportRow>`select ${COLUMNS} from exports where tenant_id = ${tenantId} and id = ${exportId}`.execute(db)).rows[0];
}

/** Same-origin paths of an export's file and manifest (served to an Admin of the tenant only). */
export function exportUrls(exportId: string): { url: string; manifestUrl: string } {
  return { url: `/exports/${exportId}/file`, manifestUrl: `/exports/${exportId}/manifest` };
}

/** An export of the tenant as `exports.get` shows it; another tenant's id is NOT_FOUND (row-level security). */
export async function getExport(orm: Orm, tenantId: string, exportId: string): Promise<TExportsGetOutput & { fileName?: string }> {
  const row = await withTenant(orm, tenantId, (em) => findExportRow(dbOf(em), tenantId, exportId));
  if (!row) throw new AppError('NOT_FOUND', `no export ${exportId}`);
  const base = { status: row.status, format: row.format, createdAt: row.created_at, ...(row.completed_at ? { completedAt: row.completed_at } : {}) };
  if (row.status === 'FAILED') return { ...base, error: row.error ?? 'failed' };
  if (row.status !== 'READY') return base;
  return {
    ...base,
    rows: Number(row.rows),
    sha256: row.sha256!,
    signature: row.signature!,
    ...exportUrls(exportId),
    fileName: row.file_name!,
    ...(row.file_deleted_at ? { fileDeletedAt: row.file_deleted_at } : {}),
  };
}

/**
 * Marks a PENDING export READY with the copy just written. False when it was no longer PENDING (another
 * attempt of the same job finished first, or it failed meanwhile): the caller then removes its copy.
 */
export async function markExportReady(
  db: Db,
  tenantId: string,
  exportId: string,
  r: { fileName: string; rows: number; sha256: string; signature: string; bytes: number; manifest: string; location: TPackLocation },
): Promise<boolean> {
  const result = await sql`update exports set status = 'READY', completed_at = now(), file_name = ${r.fileName}, rows = ${r.rows}, sha256 = ${r.sha256},
    signature = ${r.signature}, error = null, bytes = ${r.bytes}, manifest = ${r.manifest}, store = ${r.location.store},
    blob_id = ${r.location.blobId}, object_key = ${r.location.objectKey}
    where tenant_id = ${tenantId} and id = ${exportId} and status = 'PENDING'`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

export async function markExportFailed(orm: Orm, tenantId: string, exportId: string, error: string): Promise<void> {
  await withTenant(orm, tenantId, (em) =>
    sql`update exports set status = 'FAILED', completed_at = now(), error = ${error.slice(0, 500)}
    where tenant_id = ${tenantId} and id = ${exportId} and status = 'PENDING'`.execute(dbOf(em)),
  );
}
