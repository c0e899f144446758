import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportStatementText, keyringOf, loadSigner, manifestSigningText, verifyExportPack, type TKeyring } from '@modula/domain';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import { parse } from 'csv-parse/sync';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { exportWhenReady } from '../../testing/exports.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'modula-exports-'));
const work = mkdtempSync(join(tmpdir(), 'modula-packs-'));
let stack: TestStack;
let exportWorker: TExportWorker;
let tenantId: string;
let admin: { cookie: string };
let keyring: TKeyring;
let keysFile: string;

const FORMULAS = ['=HYPERLINK("http://evil.test","x")', '+SUM(1,2)', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];

async function download(path: string, cookie?: string) {
  const res = await fetch(`${stack.baseUrl}${path}`, { headers: cookie ? { cookie } : {} });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

/** Asks for a pack as the Admin, waits until READY, downloads file and manifest into the work folder. */
async function exportPack(format: 'csv' | 'pdf', filter: Record<string, unknown> = {}) {
  const ready = await exportWhenReady(stack, admin.cookie, format, filter);
  const { exportId } = ready;
  const file = await download(ready.url, admin.cookie);
  const manifest = await download(ready.manifestUrl, admin.cookie);
  expect(file.status).toBe(200);
  const path = join(work, `${exportId}.${format}`);
  writeFileSync(path, file.bytes);
  writeFileSync(`${path}.manifest.json`, manifest.bytes);
  return { exportId, ready, path, manifestPath: `${path}.manifest.json`, bytes: file.bytes, type: file.type };
}

const check = (path: string, manifest = `${path}.manifest.json`) => verifyExportPack(path, manifest, keyring);

/** A whole-log pack of another tenant's Admin, downloaded into the work folder. */
async function packOf(cookie: string, format: 'csv' | 'pdf', filter: Record<string, unknown> = {}) {
  const ready = await exportWhenReady(stack, cookie, format, filter);
  const path = join(work, `${ready.exportId}.${format}`);
  const bytes = (await download(ready.url, cookie)).bytes;
  writeFileSync(path, bytes);
  writeFileSync(`${path}.manifest.json`, (await download(ready.manifestUrl, cookie)).bytes);
  return { path, manifestPath: `${path}.manifest.json`, bytes };
}

/** Asks for a pack that the export job must refuse; its recorded reason. */
async function exportFailure(cookie: string, format: 'csv' | 'pdf', filter: Record<string, unknown> = {}): Promise<string> {
  const created = await trpc(stack, 'mutation', 'exports.create', { format, filter }, { cookie });
  expect(created.status).toBe(200);
  const { exportId } = created.data as { exportId: string };
  const got = await eventually(async () => {
    const r = await trpc(stack, 'query', 'exports.get', { exportId }, { cookie });
    return r.data?.status === 'PENDING' ? undefined : r.data;
  }, 30_000);
  expect(got).toMatchObject({ status: 'FAILED' });
  return (got as { error: string }).error;
}

/** What a pack's manifest would say had the service signed it so (as an earlier version did): `change` applied, both signatures made again with the service's key. */
function resign(manifestPath: string, out: string, change: (m: Record<string, any>) => Record<string, any>) {
  const { signature: _signature, statementSignature: _statement, ...m } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const changed = change(m);
  const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
  const unsigned = { ...changed, statementSignature: signer.sign(exportStatementText(changed as never)) };
  writeFileSync(out, JSON.stringify({ ...unsigned, signature: signer.sign(manifestSigningText(unsigned as never)) }));
}

/** The rows digest of a CSV pack: SHA-256 over its rows' chain hashes, in order. */
function digestOfHashes(csv: Buffer): string {
  const [header, ...rows] = parse(csv, { bom: true, relax_column_count: true }) as string[][];
  const at = header!.indexOf('hash');
  const digest = createHash('sha256');
  for (const row of rows) digest.update(Buffer.from(row[at]!, 'hex'));
  return digest.digest('hex');
}

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir } });
  exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
  ({ tenantId } = await stack.createTenant('Bistro Uno'));
  const events = [
    ...FORMULAS.map((f, i) =>
      makeEvent(tenantId, {
        actor: { type: 'USER', id: f, role: 'CASHIER', name: f },
        entity: { type: 'INVOICE', id: `inv-${i}`, label: f },
        context: { sessionId: f, ip: '203.0.113.7' },
      }),
    ),
    ...Array.from({ length: 30 }, (_, i) =>
      makeEvent(tenantId, {
        outcome: i % 5 === 0 ? 'REJECTED' : 'SUCCESS',
        ...(i % 5 === 0 ? { reason: 'PERMISSION_DENIED' } : {}),
        after: { total: i + 0.5, note: 'multi\nline, "quoted"' },
        entity: { type: 'POLICY', id: `p-${i}`, label: `Zürich ☕ ${i}` },
      }),
    ),
  ];
  await ingestStored(stack, tenantId, events);
  admin = await signedInAdmin(stack, tenantId);
  const keys = (await (await fetch(`${stack.baseUrl}/.well-known/modula-audit/keys.json`)).json()) as { keys: { keyId: string; publicKey: string }[] };
  keyring = keyringOf(keys.keys);
  keysFile = join(work, 'keys.json');
  writeFileSync(keysFile, JSON.stringify(keys));
});
afterAll(async () => {
  await exportWorker?.close();
  await stack?.close();
});

describe('CSV export packs', () => {
  let pack: Awaited<ReturnType<typeof exportPack>>;
  beforeAll(async () => {
    pack = await exportPack('csv', { actions: ['POLICY_UPDATED'] });
  });

  it('serve exactly the bytes whose SHA-256 exports.get names, with a signed manifest, and pass verify-export (CLI, exit 0)', async () => {
    expect(pack.ready).toMatchObject({ status: 'READY', format: 'csv', rows: 36 });
    expect(createHash('sha256').update(pack.bytes).digest('hex')).toBe(pack.ready.sha256);
    expect(pack.type).toMatch(/text\/csv/);
    const manifest = JSON.parse(readFileSync(pack.manifestPath, 'utf8'));
    expect(manifest).toMatchObject({
      tenantId,
      tenantName: 'Bistro Uno',
      rows: 36,
      sha256: pack.ready.sha256,
      signature: pack.ready.signature,
      chainRange: { fromSeq: 1, toSeq: 36 },
    });
    expect(manifest.checkpoint.seq).toBeGreaterThanOrEqual(36);
    const cli = runCli(stack, ['verify-export', pack.path, '--public-key', keysFile]);
    expect(cli.status).toBe(0);
    expect(cli.json).toMatchObject({ ok: true, rows: 36 });
  });

  it('verify-export says what the pack is (tenant, filter, chain range, when), and --tenant refuses a pack of another tenant (review C, finding 4)', async () => {
    const manifest = JSON.parse(readFileSync(pack.manifestPath, 'utf8'));
    const cli = runCli(stack, ['verify-export', pack.path, '--public-key', keysFile, '--tenant', tenantId]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.json).toMatchObject({
      ok: true,
      rows: 36,
      tenantId,
      tenantName: 'Bistro Uno',
      exportId: pack.exportId,
      filter: { actions: ['POLICY_UPDATED'] },
      filtered: true,
      chainRange: { fromSeq: 1, toSeq: 36 },
      generatedAt: manifest.generatedAt,
      checkpoint: { seq: manifest.checkpoint.seq, createdAt: manifest.checkpoint.createdAt },
    });
    expect(cli.stderr).toMatch(/filtered/);
    const other = randomUUID();
    const refused = runCli(stack, ['verify-export', pack.path, '--public-key', keysFile, '--tenant', other]);
    expect(refused.status).toBe(1);
    expect(refused.json).toMatchObject({ ok: false, tenantId });
    expect(refused.stderr).toMatch(new RegExp(`pack of tenant ${tenantId} \\(Bistro Uno\\), not of ${other}`));
    const whole = await exportPack('csv');
    const all = runCli(stack, ['verify-export', whole.path, '--public-key', keysFile, '--tenant', tenantId]);
    expect(all.status, all.stderr).toBe(0);
    expect(all.json).toMatchObject({ ok: true, exportId: whole.exportId, filter: {}, filtered: false });
  });

  it('neutralise spreadsheet formulas: cells starting with = + - @ tab or CR get a leading quote', () => {
    const rows = parse(pack.bytes, { columns: true }) as Record<string, string>[];
    const formulaRows = rows.slice(0, FORMULAS.length);
    FORMULAS.forEach((f, i) => {
      expect(formulaRows[i]!.actorName).toBe(`'${f}`);
      expect(formulaRows[i]!.actorId).toBe(`'${f}`);
      expect(formulaRows[i]!.entityLabel).toBe(`'${f}`);
      expect(formulaRows[i]!.sessionId).toBe(`'${f}`);
    });
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('fail verify-export after any single byte flip (every byte of a one-row pack, a sample of the large one)', async () => {
    const small = await exportPack('csv', { entityId: 'p-3' });
    expect(small.ready.rows).toBe(1);
    const flips = [
      ...Array.from({ length: small.bytes.length }, (_, i) => ({ p: small, i })),
      ...Array.from({ length: 150 }, (_, k) => ({ p: pack, i: Math.floor((k * pack.bytes.length) / 150) })),
    ];
    for (const { p, i } of flips) {
      const bad = Buffer.from(p.bytes);
      bad[i] = bad[i]! ^ 0x01;
      const path = join(work, 'flipped.csv');
      writeFileSync(path, bad);
      const r = await check(path, p.manifestPath);
      if (r.ok) throw new Error(`flip at byte ${i} went unnoticed`);
    }
  });

  it('fail verify-export for a deleted or a duplicated row, and name it', async () => {
    const lines = pack.bytes.toString('utf8').split('\r\n');
    const rows = parse(pack.bytes) as string[][];
    expect(rows.length).toBe(37);
    // line 8 is a single-line row (the formula rows come first)
    const single = lines.findIndex((l, i) => i > 0 && l.startsWith('7,'));
    const deleted = join(work, 'deleted.csv');
    writeFileSync(deleted, lines.filter((_, i) => i !== single).join('\r\n'));
    const d = await check(deleted, pack.manifestPath);
    expect(d.ok).toBe(false);
    expect(d.reason).toMatch(/deleted/);
    const duplicated = join(work, 'duplicated.csv');
    writeFileSync(duplicated, [...lines.slice(0, single + 1), lines[single], ...lines.slice(single + 1)].join('\r\n'));
    const u = await check(duplicated, pack.manifestPath);
    expect(u.ok).toBe(false);
    expect(u.reason).toMatch(/duplicated/);
    const cli = runCli(stack, ['verify-export', deleted, '--manifest', pack.manifestPath, '--public-key', keysFile]);
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toMatch(/deleted/);
  });

  it('fail verify-export with a swapped signature, an edited manifest, or an untrusted key', async () => {
    const other = await exportPack('csv', { outcomes: ['REJECTED'] });
    expect(other.ready.rows).toBe(6);
    const manifest = JSON.parse(readFileSync(pack.manifestPath, 'utf8'));
    const swapped = join(work, 'swapped.manifest.json');
    writeFileSync(swapped, JSON.stringify({ ...manifest, signature: other.ready.signature }));
    expect((await check(pack.path, swapped)).reason).toMatch(/signature/);
    const edited = join(work, 'edited.manifest.json');
    writeFileSync(edited, JSON.stringify({ ...manifest, rows: 35 }));
    expect((await check(pack.path, edited)).ok).toBe(false);
    // the other pack's file against this manifest
    expect((await check(other.path, pack.manifestPath)).ok).toBe(false);
    expect((await verifyExportPack(pack.path, pack.manifestPath, keyringOf([]))).reason).toMatch(/not among the trusted keys/);
  });

  it('verify-export checks the signature over every member of the manifest, one it does not know included (a later version adds members, as kind and anchor were added)', async () => {
    const { signature: _signature, ...unsigned } = JSON.parse(readFileSync(pack.manifestPath, 'utf8'));
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    const later = { ...unsigned, laterMember: { note: 'added by a later version' } };
    const laterFile = join(work, 'later.manifest.json');
    writeFileSync(laterFile, JSON.stringify({ ...later, signature: signer.sign(manifestSigningText(later)) }));
    expect(await check(pack.path, laterFile)).toMatchObject({ ok: true, reason: null });
    // and the member is covered: changed after signing, the signature no longer holds
    const changed = join(work, 'later-changed.manifest.json');
    writeFileSync(changed, JSON.stringify({ ...later, laterMember: { note: 'changed' }, signature: signer.sign(manifestSigningText(later)) }));
    expect((await check(pack.path, changed)).reason).toMatch(/signature/);
  });

  it('are themselves audited: an AUDIT_EXPORT_CREATED event by the Admin carrying the checksum', async () => {
    const event = await eventually(async () => {
      const r = await trpc(stack, 'query', 'events.list', { actions: ['AUDIT_EXPORT_CREATED'] }, { cookie: admin.cookie });
      return r.data?.items.find((e: any) => e.entity?.id === pack.exportId);
    });
    expect(event.actor).toMatchObject({ type: 'USER', role: 'ADMIN' });
    expect(event.metadata).toMatchObject({ format: 'csv', rows: 36, checksum: `sha256-${Buffer.from(pack.ready.sha256, 'hex').toString('base64')}` });
    expect(event.redactedPaths).toEqual([]);
  });
});

describe('a pack of the whole log, checked offline', () => {
  it('refuses to sign a pack of the whole log missing an event (deleted under an earlier checkpoint), and verify-export names the gap in a pack an older version signed: CSV and PDF (review F §1)', async () => {
    // a superuser deletes event 4 under a signed checkpoint: the head is unchanged, so the checkpoint
    // is reused, and the table's range is still 1..8. The service must not sign such a pack, and a pack
    // of the whole log signed by an earlier version must show the gap offline, whatever its format.
    const { tenantId: gapped } = await stack.createTenant('Gap under a checkpoint');
    await ingestStored(
      stack,
      gapped,
      Array.from({ length: 8 }, () => makeEvent(gapped)),
    );
    expect(runCli(stack, ['checkpoint', 'create', '--tenant', gapped]).status).toBe(0);
    const gappedAdmin = await signedInAdmin(stack, gapped);
    // the packs of the whole log taken before the delete: genuine, each one event longer than the last
    const intact = { csv: await packOf(gappedAdmin.cookie, 'csv'), pdf: await packOf(gappedAdmin.cookie, 'pdf') };
    for (const pack of Object.values(intact)) expect(await check(pack.path)).toMatchObject({ ok: true, filtered: false });
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      await db.query('set session_replication_role = replica');
      await db.query('delete from audit_events where tenant_id = $1 and seq = 4', [gapped]);
    } finally {
      await db.end();
    }
    for (const format of ['csv', 'pdf'] as const) {
      const failed = await exportFailure(gappedAdmin.cookie, format);
      expect(failed).toMatch(/^nothing was signed: .*\(events 1\.\.\d+\) has \d+: 1 is missing/);
    }
    // what an earlier version signed from that table: the CSV without event 4's row, the PDF counted 7 of 8
    const lines = intact.csv.bytes.toString('utf8').split('\r\n');
    const seqAt = lines[0]!
      .replace(/^\uFEFF/, '')
      .split(',')
      .indexOf('seq');
    const kept = lines.filter((line, i) => i === 0 || line === '' || (parse(line) as string[][])[0]?.[seqAt] !== '4');
    expect(kept.length).toBe(lines.length - 1);
    const csvPath = join(work, 'gapped.csv');
    const csvBytes = Buffer.from(kept.join('\r\n'));
    writeFileSync(csvPath, csvBytes);
    resign(intact.csv.manifestPath, `${csvPath}.manifest.json`, (m) => ({
      ...m,
      rows: m.rows - 1,
      bytes: csvBytes.length,
      sha256: createHash('sha256').update(csvBytes).digest('hex'),
      rowsDigest: digestOfHashes(csvBytes),
    }));
    expect(await check(csvPath)).toMatchObject({ ok: false, filtered: false, reason: 'row 4 is event 5, not 4: a pack of the whole log misses event 4' });
    const pdfManifest = join(work, 'gapped.pdf.manifest.json');
    resign(intact.pdf.manifestPath, pdfManifest, (m) => ({ ...m, rows: m.rows - 1 }));
    const pdfChecked = await check(intact.pdf.path, pdfManifest);
    expect(pdfChecked).toMatchObject({ ok: false, filtered: false });
    expect(pdfChecked.reason).toMatch(/holds \d+ events, but its signed range \(events 1\.\.\d+\) has \d+: 1 is missing/);
    expect(runCli(stack, ['verify-export', intact.pdf.path, '--manifest', pdfManifest, '--public-key', keysFile]).status).not.toBe(0);
  });

  it('refuses to sign a pack of the whole log whose first events were deleted under a checkpoint (no anchor), and verify-export holds an older one to genesis (review E §3, review F §1)', async () => {
    // the head stays where it was, so the signed checkpoint is reused; the table's first seq is 4: a
    // pack signed from it has every row linked, the prefix unseen, unless it must start at genesis
    const { tenantId: headless } = await stack.createTenant('First events deleted');
    await ingestStored(
      stack,
      headless,
      Array.from({ length: 8 }, () => makeEvent(headless)),
    );
    expect(runCli(stack, ['checkpoint', 'create', '--tenant', headless]).status).toBe(0);
    const headlessAdmin = await signedInAdmin(stack, headless);
    const intact = await packOf(headlessAdmin.cookie, 'csv');
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      await db.query('set session_replication_role = replica');
      await db.query('delete from audit_events where tenant_id = $1 and seq <= 3', [headless]);
    } finally {
      await db.end();
    }
    expect(await exportFailure(headlessAdmin.cookie, 'csv')).toMatch(
      /^nothing was signed: .*starts at event 4 and names no retention anchor: events 1\.\.3 are missing/,
    );
    // what an earlier version signed from that table: the rows from event 4 on, its range starting there
    const lines = intact.bytes.toString('utf8').split('\r\n');
    const kept = [lines[0]!, ...lines.slice(4)];
    const path = join(work, 'headless.csv');
    const bytes = Buffer.from(kept.join('\r\n'));
    writeFileSync(path, bytes);
    resign(intact.manifestPath, `${path}.manifest.json`, (m) => ({
      ...m,
      rows: m.rows - 3,
      chainRange: { ...m.chainRange, fromSeq: 4 },
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      rowsDigest: digestOfHashes(bytes),
    }));
    const verified = await check(path);
    expect(verified).toMatchObject({ ok: false, filtered: false, chainRange: { fromSeq: 4 } });
    expect(verified.reason).toMatch(/starts at event 4.*events 1\.\.3 are missing/);
    expect(runCli(stack, ['verify-export', path, '--public-key', keysFile]).status).not.toBe(0);
  });

  it('holds a pack whose filter narrows nothing (an empty list, every outcome) to the checks of the whole log (review F §3)', async () => {
    // a superuser who rewrites a pending export's filter to one that selects everything must not turn
    // the whole log into a "filtered" pack, which verify-export does not hold to its ends
    const { tenantId: everything } = await stack.createTenant('Everything filter');
    await ingestStored(
      stack,
      everything,
      Array.from({ length: 5 }, () => makeEvent(everything)),
    );
    const everythingAdmin = await signedInAdmin(stack, everything);
    const pack = await packOf(everythingAdmin.cookie, 'csv', { ips: [], outcomes: ['FAILED', 'SUCCESS', 'REJECTED'] });
    const manifest = JSON.parse(readFileSync(pack.manifestPath, 'utf8'));
    expect(manifest.filter).toEqual({});
    expect(await check(pack.path)).toMatchObject({ ok: true, filtered: false });
    // signed so by an earlier version, the same pack is still a pack of the whole log, and its gap shows
    const lines = pack.bytes.toString('utf8').split('\r\n');
    const kept = [lines[0]!, ...lines.slice(2)];
    const path = join(work, 'everything.csv');
    const bytes = Buffer.from(kept.join('\r\n'));
    writeFileSync(path, bytes);
    resign(pack.manifestPath, `${path}.manifest.json`, (m) => ({
      ...m,
      filter: { ips: [], deviceIds: [], outcomes: ['SUCCESS', 'REJECTED', 'FAILED'] },
      rows: m.rows - 1,
      chainRange: { ...m.chainRange, fromSeq: 2 },
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      rowsDigest: digestOfHashes(bytes),
    }));
    const verified = await check(path);
    expect(verified).toMatchObject({ ok: false, filtered: false });
    expect(verified.reason).toMatch(/starts at event 2.*events 1\.\.1 are missing/);
  });

  it('signs nothing a pending export no longer says: its filter, format or requester rewritten in the database before the job ran (review F §3)', async () => {
    const { tenantId: asked } = await stack.createTenant('Rewritten request');
    await ingestStored(
      stack,
      asked,
      Array.from({ length: 3 }, () => makeEvent(asked)),
    );
    const askedAdmin = await signedInAdmin(stack, asked);
    const db = await connect(stack.databaseSuperuserUrl);
    // two exports may be pending at once per tenant (EXPORT_MAX_CONCURRENT): two rounds of two, the
    // worker paused while the superuser rewrites the rows; null: one left alone, built as asked
    const rounds = [
      [`filter = '{}'::jsonb`, `format = 'pdf'`], // her failed sign-ins made the whole log; CSV made PDF
      [`requested_by_name = 'retention archive', requested_by_user_id = null, requested_by_email = null`, null],
    ];
    const got: unknown[] = [];
    const ids: string[] = [];
    try {
      for (const round of rounds) {
        await exportWorker.worker.pause();
        const pending: string[] = [];
        for (const rewrite of round) {
          const created = await trpc(stack, 'mutation', 'exports.create', { format: 'csv', filter: { outcomes: ['FAILED'] } }, { cookie: askedAdmin.cookie });
          expect(created.status).toBe(200);
          const { exportId } = created.data as { exportId: string };
          if (rewrite) await db.query(`update exports set ${rewrite} where id = $1`, [exportId]);
          pending.push(exportId);
        }
        exportWorker.worker.resume();
        for (const exportId of pending)
          got.push(
            await eventually(async () => {
              const r = await trpc(stack, 'query', 'exports.get', { exportId }, { cookie: askedAdmin.cookie });
              return r.data?.status === 'PENDING' ? undefined : r.data;
            }, 30_000),
          );
        ids.push(...pending);
      }
      for (const failed of got.slice(0, 3))
        expect(failed).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/nothing was signed: the export no longer says what was asked for/) });
      expect(got[3]).toMatchObject({ status: 'READY' });
      const signed = await db.query(`select count(*)::int as n from exports where id = any($1::uuid[]) and signature is not null`, [ids]);
      expect(signed.rows[0].n).toBe(1);
    } finally {
      exportWorker.worker.resume();
      await db.end();
    }
  });
});

describe('PDF export packs', () => {
  it('are a paginated document with the checksum, signature and checkpoint on the last page, and verify offline', async () => {
    const pack = await exportPack('pdf');
    expect(pack.type).toBe('application/pdf');
    expect(pack.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pack.bytes.toString('latin1').match(/\/Type \/Page\b/g)?.length;
    const { ROWS_PER_PAGE } = await import('../../packages/domain/src/exports/pdf-writer.ts');
    // every event of the log so far: the 36 seeded and the export events of the packs above
    expect(pages).toBe(2 + Math.ceil(pack.ready.rows / ROWS_PER_PAGE));
    expect((await check(pack.path)).ok).toBe(true);
    for (let i = 0; i < pack.bytes.length; i += Math.max(1, Math.floor(pack.bytes.length / 300))) {
      const bad = Buffer.from(pack.bytes);
      bad[i] = bad[i]! ^ 0x20;
      const path = join(work, 'flipped.pdf');
      writeFileSync(path, bad);
      expect((await check(path, pack.manifestPath)).ok).toBe(false);
    }
  });
});

describe('who may export and download', () => {
  it('refuses an anonymous request, a Manager and an Admin of another tenant', async () => {
    const pack = await exportPack('csv', { outcomes: ['SUCCESS'] });
    const manager = await makeUser(stack, tenantId, 'MANAGER', 'Maria');
    const managerCookie = (await signInFirstTime(stack, manager.email)).cookie;
    const { tenantId: otherTenant } = await stack.createTenant('Other');
    const otherAdmin = await signedInAdmin(stack, otherTenant);
    for (const url of [pack.ready.url, pack.ready.manifestUrl]) {
      expect((await download(url)).status).toBe(401);
      expect((await download(url, managerCookie)).status).toBe(403);
      const foreign = await download(url, otherAdmin.cookie);
      expect(foreign.status).toBe(404);
      expect(foreign.bytes.toString()).not.toContain(tenantId);
      expect((await download(url, admin.cookie)).status).toBe(200);
    }
    expect((await trpc(stack, 'mutation', 'exports.create', { format: 'csv', filter: {} }, { cookie: managerCookie })).code).toBe('FORBIDDEN');
    expect((await trpc(stack, 'mutation', 'exports.create', { format: 'csv', filter: {} })).code).toBe('UNAUTHORIZED');
    expect((await trpc(stack, 'query', 'exports.get', { exportId: pack.exportId }, { cookie: otherAdmin.cookie })).code).toBe('NOT_FOUND');
  });
});
