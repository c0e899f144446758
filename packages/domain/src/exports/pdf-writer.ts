import PDFDocument from 'pdfkit';
import type { TEventViewRow } from '../read/event-view.ts';
import type { HashingFile } from './hashing-file.ts';

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
const LINE = 7.2;
const ROW = LINE * 2 + 2.2;
const TOP = MARGIN + 34;
const BOTTOM = 595.28 - MARGIN - 16;
export const ROWS_PER_PAGE = Math.floor((BOTTOM - TOP - LINE * 2 - 4) / ROW);

/** The standard PDF fonts speak WinAnsi: anything else is shown as '?', never dropped silently. */
const printable = (s: string) => s.replace(/[^\x20-\x7E\u00A0-\u00FF]/g, '?');
const cut = (s: string | null | undefined, n: number) => {
  const t = printable(s ?? '');
  return t.length > n ? `${t.slice(0, n - 1)}~` : t.padEnd(n);
};
/** WinAnsi bytes of a line this writer composes (the few typographic marks it uses have their own codes). */
const WIN_ANSI: Record<string, string> = {
  '\u2014': '\x97',
  '\u2013': '\x96',
  '\u2018': '\x91',
  '\u2019': '\x92',
  '\u201C': '\x93',
  '\u201D': '\x94',
  '\u2022': '\x95',
  '\u2026': '\x85',
};
const winAnsi = (s: string) => s.replace(/[^\x20-\x7E\u00A0-\u00FF]/g, (c) => WIN_ANSI[c] ?? '?');
/** A PDF literal string: backslash and parentheses escaped. */
const pdfString = (s: string) => `(${s.replace(/[\\()]/g, '\\$&')})`;

/** What pdfkit knows of a standard font once selected: its resource name and ascent. */
interface TFontHandle {
  id: string;
  ascender: number;
  ref(): unknown;
}

/** The row a PDF lists (the columns exportRows selects for it). */
export type TPdfRow = Pick<
  TEventViewRow,
  | 'seq'
  | 'occurred_at'
  | 'action'
  | 'outcome'
  | 'reason'
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
  | 'hash'
>;

const PAGE_HEIGHT = 595.28;

/**
 * A paginated, official-looking PDF written as a stream: each page is flushed to the file when
 * the next begins (pdfkit without bufferPages), so memory stays at one page. The page count is
 * known in advance (a fixed number of rows per page), so every page says "page X of Y".
 *
 * pdfkit lays out the cover and the closing page. The lines repeated on every page (title, page
 * number, column heads, two lines per event) are one-line texts at fixed places in standard fonts,
 * so they are written as PDF text operators directly — one block per page: pdfkit's text() measures
 * and kerns every glyph (about 0.3 ms a call), which made a million events take ten minutes.
 */
export function pdfWriter(file: HashingFile, cover: TPdfCover) {
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
      Subject: `Audit log of ${printable(cover.tenantName)}`,
      CreationDate: new Date(cover.generatedAt),
    },
  });
  doc.on('data', (chunk: Buffer) => file.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const totalPages = 2 + Math.ceil(cover.rows / ROWS_PER_PAGE);
  let page = 0;
  let rowInPage = ROWS_PER_PAGE;
  let content: string[] = [];

  /** Selects a standard font and makes sure the current page's resources name it. */
  const useFont = (name: string): TFontHandle => {
    doc.font(name);
    const font = (doc as unknown as { _font: TFontHandle })._font;
    const fonts = (doc.page as unknown as { fonts: Record<string, unknown> }).fonts;
    fonts[font.id] ??= font.ref();
    return font;
  };
  const fonts = () => ({ bold: useFont('Helvetica-Bold'), plain: useFont('Helvetica'), mono: useFont('Courier'), monoBold: useFont('Courier-Bold') });
  let f = { bold: null, plain: null, mono: null, monoBold: null } as unknown as ReturnType<typeof fonts>;
  /** One line of text whose top is at (x, y) from the page's top-left, like pdfkit's text(). */
  const line = (font: TFontHandle, size: number, x: number, y: number, text: string) =>
    `/${font.id} ${size} Tf 1 0 0 1 ${x.toFixed(2)} ${(PAGE_HEIGHT - y - (font.ascender / 1000) * size).toFixed(2)} Tm ${pdfString(text)} Tj`;
  /**
   * Writes the page's collected text as one block in its own graphics state (pdfkit's is untouched),
   * in PDF's own coordinates (pdfkit draws pages upside down, origin at the top left).
   */
  const flushContent = () => {
    if (content.length === 0) return;
    doc.addContent(Buffer.from(`q 1 0 0 -1 0 ${PAGE_HEIGHT} cm BT\n${content.join('\n')}\nET Q\n`, 'latin1') as unknown as string);
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
    f = fonts();
    content.push(
      '0 g',
      line(f.bold, 10, MARGIN, MARGIN, winAnsi(`Audit log \u2014 ${printable(cover.tenantName)}`)),
      '0.267 g',
      line(f.plain, 7, MARGIN, MARGIN + 14, winAnsi(`${title}   \u00b7   export ${cover.exportId}   \u00b7   generated ${cover.generatedAt}`)),
      line(f.plain, 7, MARGIN, PAGE_HEIGHT - MARGIN - 8, `Page ${page} of ${totalPages}`),
      line(f.plain, 7, 480, PAGE_HEIGHT - MARGIN - 8, winAnsi('Modula Audit \u2014 official export; the signed manifest beside this file proves it intact')),
      '0 g',
    );
    flushContent();
  };

  newPage('Export summary');
  const lines: [string, string][] = [
    ['Tenant', `${cover.tenantName} (${cover.tenantId})`],
    ['Filter', cover.filterLines.join('; ') || 'none (the whole log)'],
    ['Time range (occurredAt)', cover.timeRange],
    ['Generated at', cover.generatedAt],
    ['Generated by', cover.generatedBy],
    ['Events', String(cover.rows)],
    ['Chain positions (seq)', cover.chainRange],
    ['Pages', String(totalPages)],
  ];
  let y = MARGIN + 50;
  for (const [k, v] of lines) {
    doc.font('Helvetica-Bold').fontSize(10).text(k, MARGIN, y, { width: 160 });
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(printable(v), MARGIN + 170, y, { width: 560 });
    y = Math.max(doc.y, y + 14) + 4;
  }
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor('#444')
    .text(
      'Each event is listed in chain order with its time (UTC), action, outcome, actor, target and description; its full record, ' +
        'including before/after values and context, is in the CSV export of the same filter. The last page carries the checksum of ' +
        'the listed events, the signature and the signed checkpoint that covers them.',
      MARGIN,
      y + 16,
      { width: 700 },
    );
  doc.fillColor('black');

  const header = () => {
    content.push(
      line(
        f.monoBold,
        FONT,
        MARGIN,
        TOP,
        `${cut('seq', 9)} ${cut('occurredAt (UTC)', 24)} ${cut('action', 28)} ${cut('outcome / reason', 30)} ${cut('actor (role)', 40)} ${cut('target', 44)}`,
      ),
      line(f.monoBold, FONT, MARGIN, TOP + LINE, `${cut('', 9)} ${cut('description', 120)} ${cut('branch / ip / device', 48)}`),
    );
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
        const actor = `${r.actor_name ?? r.actor_id ?? r.actor_type}${r.actor_role ? ` (${r.actor_role})` : ''}`;
        const target = r.entity_type ? `${r.entity_type} ${r.entity_label ?? r.entity_id ?? ''}` : '';
        const where = [r.branch_id ? `branch ${r.branch_id.slice(0, 8)}` : '', r.ip ?? '', r.device_id ?? '', r.offline ? 'offline' : '']
          .filter(Boolean)
          .join(' ');
        content.push(
          line(
            f.mono,
            FONT,
            MARGIN,
            top,
            `${cut(r.seq, 9)} ${cut(r.occurred_at, 24)} ${cut(r.action, 28)} ${cut(outcome, 30)} ${cut(actor, 40)} ${cut(target, 44)}`,
          ),
          line(f.mono, FONT, MARGIN, top + LINE, `${cut('', 9)} ${cut(r.description, 120)} ${cut(where, 48)}`),
        );
        rowInPage += 1;
      }
    },
    async end(closing: TPdfClosing) {
      newPage('Integrity');
      let yy = MARGIN + 50;
      const block = (title: string, body: string[]) => {
        doc.font('Helvetica-Bold').fontSize(10).text(title, MARGIN, yy);
        doc
          .font('Courier')
          .fontSize(7.5)
          .text(body.map(printable).join('\n'), MARGIN, doc.y + 2, { width: 770 });
        yy = doc.y + 12;
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
      doc.end();
      await ended;
    },
  };
}
