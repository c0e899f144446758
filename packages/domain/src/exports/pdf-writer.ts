import { describeAuditEvent, type TAction, type TDenialReason, type TOutcome } from '@modula/contracts';
import { createRequire } from 'node:module';
import type PdfDocument from 'pdfkit';
import type { TEventViewRow } from '../read/event-view.ts';
import { changesText } from './changes-text.ts';
import type { HashingFile } from './hashing-file.ts';
import { localTimeFormatter } from './local-time.ts';
import { PdfText, type TWeight } from './pdf-text.ts';

/** What the PDF's first page states about the pack. */
export interface TPdfCover {
  tenantName: string;
  tenantId: string;
  exportId: string;
  filterLines: string[];
  timeRange: string;
  generatedAt: string;
  generatedBy: string;
  rows: number;
  chainRange: string;
  /** The tenant's IANA zone: every time of the listing is local to it, with its offset. */
  timeZone: string;
  /** Branch id → name, for the listing. */
  branchNames: ReadonlyMap<string, string>;
}

/** What its last page states: the checksum of the rows, the signature over the statement, the checkpoint. */
export interface TPdfClosing {
  rowsDigest: string;
  statement: string;
  statementSignature: string;
  keyId: string;
  checkpointLines: string[];
}

const MARGIN = 36;
const FONT = 6.2;
const LINE = 7.4;
/** Three lines an event: its facts, its sentence and where, its changes (before -> after). */
const ROW = LINE * 3 + 2.2;
const TOP = MARGIN + 34;
const PAGE_WIDTH = 841.89;
const PAGE_HEIGHT = 595.28;
const BOTTOM = PAGE_HEIGHT - MARGIN - 16;
const WIDTH = PAGE_WIDTH - 2 * MARGIN;
export const ROWS_PER_PAGE = Math.floor((BOTTOM - TOP - LINE * 2 - 4) / ROW);

/** The listing's columns: x offset from the margin and width, in points. */
const COLUMNS = {
  seq: [0, 34],
  time: [36, 108],
  action: [146, 110],
  outcome: [258, 150],
  actor: [410, 150],
  target: [562, 208],
  sentence: [36, 522],
  where: [562, 208],
  changes: [36, 734],
} as const satisfies Record<string, readonly [number, number]>;

/** The row a PDF lists (the columns exportRows selects for it). */
export type TPdfRow = Pick<
  TEventViewRow,
  | 'seq'
  | 'occurred_at'
  | 'action'
  | 'outcome'
  | 'reason'
  | 'claimed_outcome'
  | 'actor_type'
  | 'actor_id'
  | 'actor_role'
  | 'actor_name'
  | 'entity_type'
  | 'entity_id'
  | 'entity_label'
  | 'description'
  | 'branch_id'
  | 'ip'
  | 'device_id'
  | 'offline'
  | 'before'
  | 'after'
  | 'metadata'
  | 'hash'
>;

/** The one sentence of the viewer and the CSV (contracts' describeAuditEvent) for a PDF row. */
export function pdfRowSentence(r: TPdfRow): string {
  return describeAuditEvent({
    action: r.action as TAction,
    outcome: r.outcome as TOutcome,
    reason: r.reason as TDenialReason | null,
    claimedOutcome: r.claimed_outcome as TOutcome,
    actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
    entity: r.entity_type === null || r.entity_id === null ? null : { id: r.entity_id, label: r.entity_label },
    context: { ip: r.ip },
    metadata: r.metadata,
  });
}

/**
 * A paginated, official-looking PDF written as a stream: each page is flushed to the file when
 * the next begins (pdfkit without bufferPages), so memory stays at one page. The page count is
 * known in advance (a fixed number of rows per page), so every page says "page X of Y".
 *
 * All text is Noto Sans, embedded (PdfText: full Latin, Greek, Cyrillic, Vietnamese, Devanagari),
 * written as PDF text operators at fixed places, one block per page: pdfkit lays out the pages,
 * compresses them and embeds the font subsets. Times are local to the tenant's zone, with offset.
 */
export function pdfWriter(file: HashingFile, cover: TPdfCover) {
  // loaded by the first PDF pack: pdfkit and its font engine take a quarter of a second to load, in every process that imports the domain
  const PDFDocument = createRequire(import.meta.url)('pdfkit') as typeof PdfDocument;
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    bufferPages: false,
    autoFirstPage: false,
    compress: true,
    info: {
      Title: `Audit log export ${cover.exportId}`,
      Author: 'Modula Audit',
      Subject: `Audit log of ${cover.tenantName}`,
      CreationDate: new Date(cover.generatedAt),
    },
  });
  doc.on('data', (chunk: Buffer) => file.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const text = new PdfText(doc);
  const local = localTimeFormatter(cover.timeZone);
  const localTime = (utcIso: string) => local(utcIso).replace('T', ' ');
  const totalPages = 2 + Math.ceil(cover.rows / ROWS_PER_PAGE);
  let page = 0;
  let rowInPage = ROWS_PER_PAGE;
  let content: string[] = [];

  /** One line at (x, y) from the page's top-left, cut to `width` when given. */
  const line = (x: number, y: number, size: number, value: string, weight: TWeight = 400, width?: number) =>
    content.push(text.line(x, y, size, width === undefined ? value : text.fit(value, width, size, weight), weight, PAGE_HEIGHT));
  const cell = (column: keyof typeof COLUMNS, y: number, value: string, weight: TWeight = 400) =>
    line(MARGIN + COLUMNS[column][0], y, FONT, value, weight, COLUMNS[column][1]);
  /** Lines wrapped to `width` from y; answers the y below them. */
  const paragraph = (x: number, y: number, size: number, value: string, width: number, weight: TWeight = 400, leading = size * 1.35) => {
    for (const l of text.wrap(value, width, size, weight)) {
      line(x, y, size, l, weight);
      y += leading;
    }
    return y;
  };

  /**
   * Writes the page's collected text as one block in its own graphics state (pdfkit's is untouched),
   * in PDF's own coordinates (pdfkit draws pages upside down, origin at the top left).
   */
  const flushContent = () => {
    if (content.length === 0) return;
    doc.addContent(Buffer.from(`q 1 0 0 -1 0 ${PAGE_HEIGHT} cm BT\n${content.filter(Boolean).join('\n')}\nET Q\n`, 'latin1') as unknown as string);
    text.finishPage();
    content = [];
  };

  const newPage = (title: string) => {
    flushContent();
    const finished = page > 0 ? doc.page : null;
    doc.addPage(); // writes the finished page out (no bufferPages)
    // pdfkit keeps every written page's dictionary, resources and content objects for /Kids, which
    // needs only their reference ("n 0 R"): about 4 KB a page, 150 MiB for a million events
    if (finished) (finished.dictionary as unknown as { data: object }).data = {};
    page += 1;
    content.push('0 g');
    line(MARGIN, MARGIN, 10, `Audit log \u2014 ${cover.tenantName}`, 700, WIDTH);
    content.push('0.267 g');
    line(
      MARGIN,
      MARGIN + 14,
      7,
      `${title}   \u00b7   export ${cover.exportId}   \u00b7   generated ${localTime(cover.generatedAt)} (${cover.timeZone})`,
      400,
      WIDTH,
    );
    line(MARGIN, PAGE_HEIGHT - MARGIN - 8, 7, `Page ${page} of ${totalPages}`);
    line(480, PAGE_HEIGHT - MARGIN - 8, 7, 'Modula Audit \u2014 official export; the signed manifest beside this file proves it intact');
    content.push('0 g');
    flushContent();
  };

  newPage('Export summary');
  const lines: [string, string][] = [
    ['Tenant', `${cover.tenantName} (${cover.tenantId})`],
    ['Filter', cover.filterLines.join('; ') || 'none (the whole log)'],
    ['Time range (occurredAt, UTC)', cover.timeRange],
    ['Times in this listing', `${cover.timeZone}, local time with its offset from UTC (the tenant's time zone)`],
    ['Generated at', `${localTime(cover.generatedAt)}   (${cover.generatedAt})`],
    ['Generated by', cover.generatedBy],
    ['Events', String(cover.rows)],
    ['Chain positions (seq)', cover.chainRange],
    ['Pages', String(totalPages)],
  ];
  let y = MARGIN + 50;
  for (const [k, v] of lines) {
    line(MARGIN, y, 10, k, 700, 160);
    y = Math.max(paragraph(MARGIN + 170, y, 10, v, 560), y + 14) + 4;
  }
  content.push('0.267 g');
  paragraph(
    MARGIN,
    y + 16,
    8,
    'Each event is listed in chain order with its time, action, outcome, actor, target, what happened in words (a refused or ' +
      'failed action reads as an attempt), its branch and device, and the values it changed (before -> after, long values cut); ' +
      'its full record is in the CSV export of the same filter. The last page carries the checksum of the listed events, the ' +
      'signature and the signed checkpoint that covers them.',
    700,
  );
  content.push('0 g');

  const header = () => {
    const at = TOP;
    cell('seq', at, 'seq', 700);
    cell('time', at, `time (${cover.timeZone})`, 700);
    cell('action', at, 'action', 700);
    cell('outcome', at, 'outcome / reason', 700);
    cell('actor', at, 'actor (role)', 700);
    cell('target', at, 'target', 700);
    cell('sentence', at + LINE, 'what happened', 700);
    cell('where', at + LINE, 'branch / ip / device', 700);
  };

  return {
    async page(rows: TPdfRow[]) {
      for (const r of rows) {
        if (rowInPage === ROWS_PER_PAGE) {
          newPage('Events');
          header();
          rowInPage = 0;
          await file.drained();
        }
        const top = TOP + LINE * 2 + 4 + rowInPage * ROW;
        const outcome = r.reason ? `${r.outcome} ${r.reason}` : r.outcome;
        const claimed = r.claimed_outcome !== r.outcome ? ` (claimed ${r.claimed_outcome})` : '';
        const actor = `${r.actor_name ?? r.actor_id ?? r.actor_type}${r.actor_role ? ` (${r.actor_role})` : ''}`;
        const target = r.entity_type ? `${r.entity_type} ${r.entity_label ?? r.entity_id ?? ''}` : '';
        const branch = r.branch_id ? (cover.branchNames.get(r.branch_id) ?? `branch ${r.branch_id.slice(0, 8)}`) : '';
        const where = [branch, r.ip ?? '', r.device_id ?? '', r.offline ? 'offline' : ''].filter(Boolean).join(' \u00b7 ');
        const changes = changesText(r.before, r.after);
        cell('seq', top, r.seq);
        cell('time', top, localTime(r.occurred_at));
        cell('action', top, r.action);
        cell('outcome', top, outcome + claimed);
        cell('actor', top, actor);
        cell('target', top, target);
        cell('sentence', top + LINE, pdfRowSentence(r));
        cell('where', top + LINE, where);
        if (changes) {
          content.push('0.267 g');
          cell('changes', top + LINE * 2, `changes: ${changes}`);
          content.push('0 g');
        }
        rowInPage += 1;
      }
    },
    async end(closing: TPdfClosing) {
      newPage('Integrity');
      let yy = MARGIN + 50;
      const block = (title: string, body: string[]) => {
        line(MARGIN, yy, 10, title, 700, WIDTH);
        yy += 14;
        for (const b of body) yy = paragraph(MARGIN, yy, 7.5, b, WIDTH, 400, 9.5);
        yy += 10;
      };
      block('Checksum: SHA-256 over the chain hashes of the listed events, in order', [closing.rowsDigest]);
      block(`Signature: Ed25519, key ${closing.keyId} (published at /.well-known/modula-audit/keys.json), over this statement`, [
        closing.statement,
        '',
        closing.statementSignature,
      ]);
      block('Signed checkpoint covering every listed event', closing.checkpointLines);
      block('How to check this pack', [
        "pnpm --silent cli verify-export FILE --public-key keys.json   (checks the file's SHA-256 and the signed manifest FILE.manifest.json)",
        "The statement above is the RFC 8785 JSON the signature covers; the manifest repeats it with the file's own SHA-256.",
      ]);
      flushContent();
      doc.end();
      await ended;
    },
  };
}
