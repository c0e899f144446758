import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashingFile } from './hashing-file.ts';
import { pdfWriter, ROWS_PER_PAGE, type TPdfRow } from './pdf-writer.ts';

const BRANCH = '0190f3a4-0000-7000-8000-000000000001';

function row(seq: number, over: Partial<TPdfRow> = {}): TPdfRow {
  return {
    seq: String(seq),
    occurred_at: '2026-11-22T10:15:00.000Z',
    action: 'VOID_APPROVED',
    outcome: 'SUCCESS',
    reason: null,
    claimed_outcome: 'SUCCESS',
    actor_type: 'USER',
    actor_id: `u-${seq}`,
    actor_role: 'MANAGER',
    actor_name: 'Łukasz Żółć',
    entity_type: 'INVOICE',
    entity_id: `inv-${seq}`,
    entity_label: `INV-${23400 + seq}`,
    description: 'stored text',
    branch_id: BRANCH,
    ip: '203.0.113.7',
    device_id: 'till-7',
    offline: false,
    before: null,
    after: null,
    metadata: null,
    hash: 'a'.repeat(64),
    ...over,
  };
}

/** Builds a pack of `rows` as the worker does, and reads each page's text back with PDF.js (through the embedded font's ToUnicode map). */
async function renderAndRead(rows: TPdfRow[], timeZone = 'Europe/Madrid') {
  const path = join(mkdtempSync(join(tmpdir(), 'pdf-writer-')), 'pack.pdf');
  const file = new HashingFile(path);
  const pdf = pdfWriter(file, {
    tenantName: 'Zoë’s Café Θεσσαλονίκη',
    tenantId: '0190f3a4-0000-7000-8000-00000000000a',
    exportId: '0190f3a4-0000-7000-8000-00000000000b',
    filterLines: ['search: Łukasz'],
    timeRange: '2026-11-22T00:00:00.000Z to 2026-11-23T00:00:00.000Z',
    generatedAt: '2026-11-23T08:00:00.000Z',
    generatedBy: 'Ана Петрова ana@bistro.test',
    rows: rows.length,
    chainRange: `1 to ${rows.length}`,
    timeZone,
    branchNames: new Map([[BRANCH, 'Kraków Główny']]),
  });
  await pdf.page(rows);
  await pdf.end({
    rowsDigest: 'b'.repeat(64),
    statement: '{"filter":{"search":"Łukasz"}}',
    statementSignature: 'sig',
    keyId: 'ed25519-test',
    checkpointLines: ['seq 1'],
  });
  await file.close();
  const bytes = readFileSync(path);
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((it) => ('str' in it ? it.str : '')).join(''));
  }
  await doc.cleanup();
  return { pages, bytes };
}

describe('PDF export pages', () => {
  it('print Polish, Greek, Cyrillic and accented names as written (embedded Noto Sans, not "?ukasz")', async () => {
    const { pages, bytes } = await renderAndRead([
      row(1),
      row(2, { actor_name: 'Zoë Ἀλέξανδρος', entity_label: 'Καφές' }),
      row(3, { actor_name: 'Дмитрий Шостакович', entity_label: 'Чек-42' }),
    ]);
    const text = pages.join('\n');
    expect(text).toContain('Łukasz Żółć');
    expect(text).not.toContain('?ukasz');
    expect(text).toContain('Zoë Ἀλέξανδρος');
    expect(text).toContain('Καφές');
    expect(text).toContain('Дмитрий Шостакович');
    expect(pages[0]).toContain('Zoë’s Café Θεσσαλονίκη');
    expect(pages[0]).toContain('Ана Петрова');
    // the fonts are embedded subsets of Noto Sans (FontFile2), not the standard 14 (Helvetica / Courier)
    const latin1 = bytes.toString('latin1');
    expect(latin1).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSans/);
    expect(latin1).toContain('/FontFile2');
    expect(latin1).not.toMatch(/\/BaseFont \/(Helvetica|Courier)/);
  });

  it('show times in the tenant’s zone with its offset, branch names, the truthful sentence and the changes', async () => {
    const { pages } = await renderAndRead([
      row(1, { outcome: 'REJECTED', reason: 'BRANCH_FROZEN', claimed_outcome: 'SUCCESS', actor_name: 'Sofia Reyes', entity_label: 'INV-23428' }),
      row(2, {
        action: 'MENU_ITEM_UPDATED',
        entity_type: 'MENU_ITEM',
        entity_label: 'Flat white',
        before: { price: 4.5, name: 'Flat white' },
        after: { price: 5, name: 'Flat white' },
      }),
      row(3, { occurred_at: '2026-07-01T10:15:00.000Z' }),
    ]);
    const events = pages[1]!;
    expect(events).toContain('time (Europe/Madrid)');
    expect(events).toContain('2026-11-22 11:15:00.000+01:00'); // CET in November
    expect(events).toContain('2026-07-01 12:15:00.000+02:00'); // CEST in July
    expect(events).toContain('Kraków Główny');
    expect(events).toContain('Sofia Reyes tried to approve the void of INV-23428 — refused: branch frozen, reported as done by the device');
    expect(events).toContain('changes: price: 4.5 -> 5');
    expect(events).not.toContain('name: "Flat white" ->');
  });

  it('keeps the page count it announced: ROWS_PER_PAGE events a page, "Page X of Y" on each', async () => {
    const n = ROWS_PER_PAGE + 3;
    const { pages } = await renderAndRead(
      Array.from({ length: n }, (_, i) => row(i + 1, { before: { a: i }, after: { a: i + 1 } })),
      'America/St_Johns',
    );
    expect(pages).toHaveLength(2 + 2);
    pages.forEach((p, i) => expect(p).toContain(`Page ${i + 1} of 4`));
    expect(pages[1]).toContain('2026-11-22 06:45:00.000-03:30');
  });
});
