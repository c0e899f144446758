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

/**
 * One character as drawn: which font, its glyph id as the two bytes of a PDF literal string
 * (Identity-H), escaped, and its advance in thousandths of the size.
 */
interface TGlyph {
  font: TEmbeddedFont;
  code: string;
  advance: number;
}

interface TEncoded {
  runs: [TEmbeddedFont, string][];
  advance: number;
}

/** Two bytes of a glyph id in a PDF literal string: backslash, parentheses and CR escaped (a reader would turn a raw CR into LF). */
const literalByte = (b: number) => (b === 0x5c || b === 0x28 || b === 0x29 ? `\\${String.fromCharCode(b)}` : b === 0x0d ? '\\r' : String.fromCharCode(b));
const glyphCode = (gid: number) => literalByte(gid >> 8) + literalByte(gid & 0xff);

/** A PDF literal-free text writer over one pdfkit document. */
export class PdfText {
  private readonly fonts = new Map<string, TEmbeddedFont>();
  private readonly glyphs: Record<TWeight, Map<number, TGlyph[] | TGlyph>> = { 400: new Map(), 700: new Map() };
  /** Printable ASCII, the most of any line, looked up by index. */
  private readonly ascii: Record<TWeight, (TGlyph | undefined)[]> = { 400: [], 700: [] };
  private pageFonts = new Set<string>();
  private readonly encoded: Record<TWeight, Map<string, TEncoded>> = { 400: new Map(), 700: new Map() };
  /** The font and size the current BT … ET block has set (reset with each block: finishPage). */
  private current: { font: TEmbeddedFont | undefined; size: number } = { font: undefined, size: 0 };
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
      found = { font, code: glyphCode(Number.parseInt(hex[0]!, 16)), advance: positions[0]!.advanceWidth };
      break;
    }
    found ??= Array.from(`[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]`).map((c) => this.glyphsOf(c.codePointAt(0)!, weight) as TGlyph);
    cache.set(cp, found);
    return found;
  }

  private glyphOrRun(cp: number, weight: TWeight): TGlyph[] | TGlyph {
    if (cp >= 0x20 && cp < 0x7f) {
      const fast = this.ascii[weight];
      return (fast[cp] ??= this.glyphsOf(cp, weight) as TGlyph);
    }
    // control characters (a line break in a value) take no room: shown as a space
    return this.glyphsOf(cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0x20 : cp, weight);
  }

  private eachGlyph(text: string, weight: TWeight, visit: (g: TGlyph) => void): void {
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      const g = this.glyphOrRun(cp, weight);
      if (Array.isArray(g)) for (const one of g) visit(one);
      else visit(g);
    }
  }

  /** A text's glyphs as runs of one font, and its advance, from a bounded cache (actions, names, branches repeat on every page). */
  private encode(text: string, weight: TWeight): TEncoded {
    const cache = this.encoded[weight];
    const hit = cache.get(text);
    if (hit) return hit;
    const runs: [TEmbeddedFont, string][] = [];
    let advance = 0;
    let last: [TEmbeddedFont, string] | undefined;
    this.eachGlyph(text, weight, (g) => {
      advance += g.advance;
      if (last && last[0] === g.font) last[1] += g.code;
      else runs.push((last = [g.font, g.code]));
    });
    const encoded = { runs, advance };
    if (cache.size >= 20_000) cache.clear();
    cache.set(text, encoded);
    return encoded;
  }

  /** Width of a text at `size` points. */
  width(text: string, size: number, weight: TWeight = 400): number {
    return (this.encode(text, weight).advance * size) / 1000;
  }

  /** The text, cut with "…" so that it fits in `width` points. */
  fit(text: string, width: number, size: number, weight: TWeight = 400): string {
    const limit = (width * 1000) / size;
    if (this.encode(text, weight).advance <= limit) return text;
    const room = limit - (this.glyphOrRun(0x2026, weight) as TGlyph).advance;
    let used = 0;
    let end = 0;
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      const g = this.glyphOrRun(cp, weight);
      used += Array.isArray(g) ? g.reduce((sum, one) => sum + one.advance, 0) : g.advance;
      if (used > room) break;
      if (cp > 0xffff) i++;
      end = i + 1;
    }
    return `${text.slice(0, end)}…`;
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
   * `BT … ET` block in a top-down coordinate system, as pdf-writer sets up): a Tf and a Tj of two-byte glyph codes per
   * run of one font; the text position advances by the glyphs' widths between runs.
   */
  line(x: number, y: number, size: number, text: string, weight: TWeight = 400, pageHeight = 595.28): string {
    const { runs } = this.encode(text, weight);
    if (runs.length === 0) return '';
    const baseline = pageHeight - y - (this.ascender / 1000) * size;
    let ops = `1 0 0 1 ${x.toFixed(2)} ${baseline.toFixed(2)} Tm`;
    for (const [font, codes] of runs) {
      // the text state lasts the whole BT … ET block (one per page): a font is set only when it changes
      if (font !== this.current.font || size !== this.current.size) {
        ops += ` /${font.id} ${size} Tf`;
        this.current = { font, size };
        this.pageFonts.add(font.id);
      }
      ops += ` (${codes}) Tj`;
    }
    return ops;
  }

  /** Names the fonts the page's text used in its resources, and ends the text block's state; call when the block is written, before the page is. */
  finishPage(): void {
    const resources = (this.doc.page as unknown as { fonts: Record<string, unknown> }).fonts;
    for (const font of this.fonts.values()) if (this.pageFonts.has(font.id)) resources[font.id] ??= font.ref();
    this.pageFonts = new Set();
    this.current = { font: undefined, size: 0 };
  }
}
