import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpoint, loadSigner, pinnedKeys, verifyChain } from '@modula/domain';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { asAttacker, rewriteFrom, runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * A database superuser rewrites an event, re-hashes the chain, and adds a signing key of their own
 * to `signing_keys` (with SQL: the runtime itself may not add one) with a checkpoint it signs over
 * the rewritten chain. A verifier that trusts whatever keys the database lists is fooled;
 * `verify-chain` and the viewer's badge trust the keys this host pinned on first use (and its own),
 * so they are not.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'modula-forged-key-'));
const forgerDir = mkdtempSync(join(tmpdir(), 'modula-forger-'));
let stack: TestStack;
let db: pg.Client;
let tenantId: string;

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir } });
  db = await connect(stack.databaseSuperuserUrl);
  ({ tenantId } = await stack.createTenant('Forged key'));
  await ingestStored(
    stack,
    tenantId,
    Array.from({ length: 10 }, (_, i) => makeEvent(tenantId, { metadata: { n: i } })),
  );
  await createCheckpoint(stack.services.orm, loadSigner({ DATA_DIR: dataDir }), tenantId);
});
afterAll(async () => {
  await db.end();
  await stack.close();
});

describe('verify-chain and the badge trust pinned keys, not whatever the database lists', () => {
  it("pins this installation's keys at first use and verifies the intact log", () => {
    const cli = runCli(stack, ['verify-chain', '--tenant', tenantId]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.json).toMatchObject({ ok: true, checked: 10, checkpointsChecked: 1 });
  });

  it('refuses a rewritten chain whose checkpoint is signed by a key the attacker added to signing_keys', async () => {
    const { cookie } = await signedInAdmin(stack, tenantId);
    // the sign-in is audited in this log: once a later event is stored, so are its events (one tenant, one order)
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    const badge = async () => (await trpc(stack, 'query', 'integrity.verify', {}, { cookie })).data;
    const green = await badge();
    expect(green).toMatchObject({ ok: true });
    expect(green.notTrustedKeys).toBeUndefined();

    const forger = loadSigner({ DATA_DIR: forgerDir });
    // the service does not publish a key by signing with it
    await expect(createCheckpoint(stack.services.orm, forger, tenantId)).rejects.toThrow(/not published/);
    const { cli, viewer } = await asAttacker(
      db,
      tenantId,
      async (c) => {
        await rewriteFrom(c, tenantId, 4);
        await c.query('delete from checkpoints where tenant_id = $1', [tenantId]);
        // the runtime may not insert into signing_keys: the superuser does it
        await c.query(`insert into signing_keys (key_id, algorithm, public_key) values ($1, 'Ed25519', $2)`, [forger.keyId, forger.publicKeyPem]);
      },
      async () => {
        // the forged key, now listed in the database, signs the rewritten chain
        await createCheckpoint(stack.services.orm, forger, tenantId);
        const listedKeysTrusted = await verifyChain(stack.services.orm, tenantId);
        expect(listedKeysTrusted).toMatchObject({ ok: true }); // what trusting the database's keys would say
        // nor does the service's own key come to vouch for it: the scheduler (worker) extends only a checkpoint signed by a pinned key
        const { keyring } = await pinnedKeys(stack.services.orm, dataDir, loadSigner(stack.config));
        await expect(createCheckpoint(stack.services.orm, loadSigner(stack.config), tenantId, { keyring })).rejects.toThrow(
          /not validly signed by a trusted key/,
        );
        return { cli: runCli(stack, ['verify-chain', '--tenant', tenantId]), viewer: await badge() };
      },
    );
    expect(cli.status).toBe(2);
    expect(cli.json.ok).toBe(false);
    expect(cli.json.reason).toMatch(/not validly signed by a trusted key/);
    expect(cli.json.notTrustedKeys).toContain(forger.keyId);
    // the viewer's badge says the same (the forged checkpoint is the latest: not trusted, so the full walk runs)
    expect(viewer).toMatchObject({ ok: false, fromCheckpointSeq: null });
    expect(viewer.reason).toMatch(/not validly signed by a trusted key/);
    expect(viewer.notTrustedKeys).toContain(forger.keyId);
  });
});
