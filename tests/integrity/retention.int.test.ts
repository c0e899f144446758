import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  countEventsByDay,
  createCheckpoint,
  expireTenantPrefix,
  keyringOf,
  listActors,
  loadSigner,
  manifestSigningText,
  offboardTenant,
  openExportPart,
  packStoresOf,
  proveConsistency,
  proveInclusion,
  tombstoneValid,
  verifyChain,
  verifyProofBundle,
} from '@modula/domain';
import type { TExportManifest } from '@modula/contracts';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedChain } from '../../bench/export-figures.ts';
import { connect, createMaintenanceLogin, queryRows } from '../../testing/database.ts';
import { asAttacker, runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * Retention (issue 14, item 4): a tenant with 50,000 events, cut at 30,000. The archive verifies
 * offline, verify-chain verifies 30,001..50,000 from the anchoring checkpoint and still names a row
 * tampered with after it, and only the maintenance role, through remove_tenant_rows, removes rows.
 */
const N = 50_000;
const CUT = 30_000;
let stack: TestStack;
let su: pg.Client;
let tenantId: string;
let apiKey: string;
let maintenanceUrl: string;
let dropMaintenanceLogin: () => Promise<void>;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  su = await connect(stack.databaseSuperuserUrl);
  ({ tenantId, apiKey } = await stack.createTenant('Retention'));
  await seedChain(stack.databaseSuperuserUrl, tenantId, N);
  // a dedicated login granted the maintenance role, as an operator would create one
  ({ url: maintenanceUrl, drop: dropMaintenanceLogin } = await createMaintenanceLogin(stack.databaseSuperuserUrl, stack.databaseOwnerUrl));
}, 60_000);
afterAll(async () => {
  await dropMaintenanceLogin();
  await su.end();
  await stack.close();
});

const refusal = async (url: string, text: string, params: unknown[] = []) => {
  const c = await connect(url);
  try {
    await c.query(text, params);
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await c.end();
  }
};

describe('only the maintenance role removes rows, through remove_tenant_rows', () => {
  it('the runtime role can neither UPDATE, DELETE nor TRUNCATE the log, a partition of it, nor call the function', async () => {
    const app = stack.env.DATABASE_URL!;
    expect(await refusal(app, 'update audit_events set description = $2 where tenant_id = $1 and seq = 1', [tenantId, 'x'])).toMatch(/permission denied/);
    expect(await refusal(app, 'delete from audit_events where tenant_id = $1 and seq = 1', [tenantId])).toMatch(/permission denied/);
    expect(await refusal(app, 'truncate audit_events')).toMatch(/permission denied/);
    expect(await refusal(app, 'delete from audit_events_p00')).toMatch(/permission denied/);
    expect(await refusal(app, 'truncate audit_events_p00')).toMatch(/permission denied/);
    expect(await refusal(app, `select remove_tenant_rows($1, 10, '{}'::jsonb)`, [tenantId])).toMatch(/permission denied for function remove_tenant_rows/);
  });

  it('the maintenance role may not DELETE by itself, and the function refuses a prefix without a signed checkpoint and archive', async () => {
    expect(await refusal(maintenanceUrl, 'set role modula_audit_maintenance; delete from audit_events where seq = 1')).toMatch(/permission denied/);
    expect(await refusal(maintenanceUrl, `set role modula_audit_maintenance; select remove_tenant_rows('${tenantId}', 10, '{}'::jsonb)`)).toMatch(
      /no signed checkpoint of tenant .* at seq 10/,
    );
  });

  it("the owner running SQL by hand is refused by the triggers, even with the function's setting", async () => {
    const r = await refusal(
      stack.databaseOwnerUrl,
      `begin; select set_config('modula.removing_tenant', '${tenantId}', true), set_config('app.tenant_id', '${tenantId}', true);
       delete from audit_events where tenant_id = '${tenantId}' and seq = 1`,
    );
    expect(r).toMatch(/append-only: DELETE refused/);
    expect(await refusal(stack.databaseOwnerUrl, 'truncate audit_events_p03')).toMatch(/append-only: TRUNCATE refused/);
  });
});

describe(`a cut at ${CUT} of ${N} events`, () => {
  let expiry: NonNullable<Awaited<ReturnType<typeof expireTenantPrefix>>>;
  beforeAll(async () => {
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    expiry = (await expireTenantPrefix(stack.services.orm, maintenanceUrl, signer, stack.env.DATA_DIR!, tenantId, CUT))!;
  }, 60_000);

  it('removes exactly events 1..30,000, anchored at a signed checkpoint at 30,000', async () => {
    expect(expiry).toMatchObject({ fromSeq: 1, toSeq: CUT, removed: CUT, checkpoint: { seq: CUT } });
    const [r] = await queryRows<{ n: number; first: string }>(
      stack.databaseSuperuserUrl,
      'select count(*)::int as n, min(seq) as first from audit_events where tenant_id = $1',
      [tenantId],
    );
    expect(r).toEqual({ n: N - CUT, first: String(CUT + 1) });
    const anchors = await queryRows<{ seq: string; archive_sha256: string }>(
      stack.databaseSuperuserUrl,
      'select seq, archive_sha256 from chain_anchors where tenant_id = $1',
      [tenantId],
    );
    expect(anchors).toEqual([{ seq: String(CUT), archive_sha256: expiry.archive.sha256 }]);
  });

  it('ingest.status still says STORED, with its seq, for an expired event (a till asking after the cut must not resend it)', async () => {
    const expired = await queryRows<{ event_id: string; seq: string }>(
      stack.databaseSuperuserUrl,
      'select event_id, seq from expired_events where tenant_id = $1 and seq in (1, $2) order by seq',
      [tenantId, CUT],
    );
    expect(expired.map((e) => Number(e.seq))).toEqual([1, CUT]);
    const input = encodeURIComponent(JSON.stringify({ eventIds: expired.map((e) => e.event_id.toUpperCase()) }));
    const res = await fetch(`${stack.baseUrl}/trpc/ingest.status?input=${input}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    const { statuses } = ((await res.json()) as { result: { data: { statuses: { eventId: string; state: string; seq?: number }[] } } }).result.data;
    expect(statuses.map(({ state, seq }) => ({ state, seq }))).toEqual([
      { state: 'STORED', seq: 1 },
      { state: 'STORED', seq: CUT },
    ]);
  });

  it('the archive pack holds the 30,000 events and verifies offline (cli verify-export)', () => {
    expect(expiry.archive.rows).toBe(CUT);
    const r = runCli(stack, ['verify-export', expiry.archive.file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, rows: CUT, kind: 'retention-archive' });
  });

  it('the archive is served from the shared pack store, by a host without the file (its bytes hash to the signed sha256)', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'modula-other-host-'));
    const stores = packStoresOf(stack.services.orm, { EXPORT_STORE: 'database' } as Parameters<typeof packStoresOf>[1]);
    const part = await openExportPart(stack.services.orm, stores, elsewhere, tenantId, expiry.archive.exportId, 'file');
    expect(part).toBeDefined();
    const hash = createHash('sha256');
    for await (const chunk of part!.stream) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(expiry.archive.sha256);
  });

  it('verify-chain verifies 30,001..50,000 from the anchoring checkpoint', async () => {
    const v = await verifyChain(stack.services.orm, tenantId);
    expect(v).toMatchObject({ ok: true, checked: N - CUT, headSeq: N, firstBrokenSeq: null, fromAnchorSeq: CUT });
    expect(v.legacyAnchorSeqs).toBeUndefined();
    const cli = runCli(stack, ['verify-chain', '--tenant', tenantId]);
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
  });

  it('an event after the anchor still gets an inclusion proof that verifies offline, and the anchor a consistency proof', async () => {
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    const keyring = keyringOf([{ keyId: signer.keyId, publicKey: signer.publicKeyPem }]);
    const { checkpoint } = await createCheckpoint(stack.services.orm, signer, tenantId);
    expect(checkpoint.seq).toBe(N);
    // the first event after the cut, one in the middle, the last: each against the checkpoint at 50,000
    for (const seq of [CUT + 1, 40_000, N]) {
      const proof = await proveInclusion(stack.services.orm, tenantId, seq);
      expect(proof).toMatchObject({ seq, treeSize: N, checkpoint: { seq: N } });
      expect(verifyProofBundle(proof!, keyring)).toEqual({ ok: true, reason: null });
      // and it proves that event only: another event's hash at this place does not verify
      const other = await proveInclusion(stack.services.orm, tenantId, seq === N ? N - 1 : seq + 1);
      expect(verifyProofBundle({ ...proof!, eventHash: other!.eventHash }, keyring).ok).toBe(false);
    }
    const consistency = await proveConsistency(stack.services.orm, tenantId, CUT, N);
    expect(verifyProofBundle(consistency, keyring)).toEqual({ ok: true, reason: null });
    // an expired event has none here (its archive pack holds it)
    await expect(proveInclusion(stack.services.orm, tenantId, CUT)).rejects.toThrow(/no event 30000/);
  });

  it('a row tampered with after the anchor is still named, and so is a broken link right at it', async () => {
    const tampered = await asAttacker(
      su,
      tenantId,
      (c) => c.query(`update audit_events set description = 'forged' where tenant_id = $1 and seq = 40000`, [tenantId]).then(() => {}),
      () => verifyChain(stack.services.orm, tenantId, { threads: 1 }),
    );
    expect(tampered).toMatchObject({ ok: false, firstBrokenSeq: 40_000 });
    const relinked = await asAttacker(
      su,
      tenantId,
      (c) => c.query(`update audit_events set prev_hash = repeat('a', 64) where tenant_id = $1 and seq = $2`, [tenantId, CUT + 1]).then(() => {}),
      () => verifyChain(stack.services.orm, tenantId, { threads: 1 }),
    );
    expect(relinked).toMatchObject({ ok: false, firstBrokenSeq: CUT + 1 });
  });

  it('a forged anchor (its checkpoint not signed by a trusted key) fails the verification', async () => {
    await su.query('set session_replication_role = replica');
    try {
      await su.query(`update chain_anchors set checkpoint = jsonb_set(checkpoint, '{signature}', '"AAAA"') where tenant_id = $1`, [tenantId]);
      const v = await verifyChain(stack.services.orm, tenantId);
      expect(v).toMatchObject({ ok: false, reason: expect.stringMatching(/anchor at seq 30000/) });
    } finally {
      await su.query(`update chain_anchors set checkpoint = $2::jsonb where tenant_id = $1`, [tenantId, JSON.stringify(expiry.checkpoint)]);
      await su.query('set session_replication_role = origin');
    }
    expect((await verifyChain(stack.services.orm, tenantId)).ok).toBe(true);
  });

  it("an anchor whose archive is another signed pack ending at its checkpoint (an Admin's export, filtered or whole) fails the verification", async () => {
    // what a superuser without the key can find: a genuine manifest signed at that checkpoint, but of a
    // one-row filtered export, not the archive of the 30,000 events he would delete
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    const original = (await su.query('select archive_manifest from chain_anchors where tenant_id = $1', [tenantId])).rows[0]
      .archive_manifest as TExportManifest;
    const { signature: _signature, ...archive } = original;
    // a one-row filtered export, and an Admin's export of the whole log up to the anchor: both signed
    const forgeries = [
      { ...archive, filter: { actions: ['LOGIN_FAILED' as const] }, rows: 1, chainRange: { fromSeq: CUT, toSeq: CUT } },
      { ...archive, generatedBy: { userId: randomUUID(), name: 'Ada Admin', email: 'ada@example.test' } },
    ];
    await su.query('set session_replication_role = replica');
    try {
      for (const unsigned of forgeries) {
        const forged = { ...unsigned, signature: signer.sign(manifestSigningText(unsigned)) };
        await su.query(`update chain_anchors set archive_manifest = $2::jsonb where tenant_id = $1`, [tenantId, JSON.stringify(forged)]);
        const v = await verifyChain(stack.services.orm, tenantId);
        expect(v).toMatchObject({ ok: false, reason: expect.stringMatching(/anchor at seq 30000 is not the archive of events 1\.\.30000/) });
      }
    } finally {
      await su.query(`update chain_anchors set archive_manifest = $2::jsonb where tenant_id = $1`, [tenantId, JSON.stringify(original)]);
      await su.query('set session_replication_role = origin');
    }
    expect((await verifyChain(stack.services.orm, tenantId)).ok).toBe(true);
  });

  it('an anchor cut before the archive kind was signed (its manifest has no kind) still verifies, listed as legacy', async () => {
    // what the cuts made before 2026-12-02 left: the same archive, signed without the kind member
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    const original = (await su.query('select archive_manifest from chain_anchors where tenant_id = $1', [tenantId])).rows[0]
      .archive_manifest as TExportManifest;
    expect(original.kind).toBe('retention-archive');
    const { signature: _signature, kind: _kind, ...unsigned } = original;
    const legacy = { ...unsigned, signature: signer.sign(manifestSigningText(unsigned)) };
    // and a signed kind other than the cut's is refused, whatever the rest says
    const { signature: _s, ...archive } = original;
    const offboarding = { ...archive, kind: 'offboarding-pack' as const };
    await su.query('set session_replication_role = replica');
    try {
      await su.query(`update chain_anchors set archive_manifest = $2::jsonb where tenant_id = $1`, [tenantId, JSON.stringify(legacy)]);
      expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({ ok: true, fromAnchorSeq: CUT, legacyAnchorSeqs: [CUT] });
      // a pack made now starts after that anchor: its signed manifest says the anchor rests on the older
      // checks (review F §2), and the offline check says so to whoever reads the pack
      const made = runCli(stack, ['export', 'create', '--tenant', tenantId, '--format', 'csv']);
      expect(made.status, made.stderr).toBe(0);
      expect(made.json.anchor).toMatchObject({ seq: CUT, legacy: true });
      const checked = runCli(stack, ['verify-export', made.json.path]);
      expect(checked.status, checked.stderr).toBe(0);
      expect(checked.stderr).toMatch(new RegExp(`NOTE: events 1\\.\\.${CUT} expired into an archive whose manifest was signed before`));
      const notCut = { ...offboarding, signature: signer.sign(manifestSigningText(offboarding)) };
      await su.query(`update chain_anchors set archive_manifest = $2::jsonb where tenant_id = $1`, [tenantId, JSON.stringify(notCut)]);
      expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/anchor at seq 30000 is not the archive .* signed as kind "offboarding-pack"/),
      });
    } finally {
      await su.query(`update chain_anchors set archive_manifest = $2::jsonb where tenant_id = $1`, [tenantId, JSON.stringify(original)]);
      await su.query('set session_replication_role = origin');
    }
    expect((await verifyChain(stack.services.orm, tenantId)).ok).toBe(true);
  });

  it("an anchor whose archive is another statement of the same key (the anchor's own signed checkpoint) is not an archive", async () => {
    // signed by the installation's key, so the signature checks; but it is no pack's manifest (review F §9)
    const original = (await su.query('select archive_manifest from chain_anchors where tenant_id = $1', [tenantId])).rows[0].archive_manifest;
    await su.query('set session_replication_role = replica');
    try {
      // with the type its signature covers, the checkpoint's signature checks as a manifest's would
      const statement = { ...expiry.checkpoint, type: 'modula-audit/checkpoint' };
      await su.query(`update chain_anchors set archive_manifest = $2::jsonb where tenant_id = $1`, [tenantId, JSON.stringify(statement)]);
      expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/anchor at seq 30000 is not an export manifest/),
      });
      // and no pack of the whole log is signed on top of it
      const made = runCli(stack, ['export', 'create', '--tenant', tenantId, '--format', 'csv']);
      expect(made.status).not.toBe(0);
      expect(made.stderr).toMatch(/nothing was signed: the tenant's retention anchor does not check \(.*not an export manifest/);
    } finally {
      await su.query(`update chain_anchors set archive_manifest = $2::jsonb where tenant_id = $1`, [tenantId, JSON.stringify(original)]);
      await su.query('set session_replication_role = origin');
    }
    expect((await verifyChain(stack.services.orm, tenantId)).ok).toBe(true);
  });

  it('an anchor whose stored frontier was altered gives no proof (it would blame the event), and says why', async () => {
    const { frontier } = (await su.query('select frontier from chain_anchors where tenant_id = $1', [tenantId])).rows[0] as { frontier: string[] };
    await su.query('set session_replication_role = replica');
    try {
      await su.query(`update chain_anchors set frontier[1] = repeat('0', 64) where tenant_id = $1`, [tenantId]);
      await expect(proveInclusion(stack.services.orm, tenantId, 40_000)).rejects.toThrow(
        /anchor at seq 30000 keeps a Merkle frontier that does not give its signed root/,
      );
    } finally {
      await su.query(`update chain_anchors set frontier = $2::text[] where tenant_id = $1`, [tenantId, frontier]);
      await su.query('set session_replication_role = origin');
    }
    expect(await proveInclusion(stack.services.orm, tenantId, 40_000)).toMatchObject({ seq: 40_000 });
  });

  it('a second cut continues from the anchor (30,001..35,000) and the rest still verifies', async () => {
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    // a checkpoint between the two cuts, as the scheduled ones are made
    await createCheckpoint(stack.services.orm, signer, tenantId, { atSeq: 32_000 });
    const again = await expireTenantPrefix(stack.services.orm, maintenanceUrl, signer, stack.env.DATA_DIR!, tenantId, 35_000);
    expect(again).toMatchObject({ fromSeq: CUT + 1, toSeq: 35_000, removed: 5_000 });
    const archived = runCli(stack, ['verify-export', again!.archive.file]);
    expect(archived.status, archived.stderr).toBe(0);
    // it starts after the first cut's anchor, which its manifest names (signed)
    expect(archived.json).toMatchObject({
      kind: 'retention-archive',
      chainRange: { fromSeq: CUT + 1, toSeq: 35_000 },
      anchor: { seq: CUT, hash: expiry.checkpoint.hash, archiveExportId: expiry.archive.exportId, archiveSha256: expiry.archive.sha256 },
    });
    // the same pack signed without the anchor (say, an anchor row the service could not check) does not pass for the whole log
    const { signature: _signature, anchor: _anchor, ...unanchored } = JSON.parse(readFileSync(again!.archive.manifestFile, 'utf8')) as TExportManifest;
    const bare = join(mkdtempSync(join(tmpdir(), 'modula-unanchored-')), 'manifest.json');
    writeFileSync(bare, JSON.stringify({ ...unanchored, signature: signer.sign(manifestSigningText(unanchored)) }));
    const refused = runCli(stack, ['verify-export', again!.archive.file, '--manifest', bare]);
    expect(refused.status).not.toBe(0);
    expect(refused.json.reason).toBe(`the pack of the whole log starts at event ${CUT + 1} and names no retention anchor: events 1..${CUT} are missing`);
    expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({ ok: true, checked: N - 35_000, fromAnchorSeq: 35_000 });
    // proofs now stand on the newer anchor's frontier
    const proof = await proveInclusion(stack.services.orm, tenantId, 40_000);
    expect(verifyProofBundle(proof!, keyringOf([{ keyId: signer.keyId, publicKey: signer.publicKeyPem }]))).toEqual({ ok: true, reason: null });
    // one from the first anchor's checkpoint (before the second cut) would need expired events: refused, and why
    await expect(proveConsistency(stack.services.orm, tenantId, CUT, N)).rejects.toThrow('events 1..35000 expired (retention)');
    await expect(proveConsistency(stack.services.orm, tenantId, CUT, 35_000)).rejects.toThrow('events 1..35000 expired (retention)');
    await expect(proveConsistency(stack.services.orm, tenantId, CUT, 32_000)).rejects.toThrow('events 1..35000 expired (retention)');
  }, 60_000);

  it('offboarding after the cuts: the final pack holds 35,001..50,000, the tombstone says so, nothing of the tenant is left', async () => {
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    const out = await offboardTenant(stack.services.orm, maintenanceUrl, signer, stack.env.DATA_DIR!, tenantId);
    expect(out.tombstone).toMatchObject({ fromSeq: 35_001, toSeq: N, packRows: N - 35_000 });
    expect(tombstoneValid(keyringOf([{ keyId: signer.keyId, publicKey: signer.publicKeyPem }]), out.tombstone)).toEqual({ ok: true, reason: null });
    const final = runCli(stack, ['verify-export', out.pack.file]);
    expect(final.status, final.stderr).toBe(0);
    expect(final.json).toMatchObject({ kind: 'offboarding-pack', chainRange: { fromSeq: 35_001, toSeq: N }, anchor: { seq: 35_000 } });
    for (const table of ['audit_events', 'audit_event_search', 'expired_events', 'chain_anchors', 'checkpoints', 'chain_heads']) {
      const [r] = await queryRows<{ n: number }>(stack.databaseSuperuserUrl, `select count(*)::int as n from ${table} where tenant_id = $1`, [tenantId]);
      expect(r!.n, table).toBe(0);
    }
  }, 60_000);
});

/**
 * The viewer reads the timeline and the people picker from projections the insert trigger keeps
 * (event_hour_counts, event_actors), never from the log: a cut must take its events out of them too,
 * or the timeline shows days of events the log no longer has, and the picker people with none.
 */
describe('nothing is cut from a chain that does not verify', () => {
  it('a row edited under a signed checkpoint (hash kept) is never signed into an archive: the cut and offboarding refuse, nothing is removed', async () => {
    const { tenantId: edited } = await stack.createTenant('Edited under a checkpoint');
    await seedChain(stack.databaseSuperuserUrl, edited, 200);
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    // checkpoints at the cut and at the head: a cut there, or offboarding, takes them as they are,
    // without walking again what they cover
    await createCheckpoint(stack.services.orm, signer, edited, { atSeq: 100 });
    await createCheckpoint(stack.services.orm, signer, edited, { atSeq: 200 });
    await su.query('set session_replication_role = replica');
    try {
      await su.query(`update audit_events set actor_name = 'Mallory' where tenant_id = $1 and seq = 42`, [edited]);
    } finally {
      await su.query('set session_replication_role = origin');
    }
    await expect(expireTenantPrefix(stack.services.orm, maintenanceUrl, signer, stack.env.DATA_DIR!, edited, 100)).rejects.toThrow(
      /expiring events through 100 refused: the chain does not verify at event 42/,
    );
    await expect(offboardTenant(stack.services.orm, maintenanceUrl, signer, stack.env.DATA_DIR!, edited)).rejects.toThrow(
      /offboarding refused: the chain does not verify at event 42/,
    );
    const [left] = await queryRows<{ n: number; anchors: number }>(
      stack.databaseSuperuserUrl,
      'select (select count(*)::int from audit_events where tenant_id = $1) as n, (select count(*)::int from chain_anchors where tenant_id = $1) as anchors',
      [edited],
    );
    expect(left).toEqual({ n: 200, anchors: 0 });
  });
});

describe("a cut keeps the viewer's counts true", () => {
  // actor user-k stores events k and k + 500: a cut at 600 leaves actors 101..200 one of their two, and takes every other actor's all
  const M = 700;
  const CUT_AT = 600;
  let counted: string;
  // the truth, from the log: events in whole past hours (the timeline sums those from event_hour_counts), and per actor
  const fromLog = async () => {
    const [inRange] = await queryRows<{ n: number }>(
      stack.databaseSuperuserUrl,
      'select count(*)::int as n from audit_events where tenant_id = $1 and occurred_at >= $2 and occurred_at <= $3',
      [counted, RANGE.from, RANGE.to],
    );
    const actors = await queryRows<{ id: string; events: number }>(
      stack.databaseSuperuserUrl,
      'select actor_id as id, count(*)::int as events from audit_events where tenant_id = $1 group by actor_id order by actor_id',
      [counted],
    );
    return { inRange: inRange!.n, actors };
  };
  const fromViewer = async () => {
    const timeline = await countEventsByDay(stack.services.orm, counted, { ...RANGE, timeZone: 'UTC' });
    const actors = (await listActors(stack.services.orm, counted, { limit: 1000 })).map((a) => ({ id: a.id, events: a.events }));
    return { inRange: timeline.total, actors: actors.sort((a, b) => (a.id < b.id ? -1 : 1)) };
  };
  const hour = 3_600_000;
  const RANGE = {
    from: new Date(Math.floor(Date.now() / hour) * hour - 72 * hour).toISOString(),
    to: new Date(Math.floor(Date.now() / hour) * hour - 1).toISOString(),
  };

  beforeAll(async () => {
    ({ tenantId: counted } = await stack.createTenant('Counted'));
    // with the insert triggers on, as storing runs them: every tenth event is an offline one, 1 to 48 hours old
    await seedChain(stack.databaseSuperuserUrl, counted, M, () => {}, { triggers: true });
  }, 60_000);

  it(`before the cut, the timeline and the picker agree with the log (${M} events of 500 actors)`, async () => {
    const truth = await fromLog();
    expect(truth.inRange).toBeGreaterThan(0);
    expect(truth.actors).toHaveLength(500);
    expect(await fromViewer()).toEqual(truth);
  });

  it(`after a cut at ${CUT_AT}, they count only the events left: the expired ones' hours and their actors are gone`, async () => {
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    expect(await expireTenantPrefix(stack.services.orm, maintenanceUrl, signer, stack.env.DATA_DIR!, counted, CUT_AT)).toMatchObject({ removed: CUT_AT });
    const truth = await fromLog();
    expect(truth.actors).toEqual(Array.from({ length: 100 }, (_, k) => ({ id: `user-${101 + k}`, events: 1 })).sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await fromViewer()).toEqual(truth);
  }, 60_000);

  it('a store of the tenant beside a cut keeps its count: the cut writes the counts after it, not over it', async () => {
    const signer = loadSigner({ DATA_DIR: stack.env.DATA_DIR! });
    // a store in flight: it holds the tenant's chain head, as every store takes it first, and has
    // added one event of user-101 (whose only event the next cut expires), as its insert trigger does
    const store = await connect(stack.databaseSuperuserUrl);
    await store.query('begin');
    await store.query('select seq from chain_heads where tenant_id = $1 for update', [counted]);
    await store.query(`update event_actors set events = events + 1 where tenant_id = $1 and actor_id = 'user-101'`, [counted]);
    const cut = expireTenantPrefix(stack.services.orm, maintenanceUrl, signer, stack.env.DATA_DIR!, counted, 650);
    // the cut reaches remove_tenant_rows and waits on the store's locks; then the store commits
    const waiting = async () =>
      (
        await queryRows<{ n: number }>(
          stack.databaseSuperuserUrl,
          `select count(*)::int as n from pg_stat_activity where query like '%remove_tenant_rows%' and wait_event_type = 'Lock'`,
        )
      )[0]!.n;
    await expect.poll(waiting, { timeout: 30_000 }).toBe(1);
    await store.query('commit');
    await store.end();
    expect(await cut).toMatchObject({ fromSeq: CUT_AT + 1, toSeq: 650, removed: 50 });
    const actors = await listActors(stack.services.orm, counted, { limit: 1000 });
    // user-101: the stored event counts, the expired one does not; 102..150 are gone with their events
    expect(actors.find((a) => a.id === 'user-101')?.events).toBe(1);
    expect(actors.map((a) => a.id).sort()).toEqual(['user-101', ...Array.from({ length: 50 }, (_, k) => `user-${151 + k}`)].sort());
  }, 60_000);
});
