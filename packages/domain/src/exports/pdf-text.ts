import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Text in a PDF in Noto Sans, embedded (subset to the glyphs used, with a ToUnicode map so the text
 * can be searched and copied): "Łukasz", "Zoë", Greek and Cyrillic print as written. Fontsource
 * ships Noto Sans as one file per script (latin, latin-ext, greek, cyrillic, …; `unicode.json`
 * says which code points each covers), so each character is drawn from the first file that has
 * it; one that none has (CJK, emoji) is written as [U+XXXX], never dropped or turned into "?".
 *
 * Lines are written as PDF text operators at fixed places, one character's glyph looked up once
 * per document: pdfkit's text() lays out and kerns every string (about 0.3 ms a call), far too
 * slow for a million events. No kerning or ligatures, which an audit listing does not need.
 */

const FONT_PACKAGE = '@fontsource/noto-sans';
const SUBSETS = ['latin', 'latin-ext', 'vietnamese', 'greek', 'greek-ext', 'cyrillic', 'cyrillic-ext', 'devanagari'] as const;
export type TWeight = 400 | 700;

interface TSubsetFile {
  subset: string;
  ranges: [number, number][];
  files: Record<TWeight, Buffer>;
}

const require = createRequire(import.meta.url);
let loaded: TSubsetFile[] | undefined;

/** The font files and their code point ranges, read once per process (WOFF: pdfkit's fontkit reads it). */
function subsetFiles(): TSubsetFile[] {
  if (loaded) return loaded;
  const unicode = JSON.parse(readFileSync(require.resolve(`${FONT_PACKAGE}/unicode.json`), 'utf8')) as Record<string, string>;
  loaded = SUBSETS.map((subset) => ({
    subset,
    ranges: (unicode[subset] ?? '').split(',').map((r) => {
      const [lo, hi] = r.replace('U+', '').split('-');
      return [Number.parseInt(lo!, 16), Number.parseInt(hi ?? lo!, 16)] as [number, number];
    }),
    files: {
      400: readFileSync(require.resolve(`${FONT_PACKAGE}/files/noto-sans-${subset}-400-normal.woff`)),
      700: readFileSync(require.resolve(`${FONT_PACKAGE}/files/noto-sans-${subset}-700-normal.woff`)),
    },
  }));
  return loaded;
}

/** What pdfkit keeps of an embedded font: its resource name, the fontkit font, and `encode`, which adds a glyph to the subset. */
interface TEmbeddedFont {
  id: string;
  ascender: number;
  font: { glyphForCodePoint(cp: number): { id: number } };
  encode(text: string): [string[], { advanceWidth: number }[]];
  ref(): unknown;
}

/** One character as drawn: which font, its glyph id (4 hex digits), its advance in thousandths of the size. */
interface TGlyph {
  font: TEmbeddedFont;
  hex: string;
  advance: number;
}

export interface TTextRun {
  font: TEmbeddedFont;
  hex: string;
}

/** A PDF literal-free text writer over one pdfkit document. */
export class PdfText {
  private readonly fonts = new Map<string, TEmbeddedFont>();
  private readonly glyphs: Record<TWeight, Map<number, TGlyph[] | TGlyph>> = { 400: new Map(), 700: new Map() };
  private pageFonts = new Set<string>();
  /** The ascent of Noto Sans, in thousandths of the size (the same for every subset file). */
  readonly ascender: number;

  constructor(private readonly doc: PDFKit.PDFDocument) {
    for (const s of subsetFiles()) for (const w of [400, 700] as const) doc.registerFont(`noto-${s.subset}-${w}`, s.files[w]);
    this.ascender = this.font('latin', 400).ascender;
  }

  private font(subset: string, weight: TWeight): TEmbeddedFont {
    const name = `noto-${subset}-${weight}`;
    let font = this.fonts.get(name);
    if (!font) {
      const previous = (this.doc as unknown as { _font: unknown })._font;
      this.doc.font(name);
      font = (this.doc as unknown as { _font: TEmbeddedFont })._font;
      (this.doc as unknown as { _font: unknown })._font = previous;
      this.fonts.set(name, font);
    }
    return font;
  }

  /** The glyphs of one code point: itself, or [U+XXXX] written in Latin when no file has it. */
  private glyphsOf(cp: number, weight: TWeight): TGlyph[] | TGlyph {
    const cache = this.glyphs[weight];
    const cached = cache.get(cp);
    if (cached) return cached;
    let found: TGlyph | TGlyph[] | undefined;
    for (const s of subsetFiles()) {
      if (!s.ranges.some(([lo, hi]) => cp >= lo && cp <= hi)) continue;
      const font = this.font(s.subset, weight);
      if (font.font.glyphForCodePoint(cp).id === 0) continue;
      const [hex, positions] = font.encode(String.fromCodePoint(cp));
      found = { font, hex: hex[0]!, advance: positions[0]!.advanceWidth };
      break;
    }
    found ??= Array.from(`[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]`).map((c) => this.glyphsOf(c.codePointAt(0)!, weight) as TGlyph);
    cache.set(cp, found);
    return found;
  }

  private eachGlyph(text: string, weight: TWeight, visit: (g: TGlyph) => boolean | undefined): void {
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      // control characters (a line break in a value) take no room: shown as a space
      const g = this.glyphsOf(cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0x20 : cp, weight);
      for (const one of Array.isArray(g) ? g : [g]) if (visit(one) === false) return;
    }
  }

  /** Width of a text at `size` points. */
  width(text: string, size: number, weight: TWeight = 400): number {
    let w = 0;
    this.eachGlyph(text, weight, (g) => {
      w += g.advance;
      return undefined;
    });
    return (w * size) / 1000;
  }

  /** The text, cut with "…" so that it fits in `width` points. */
  fit(text: string, width: number, size: number, weight: TWeight = 400): string {
    if (this.width(text, size, weight) <= width) return text;
    const room = width - this.width('…', size, weight);
    let used = 0;
    let out = '';
    for (const ch of text) {
      used += this.width(ch, size, weight);
      if (used > room) break;
      out += ch;
    }
    return `${out}…`;
  }

  /** The text broken into lines of at most `width` points, at spaces where it can. */
  wrap(text: string, width: number, size: number, weight: TWeight = 400): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split('\n')) {
      let line = '';
      for (const word of paragraph.split(/(?<= )/)) {
        if (this.width(line + word, size, weight) <= width) {
          line += word;
          continue;
        }
        if (line !== '') lines.push(line.trimEnd());
        line = '';
        let rest = word;
        while (this.width(rest, size, weight) > width) {
          let cut = '';
          for (const ch of rest) {
            if (this.width(cut + ch, size, weight) > width) break;
            cut += ch;
          }
          if (cut === '') cut = Array.from(rest)[0]!;
          lines.push(cut);
          rest = rest.slice(cut.length);
        }
        line = rest;
      }
      lines.push(line.trimEnd());
    }
    return lines;
  }

  /**
   * PDF operators that draw one line whose top-left is (x, y) from the page's top-left (inside a
   * `BT … ET` block in a top-down coordinate system, as pdf-writer sets up): a Tf and a hex Tj per
   * run of one font; the text position advances by the glyphs' widths between runs.
   */
  line(x: number, y: number, size: number, text: string, weight: TWeight = 400, pageHeight = 595.28): string {
    const runs: TTextRun[] = [];
    this.eachGlyph(text, weight, (g) => {
      const last = runs.at(-1);
      if (last && last.font === g.font) last.hex += g.hex;
      else runs.push({ font: g.font, hex: g.hex });
      return undefined;
    });
    if (runs.length === 0) return '';
    const baseline = pageHeight - y - (this.ascender / 1000) * size;
    let ops = `1 0 0 1 ${x.toFixed(2)} ${baseline.toFixed(2)} Tm`;
    for (const run of runs) {
      this.pageFonts.add(run.font.id);
      ops += ` /${run.font.id} ${size} Tf <${run.hex}> Tj`;
    }
    return ops;
  }

  /** Names the fonts the page's text used in its resources; call before the page is written out. */
  finishPage(): void {
    const resources = (this.doc.page as unknown as { fonts: Record<string, unknown> }).fonts;
    for (const font of this.fonts.values()) if (this.pageFonts.has(font.id)) resources[font.id] ??= font.ref();
    this.pageFonts = new Set();
  }
}
