import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TCheckpoint } from '@modula/contracts';
import { checkpointSigningText, createCheckpoint, EMPTY_ROOT, leafHash, loadSigner, verifyChain } from '@modula/domain';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { asAttacker, rewriteFrom, runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * The re-hash attack: a database superuser edits one event, then recomputes prev_hash and hash of
 * it and of every later row with the published recipe and moves the chain head. The chain alone
 * then links perfectly; only the signed checkpoints can tell — every one of them, including the
 * checkpoint a tenant gets at seq 0 when the scheduler ticks before its first event.
 */

const GENESIS = '0'.repeat(64);
const dataDir = mkdtempSync(join(tmpdir(), 'modula-every-checkpoint-'));
let stack: TestStack;
let db: pg.Client;
const signer = () => loadSigner({ DATA_DIR: dataDir });
/** Tenants: checkpoints at 0, 20, 30 (onboarded before its first event) and at 20, 30 (no seq-0 one). */
let onboarded: string;
let late: string;

const dropCheckpoints = (c: pg.Client, tenantId: string) => c.query('delete from checkpoints where tenant_id = $1', [tenantId]).then(() => {});

const ingest = (tenantId: string, n: number, from: number) =>
  ingestStored(
    stack,
    tenantId,
    Array.from({ length: n }, (_, i) => makeEvent(tenantId, { metadata: { n: from + i } })),
  );

/** The scheduler's call: signs only when the log grew, and signs an empty log at seq 0. */
const scheduledCheckpoint = async (tenantId: string) => (await createCheckpoint(stack.services.orm, signer(), tenantId, { onlyIfGrown: true })).checkpoint;

/** A checkpoint signed with the installation's real key, saying whatever it is given (a signer bug, or a stolen key). */
function signed(c: Omit<TCheckpoint, 'signature' | 'v' | 'keyId' | 'createdAt'>): TCheckpoint {
  const unsigned = { v: 1 as const, ...c, createdAt: new Date().toISOString(), keyId: signer().keyId };
  return { ...unsigned, signature: signer().sign(checkpointSigningText(unsigned)) };
}

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir } });
  db = await connect(stack.databaseSuperuserUrl);
  ({ tenantId: onboarded } = await stack.createTenant('Onboarded before its first sale'));
  ({ tenantId: late } = await stack.createTenant('First checkpoint after its first sales'));
  expect(await scheduledCheckpoint(onboarded)).toMatchObject({ seq: 0, hash: GENESIS, merkleRoot: EMPTY_ROOT.toString('hex') });
  for (const tenantId of [onboarded, late]) {
    await ingest(tenantId, 20, 1);
    expect((await scheduledCheckpoint(tenantId)).seq).toBe(20);
    await ingest(tenantId, 10, 21);
    expect((await scheduledCheckpoint(tenantId)).seq).toBe(30);
  }
});
afterAll(async () => {
  await db?.end();
  await stack?.close();
});

describe('verify-chain compares every signed checkpoint, the one at seq 0 included', () => {
  it('counts every checkpoint of an intact log, the seq-0 one included', async () => {
    expect(await verifyChain(stack.services.orm, onboarded)).toMatchObject({ ok: true, checked: 30, checkpointsChecked: 3, firstBrokenSeq: null });
    expect(await verifyChain(stack.services.orm, late)).toMatchObject({ ok: true, checked: 30, checkpointsChecked: 2, firstBrokenSeq: null });
  });

  it('counts the seq-0 checkpoint of a log that is still empty', async () => {
    const { tenantId } = await stack.createTenant('Still empty');
    await scheduledCheckpoint(tenantId);
    expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({
      ok: true,
      checked: 0,
      headSeq: 0,
      checkpointsChecked: 1,
      lastCheckpoint: { seq: 0 },
    });
  });

  it('the rewrite is consistent: with the checkpoints gone, the chain alone passes', async () => {
    const r = await asAttacker(
      db,
      onboarded,
      async (c) => {
        await rewriteFrom(c, onboarded, 7);
        await dropCheckpoints(c, onboarded);
      },
      () => verifyChain(stack.services.orm, onboarded),
    );
    expect(r).toMatchObject({ ok: true, checked: 30 });
  });

  it.each([1, 7, 20, 25, 30])('(a) catches event %i edited and every later row re-hashed, behind a seq-0 checkpoint', async (seq) => {
    const r = await asAttacker(
      db,
      onboarded,
      (c) => rewriteFrom(c, onboarded, seq),
      () => verifyChain(stack.services.orm, onboarded),
    );
    expect(r).toMatchObject({ ok: false });
    expect(r.firstBrokenSeq).toBeGreaterThanOrEqual(1);
    expect(r.firstBrokenSeq).toBeLessThanOrEqual(seq);
    expect(r.reason).toMatch(/signed in the checkpoint/);
  });

  it.each([1, 7, 20, 25, 30])('(b) catches event %i edited and every later row re-hashed, without a seq-0 checkpoint', async (seq) => {
    const r = await asAttacker(
      db,
      late,
      (c) => rewriteFrom(c, late, seq),
      () => verifyChain(stack.services.orm, late),
    );
    expect(r).toMatchObject({ ok: false });
    expect(r.firstBrokenSeq).toBeGreaterThanOrEqual(1);
    expect(r.firstBrokenSeq).toBeLessThanOrEqual(seq);
    expect(r.reason).toMatch(/signed in the checkpoint/);
  });

  it('names the first event after the last checkpoint that still agrees', async () => {
    const r = await asAttacker(
      db,
      onboarded,
      (c) => rewriteFrom(c, onboarded, 25),
      () => verifyChain(stack.services.orm, onboarded),
    );
    expect(r).toMatchObject({ ok: false, firstBrokenSeq: 21, checkpointsChecked: 3 });
  });

  it("(c) CLI verify-chain with the auditor's saved checkpoints and --public-key catches it, the checkpoints table emptied", async () => {
    const listed = runCli(stack, ['checkpoint', 'list', '--tenant', onboarded]);
    expect(listed.status).toBe(0);
    expect(listed.json.items.map((c: TCheckpoint) => c.seq)).toEqual([30, 20, 0]);
    const saved = join(dataDir, 'saved-checkpoints.json');
    writeFileSync(saved, listed.stdout);
    const keysFile = join(dataDir, 'keys.json');
    writeFileSync(keysFile, await (await fetch(`${stack.baseUrl}/.well-known/modula-audit/keys.json`)).text());
    const auditor = () => Promise.resolve(runCli(stack, ['verify-chain', '--tenant', onboarded, '--checkpoints', saved, '--public-key', keysFile]));
    const cli = await asAttacker(
      db,
      onboarded,
      async (c) => {
        await rewriteFrom(c, onboarded, 7);
        await dropCheckpoints(c, onboarded);
      },
      auditor,
    );
    expect(cli.status).toBe(2);
    expect(cli.json.ok).toBe(false);
    expect(cli.json.firstBrokenSeq).toBeLessThanOrEqual(7);
    expect(cli.json.reason).toMatch(/signed in the checkpoint/);
    // and the same saved copies pass the intact log, each checkpoint counted once (the table holds them too)
    const intact = await auditor();
    expect(intact.status).toBe(0);
    expect(intact.json).toMatchObject({ ok: true, checked: 30, checkpointsChecked: 3 });
  });

  it("holds a seq-0 checkpoint to the genesis hash and the empty tree's root", async () => {
    const firstHash = (await db.query('select hash from audit_events where tenant_id = $1 and seq = 1', [late])).rows[0].hash as string;
    const notGenesis = signed({ tenantId: late, seq: 0, hash: firstHash, merkleRoot: EMPTY_ROOT.toString('hex') });
    const notEmpty = signed({ tenantId: late, seq: 0, hash: GENESIS, merkleRoot: leafHash(firstHash).toString('hex') });
    for (const bad of [notGenesis, notEmpty]) {
      const r = await verifyChain(stack.services.orm, late, { extraCheckpoints: [bad] });
      expect(r).toMatchObject({ ok: false });
      expect(r.reason).toMatch(/seq 0/);
    }
    const good = signed({ tenantId: late, seq: 0, hash: GENESIS, merkleRoot: EMPTY_ROOT.toString('hex') });
    expect(await verifyChain(stack.services.orm, late, { extraCheckpoints: [good] })).toMatchObject({ ok: true, checkpointsChecked: 3 });
  });

  it("the viewer's integrity.verify badge turns red on the same rewrite", async () => {
    const { cookie } = await signedInAdmin(stack, onboarded);
    // the sign-in is audited in this log: once a later event is stored, so are its events (one tenant, one order)
    await ingest(onboarded, 1, 31);
    const badge = () => trpc(stack, 'query', 'integrity.verify', {}, { cookie }).then((res) => res.data);
    const r = await asAttacker(db, onboarded, (c) => rewriteFrom(c, onboarded, 7), badge);
    expect(r).toMatchObject({ ok: false });
    expect(r.firstBrokenSeq).toBeLessThanOrEqual(7);
  });
});

describe('a checkpoint only extends what the previous one signed', () => {
  it('refuses to sign on top of a checkpoint whose stored frontier or signature was swapped', async () => {
    for (const swap of [
      (c: pg.Client, t: string) => c.query(`update checkpoints set frontier = array[repeat('ab', 32)] where tenant_id = $1`, [t]),
      (c: pg.Client, t: string) => c.query(`update checkpoints set merkle_root = repeat('cd', 32) where tenant_id = $1`, [t]),
    ]) {
      const { tenantId } = await stack.createTenant('Swapped frontier');
      await ingest(tenantId, 5, 0);
      await createCheckpoint(stack.services.orm, signer(), tenantId);
      await db.query('set session_replication_role = replica');
      try {
        await swap(db, tenantId);
      } finally {
        await db.query('set session_replication_role = origin');
      }
      await ingest(tenantId, 3, 5);
      await expect(createCheckpoint(stack.services.orm, signer(), tenantId)).rejects.toThrow(/not signing/);
    }
  });
});
