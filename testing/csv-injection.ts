import fc from 'fast-check';

/**
 * OWASP CSV injection, as the tests state it (independently of csv-cells.ts): a spreadsheet runs a
 * cell as a formula when its first character that is not blank is = + - @ (or a full-width
 * ＝ ＋ － ＠), or when it starts with a tab or a carriage return. "Blank" is what a spreadsheet or
 * a reader skips without seeing it: any Unicode white space (spaces, tabs, line breaks, NBSP…),
 * the zero-width characters U+200B–U+200D and U+2060, U+180E, and a byte-order mark U+FEFF. A tab
 * or a carriage return among the leading blanks is itself a formula character.
 */
export const FORMULA_CHARS = ['=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20'];

/** Blanks named by the rule (the spec), each of which must be looked past. */
export const NAMED_BLANKS = [' ', '\t', '\n', '\r', '\r\n', '\u00a0', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'];

/** More Unicode white space: also looked past. */
export const OTHER_BLANKS = ['\v', '\f', '\u0085', '\u1680', '\u180e', '\u2000', '\u2007', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000'];

const ZERO_WIDTH = new Set(['\u200b', '\u200c', '\u200d', '\u2060', '\u180e', '\u0085', '\ufeff']);
const isBlank = (c: string) => /^\s$/.test(c) || ZERO_WIDTH.has(c);

/** The oracle: would a spreadsheet read this cell as a formula? */
export function looksLikeFormula(cell: string): boolean {
  for (const c of cell) {
    if (c === '\t' || c === '\r') return true; // a formula character itself, wherever it is in the leading blanks
    if (!isBlank(c)) return FORMULA_CHARS.includes(c);
  }
  return false;
}

/** Cells that must be neutralised: every formula character behind every kind of blank prefix. */
export function formulaCells(): string[] {
  const prefixes = ['', ...NAMED_BLANKS, ...OTHER_BLANKS, '   ', ' \u00a0\u200b\ufeff\n\t\u2060 ', '\r\n\r\n', '\ufeff\ufeff'];
  const bodies = ['SUM(1,2)', 'HYPERLINK("http://evil.test","x")', "cmd|' /C calc'!A0", ''];
  return prefixes.flatMap((p) => FORMULA_CHARS.flatMap((f) => bodies.map((b) => `${p}${f}${b}`)));
}

/** Cells that must stay as they are. */
export const HARMLESS_CELLS = [
  '',
  'plain',
  ' plain',
  '\u00a0Zürich ☕',
  '\ufeffBOM then text',
  'a=b',
  '1+1',
  '2024-01-01',
  "'=already quoted",
  ' ',
  '\n',
  '\u200b',
  '   \u00a0\u200b',
  'x\n=1',
  'text\t=tab inside',
  '\u2010hyphen, not minus',
  '\u2212minus sign',
  '😀=1',
  '{"total":-1}',
  '["=x"]',
  '%=',
  '_@',
];

/** Strings made mostly of blanks, formula characters and a few others, to find disagreements. */
export const cellArbitrary = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...NAMED_BLANKS, ...OTHER_BLANKS) },
      { weight: 3, arbitrary: fc.constantFrom(...FORMULA_CHARS) },
      { weight: 2, arbitrary: fc.constantFrom('a', 'Z', '1', "'", '"', ',', '\\', '%', '_', '\u200e', '\u2212', '😀', 'é', '\uff21', '\uff1c') },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));
