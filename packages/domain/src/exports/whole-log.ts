import type { TEventsFilter, TExportKind, TExportManifest } from '@modula/contracts';
import { AppError } from '../app-error.ts';
import { GENESIS_HASH } from '../integrity/chain.ts';
import { narrowingFilter } from '../read/narrowing-filter.ts';

/**
 * A pack of the whole log is one whose filter narrows nothing. Only such a pack can be held, offline,
 * to starting at genesis (or right after its anchor), ending at its checkpoint and missing nothing.
 */
export function isWholeLog(filter: TEventsFilter): boolean {
  return Object.keys(narrowingFilter(filter)).length === 0;
}

/**
 * Where a pack of the whole log must start and end, from its signed manifest alone: right after the
 * retention anchor it names (else at event 1, linked to the genesis hash), and at its checkpoint.
 * The range comes from the table the pack was made of: a superuser who deleted the first events under
 * an old checkpoint (the head unchanged, so the checkpoint is reused) gets a pack whose rows all link,
 * starting later. Packs whose manifest predates the signed kind (before 2026-12-02) name no anchor:
 * of those, only one starting at event 1 can be held to genesis.
 */
export function wholeLogBounds(m: Pick<TExportManifest, 'chainRange' | 'checkpoint' | 'anchor' | 'kind'>): {
  start: { seq: number; prevHash: string } | null;
  problem: string | null;
} {
  const { fromSeq, toSeq } = m.chainRange;
  const cp = m.checkpoint;
  if (m.kind === undefined) return { start: fromSeq === 1 ? { seq: 1, prevHash: GENESIS_HASH } : null, problem: null };
  const start = m.anchor ? { seq: m.anchor.seq + 1, prevHash: m.anchor.hash } : { seq: 1, prevHash: GENESIS_HASH };
  const after = m.anchor ? `, after the retention anchor at event ${m.anchor.seq} it names,` : ' and names no retention anchor';
  if (m.anchor && (m.anchor.seq > cp.seq || (m.anchor.seq === cp.seq && m.anchor.hash !== cp.hash)))
    return { start, problem: `the retention anchor at event ${m.anchor.seq} the manifest names is not part of the log its checkpoint (${cp.seq}) signs` };
  if (fromSeq === null || toSeq === null) {
    if (cp.seq === start.seq - 1) return { start, problem: null };
    return { start, problem: `the pack of the whole log holds no event, but its checkpoint covers events ${start.seq}..${cp.seq}: they are missing` };
  }
  if (fromSeq > start.seq)
    return { start, problem: `the pack of the whole log starts at event ${fromSeq}${after}: events ${start.seq}..${fromSeq - 1} are missing` };
  if (fromSeq < start.seq)
    return {
      start,
      problem: `the pack of the whole log starts at event ${fromSeq}, but the retention anchor it names says events 1..${start.seq - 1} had expired`,
    };
  if (toSeq !== cp.seq)
    return { start, problem: `the pack of the whole log ends at event ${toSeq}, its checkpoint at ${cp.seq}: events ${toSeq + 1}..${cp.seq} are missing` };
  return { start, problem: null };
}

/**
 * Between its ends, a pack of the whole log holds every event: as many rows as its signed range is
 * long. A CSV pack shows which one is missing (csvRows); a PDF pack has only its signed count.
 */
export function wholeLogCountProblem(m: Pick<TExportManifest, 'rows' | 'chainRange'>): string | null {
  const { fromSeq, toSeq } = m.chainRange;
  const span = fromSeq === null || toSeq === null ? 0 : toSeq - fromSeq + 1;
  if (m.rows === span) return null;
  const range = fromSeq === null ? 'no event' : `events ${fromSeq}..${toSeq}`;
  const missing = span - m.rows;
  return missing > 0
    ? `the pack of the whole log holds ${m.rows} events, but its signed range (${range}) has ${span}: ${missing} ${missing === 1 ? 'is' : 'are'} missing`
    : `the pack of the whole log holds ${m.rows} events, more than its signed range (${range}) has`;
}

/**
 * What a pack of the whole log, about to be signed, would miss: its ends and its count, as
 * verify-export will hold them. The service refuses to sign such a pack (the table lost events under
 * a checkpoint: verify-chain says which), rather than sign one that is bound to fail offline.
 */
export function wholeLogGap(m: Pick<TExportManifest, 'rows' | 'chainRange' | 'checkpoint' | 'anchor'> & { kind: TExportKind }): string | null {
  return wholeLogBounds(m).problem ?? wholeLogCountProblem(m);
}

/**
 * The refusal of a pack of the whole log that would not pass verify-export: one wording for the
 * export job and the retention archive, pointing the operator at verify-chain, which names the fault.
 */
export function wholeLogRefusal(cause: { anchorProblem: string } | { gap: string }): AppError {
  const why =
    'anchorProblem' in cause
      ? `the tenant's retention anchor does not check (${cause.anchorProblem})`
      : `the table no longer holds the whole log its checkpoint signs (${cause.gap})`;
  return new AppError('CONFLICT', `nothing was signed: ${why}; run verify-chain`);
}
