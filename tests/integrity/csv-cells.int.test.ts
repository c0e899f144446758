import { CSV_SELECT_LIST, neutralizeCell, neutralizedSql } from '../../packages/domain/src/exports/csv-cells.ts';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellArbitrary, formulaCells, HARMLESS_CELLS, looksLikeFormula } from '../../testing/csv-injection.ts';
import { connect, createTestDatabase } from '../../testing/database.ts';

/**
 * CSV packs are formatted by PostgreSQL (COPY with neutralizedSql), while neutralizeCell states the
 * same rule in JavaScript. Both run here over the same corpus, the SQL in a real PostgreSQL, and
 * must give the same cell, byte for byte — and the rule's answer.
 */
let db: pg.Client;

beforeAll(async () => {
  db = await connect((await createTestDatabase()).url);
});
afterAll(() => db?.end());

/** neutralizedSql over each cell in PostgreSQL, in order (NULL stays NULL). */
async function inPostgres(cells: (string | null)[]): Promise<(string | null)[]> {
  const { rows } = await db.query<{ out: string | null }>(
    `select ${neutralizedSql('c.v')} as out from unnest($1::text[]) with ordinality as c(v, n) order by c.n`,
    [cells],
  );
  return rows.map((r) => r.out);
}

/** Text PostgreSQL can hold (no NUL) and that is Unicode (no lone surrogate). */
const storable = (s: string) => !s.includes('\u0000') && s.isWellFormed();

describe('neutralizedSql in PostgreSQL agrees with neutralizeCell', () => {
  it('on the corpus: formula cells behind every kind of blank, full-width forms, harmless cells, NULL', async () => {
    const corpus = [...formulaCells(), ...HARMLESS_CELLS];
    const got = await inPostgres([...corpus, null]);
    expect(got.at(-1)).toBeNull();
    const disagreements = corpus
      .map((c, i) => ({ cell: JSON.stringify(c), sql: got[i], js: neutralizeCell(c), rule: looksLikeFormula(c) ? `'${c}` : c }))
      .filter((d) => d.sql !== d.js || d.js !== d.rule);
    expect(disagreements).toEqual([]);
  });

  it("the same with standard_conforming_strings off (the pattern's escapes are then read by the string literal)", async () => {
    const corpus = [...formulaCells(), ...HARMLESS_CELLS];
    await db.query('set standard_conforming_strings = off');
    try {
      expect(await inPostgres(corpus)).toEqual(corpus.map(neutralizeCell));
    } finally {
      await db.query('set standard_conforming_strings = on');
    }
  });

  it('on random strings (property, in batches)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(cellArbitrary, fc.string({ unit: 'grapheme', maxLength: 6 })).filter(storable), { minLength: 1, maxLength: 200 }),
        async (cells) => {
          const got = await inPostgres(cells);
          cells.forEach((c, i) => {
            expect(got[i], JSON.stringify(c)).toBe(neutralizeCell(c));
            expect(got[i], JSON.stringify(c)).toBe(looksLikeFormula(c) ? `'${c}` : c);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is what the CSV pack query uses for its free-text cells', () => {
    expect(CSV_SELECT_LIST).toContain(neutralizedSql('e.actor_name'));
    expect(CSV_SELECT_LIST).toContain(neutralizedSql('e.entity_label'));
    expect(CSV_SELECT_LIST).toContain(neutralizedSql('e.description'));
  });
});
