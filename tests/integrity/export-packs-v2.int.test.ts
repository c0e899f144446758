import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TExportManifest } from '@modula/contracts';
import { keyringOf, loadSigner, verifyExportPack, type TKeyring } from '@modula/domain';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import { parse } from 'csv-parse/sync';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_HEADER, CSV_HEADER_V1 } from '../../packages/domain/src/exports/csv-cells.ts';
import { manifestSigningText } from '../../packages/domain/src/integrity/signing-text.ts';
import { makeEvent, provisionBranch } from '../../testing/events.ts';
import { exportWhenReady } from '../../testing/exports.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 13, item 7: packs an auditor can hand in. CSV (manifest version 2): a UTF-8 byte-order mark,
 * local times in the tenant's zone beside the UTC ones, branch names, the sentence that tells the
 * truth; packs made before (version 1) still verify. PDF: names in any script, local times, branches.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'modula-packs-v2-'));
const work = mkdtempSync(join(tmpdir(), 'modula-packs-v2-work-'));
const BRANCH = '0190f3a4-1111-7000-8000-000000000001';
let stack: TestStack;
let exportWorker: TExportWorker;
let tenantId: string;
let admin: { cookie: string };
let keyring: TKeyring;

async function download(path: string) {
  const res = await fetch(`${stack.baseUrl}${path}`, { headers: { cookie: admin.cookie } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function pack(format: 'csv' | 'pdf', filter: Record<string, unknown>) {
  const ready = await exportWhenReady(stack, admin.cookie, format, filter);
  const bytes = await download(ready.url);
  const manifest = JSON.parse((await download(ready.manifestUrl)).toString('utf8')) as TExportManifest;
  const path = join(work, `${ready.exportId}.${format}`);
  writeFileSync(path, bytes);
  writeFileSync(`${path}.manifest.json`, JSON.stringify(manifest));
  return { ready, bytes, manifest, path, manifestPath: `${path}.manifest.json` };
}

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir } });
  exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
  ({ tenantId } = await stack.createTenant('Kawiarnia Łukasza'));
  const zone = runCli(stack, ['tenant', 'set-time-zone', '--tenant', tenantId, '--zone', 'europe/warsaw']);
  expect(zone.status, zone.stderr).toBe(0);
  expect(zone.json).toEqual({ tenantId, timeZone: 'Europe/Warsaw', previous: 'UTC' });
  const bad = runCli(stack, ['tenant', 'set-time-zone', '--tenant', tenantId, '--zone', 'Mars/Olympus_Mons']);
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/unknown time zone "Mars\/Olympus_Mons"/);
  await ingestStored(stack, tenantId, [
    provisionBranch(tenantId, BRANCH, '2026-11-20T08:00:00.000Z', 'Kraków Główny'),
    makeEvent(tenantId, {
      action: 'VOID_APPROVED',
      branchId: BRANCH,
      outcome: 'REJECTED',
      reason: 'BRANCH_FROZEN',
      occurredAt: '2026-11-22T10:15:00.000Z',
      actor: { type: 'USER', id: 'u-sofia', role: 'MANAGER', name: 'Sofia Reyes' },
      entity: { type: 'INVOICE', id: 'inv-1', label: 'INV-23428' },
    }),
    makeEvent(tenantId, {
      action: 'MENU_ITEM_UPDATED',
      branchId: BRANCH,
      occurredAt: '2026-07-01T10:15:00.000Z',
      actor: { type: 'USER', id: 'u-lukasz', role: 'MANAGER', name: 'Łukasz Żółć' },
      entity: { type: 'MENU_ITEM', id: 'm-1', label: 'Καφές' },
      before: { price: 4.5, name: 'Zoë' },
      after: { price: 5, name: 'Zoë' },
    }),
  ]);
  admin = await signedInAdmin(stack, tenantId);
  const keys = (await (await fetch(`${stack.baseUrl}/.well-known/modula-audit/keys.json`)).json()) as { keys: { keyId: string; publicKey: string }[] };
  keyring = keyringOf(keys.keys);
});
afterAll(async () => {
  await exportWorker?.close();
  await stack?.close();
});

describe('CSV packs, version 2', () => {
  let csv: Awaited<ReturnType<typeof pack>>;
  beforeAll(async () => {
    csv = await pack('csv', { branchIds: [BRANCH] });
  });

  it('start with a UTF-8 byte-order mark and the version 2 header; sha256 is of exactly the bytes served, BOM included', async () => {
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.bytes.subarray(3).toString('utf8').split('\r\n')[0]).toBe(CSV_HEADER.join(','));
    expect(createHash('sha256').update(csv.bytes).digest('hex')).toBe(csv.ready.sha256);
    expect(csv.manifest).toMatchObject({ v: 2, timeZone: 'Europe/Warsaw', bytes: csv.bytes.length, sha256: csv.ready.sha256 });
    expect(await verifyExportPack(csv.path, csv.manifestPath, keyring)).toMatchObject({ ok: true, rows: 3 });
  });

  it('have local times in the tenant’s zone beside the UTC ones, branch names and the sentence that tells the truth', () => {
    const rows = parse(csv.bytes, { columns: true, bom: true }) as Record<string, string>[];
    const [provisioned, voided, menu] = rows;
    expect(provisioned!.branchName).toBe('Kraków Główny');
    expect(voided).toMatchObject({
      occurredAt: '2026-11-22T10:15:00.000Z',
      occurredAtLocal: '2026-11-22T11:15:00.000+01:00',
      branchId: BRANCH,
      branchName: 'Kraków Główny',
      summary: 'Sofia Reyes tried to approve the void of INV-23428 — refused: branch frozen',
      description: 'Sofia Reyes approved the void of INV-23428',
    });
    expect(menu).toMatchObject({ occurredAtLocal: '2026-07-01T12:15:00.000+02:00', actorName: 'Łukasz Żółć', entityLabel: 'Καφές' });
    expect(Date.parse(menu!.receivedAtLocal!)).toBe(Date.parse(menu!.receivedAt!));
    expect(menu!.receivedAtLocal).toMatch(/[+-]0[12]:00$/);
  });

  it('fail verification without their byte-order mark, and a version 1 pack with one', async () => {
    const stripped = join(work, 'stripped.csv');
    writeFileSync(stripped, csv.bytes.subarray(3));
    const r = await verifyExportPack(stripped, csv.manifestPath, keyring);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/byte-order mark/);
  });
});

describe('CSV packs made before (version 1: no byte-order mark, UTC columns only)', () => {
  /**
   * A pack as the code before version 2 wrote it: the version 1 columns of the same rows, no BOM,
   * its manifest `v: 1` (no timeZone) signed by this installation's key, like every pack it made.
   */
  async function oldPack() {
    const csv = await pack('csv', { branchIds: [BRANCH] });
    const rows = parse(csv.bytes, { columns: true, bom: true }) as Record<string, string>[];
    const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    const text = [CSV_HEADER_V1.join(','), ...rows.map((r) => CSV_HEADER_V1.map((c) => quote(r[c] ?? '')).join(','))].join('\r\n') + '\r\n';
    const bytes = Buffer.from(text, 'utf8');
    const { timeZone: _zone, signature: _signature, ...rest } = csv.manifest;
    const unsigned = { ...rest, v: 1 as const, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    const manifest = { ...unsigned, signature: loadSigner(stack.config).sign(manifestSigningText(unsigned)) };
    const path = join(work, 'old-format.csv');
    writeFileSync(path, bytes);
    writeFileSync(`${path}.manifest.json`, JSON.stringify(manifest));
    return { path, bytes, manifest };
  }

  it('still verify (CLI, exit 0), and fail once altered', async () => {
    const old = await oldPack();
    expect(old.bytes.subarray(0, 3).toString('latin1')).toBe('seq');
    const cli = runCli(stack, ['verify-export', old.path]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.json).toMatchObject({ ok: true, rows: 3 });
    const withBom = join(work, 'old-with-bom.csv');
    writeFileSync(withBom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), old.bytes]));
    expect((await verifyExportPack(withBom, `${old.path}.manifest.json`, keyring)).reason).toMatch(/byte-order mark/);
    const deleted = join(work, 'old-deleted.csv');
    const lines = old.bytes.toString('utf8').split('\r\n');
    writeFileSync(deleted, [...lines.slice(0, 2), ...lines.slice(3)].join('\r\n'));
    expect((await verifyExportPack(deleted, `${old.path}.manifest.json`, keyring)).reason).toMatch(/deleted/);
  });
});

describe('PDF packs, version 2', () => {
  it('print names in any script, local times with offset, branch names, the truthful sentence and the changes', async () => {
    const pdf = await pack('pdf', { branchIds: [BRANCH] });
    expect(pdf.manifest).toMatchObject({ v: 2, timeZone: 'Europe/Warsaw' });
    expect(await verifyExportPack(pdf.path, pdf.manifestPath, keyring)).toMatchObject({ ok: true });
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf.bytes), useSystemFonts: false }).promise;
    let text = '';
    for (let i = 1; i <= doc.numPages; i++)
      text += `${(await (await doc.getPage(i)).getTextContent()).items.map((it) => ('str' in it ? it.str : '')).join('')}\n`;
    await doc.cleanup();
    expect(text).toContain('Kawiarnia Łukasza');
    expect(text).toContain('Łukasz Żółć (MANAGER)');
    expect(text).not.toContain('?ukasz');
    expect(text).toContain('Καφές');
    expect(text).toContain('2026-11-22 11:15:00.000+01:00');
    expect(text).toContain('Kraków Główny');
    expect(text).toContain('Sofia Reyes tried to approve the void of INV-23428 — refused: branch frozen');
    expect(text).toContain('changes: price: 4.5 -> 5');
  });
});
