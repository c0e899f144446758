import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellArbitrary, FORMULA_CHARS, formulaCells, HARMLESS_CELLS, looksLikeFormula, NAMED_BLANKS } from '../../../../testing/csv-injection.ts';
import { neutralizeCell } from './csv-cells.ts';

describe('neutralizeCell (OWASP CSV injection)', () => {
  it.each(FORMULA_CHARS.map((f) => [JSON.stringify(f), f] as const))('quotes a cell starting with %s', (_name, f) => {
    expect(neutralizeCell(`${f}SUM(1,2)`)).toBe(`'${f}SUM(1,2)`);
  });

  it.each(NAMED_BLANKS.map((b) => [JSON.stringify(b), b] as const))('looks past a leading %s to the formula behind it', (_name, b) => {
    for (const f of FORMULA_CHARS) expect(neutralizeCell(`${b}${f}1`)).toBe(`'${b}${f}1`);
    expect(neutralizeCell(`${b}${b}${b}=1`)).toBe(`'${b}${b}${b}=1`);
  });

  it('quotes every formula cell of the corpus, behind any mix of blanks, full-width forms included', () => {
    const missed = formulaCells().filter((c) => neutralizeCell(c) !== `'${c}`);
    expect(missed.map((c) => JSON.stringify(c))).toEqual([]);
  });

  it('leaves harmless cells as they are (an = that is not the first visible character, an already quoted cell)', () => {
    for (const c of HARMLESS_CELLS) expect(neutralizeCell(c), JSON.stringify(c)).toBe(c);
  });

  it('agrees with the rule on any string, and what it writes is never read as a formula', () => {
    fc.assert(
      fc.property(fc.oneof(cellArbitrary, fc.string({ unit: 'binary', maxLength: 12 })), (cell) => {
        const out = neutralizeCell(cell);
        expect(out).toBe(looksLikeFormula(cell) ? `'${cell}` : cell);
        expect(looksLikeFormula(out)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
