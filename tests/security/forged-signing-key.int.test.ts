import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpoint, loadSigner, verifyChain } from '@modula/domain';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { asAttacker, ingestStored, rewriteFrom, runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * A database superuser rewrites an event, re-hashes the chain, and adds a signing key of their own
 * to `signing_keys` with a checkpoint it signs over the rewritten chain. A verifier that trusts
 * whatever keys the database lists is fooled; `verify-chain` trusts the keys this host pinned on
 * first use (and its own), so it is not.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'modula-forged-key-'));
const forgerDir = mkdtempSync(join(tmpdir(), 'modula-forger-'));
let stack: TestStack;
let db: pg.Client;
let tenantId: string;

beforeAll(async () => {
  stack = await startStack({ env: { DATA_DIR: dataDir } });
  db = await connect(stack.databaseSuperuserUrl);
  ({ tenantId } = await stack.createTenant('Forged key'));
  await ingestStored(stack, tenantId, Array.from({ length: 10 }, (_, i) => makeEvent(tenantId, { metadata: { n: i } })));
  await createCheckpoint(stack.services.orm, loadSigner({ DATA_DIR: dataDir }), tenantId);
});
afterAll(async () => {
  await db.end();
  await stack.close();
});

describe('verify-chain trusts pinned keys, not whatever the database lists', () => {
  it('pins this installation\'s keys at first use and verifies the intact log', () => {
    const cli = runCli(stack, ['verify-chain', '--tenant', tenantId]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.json).toMatchObject({ ok: true, checked: 10, checkpointsChecked: 1 });
  });

  it('refuses a rewritten chain whose checkpoint is signed by a key the attacker added to signing_keys', async () => {
    const forger = loadSigner({ DATA_DIR: forgerDir });
    const cli = await asAttacker(db, tenantId, async (c) => {
      await rewriteFrom(c, tenantId, 4);
      await c.query('delete from checkpoints where tenant_id = $1', [tenantId]);
    }, async () => {
      // the forged key is published in the database and signs the rewritten chain
      await createCheckpoint(stack.services.orm, forger, tenantId);
      const listedKeysTrusted = await verifyChain(stack.services.orm, tenantId);
      expect(listedKeysTrusted).toMatchObject({ ok: true }); // what trusting the database's keys would say
      return runCli(stack, ['verify-chain', '--tenant', tenantId]);
    });
    expect(cli.status).toBe(2);
    expect(cli.json.ok).toBe(false);
    expect(cli.json.reason).toMatch(/not validly signed by a trusted key/);
    expect(cli.json.notTrustedKeys).toContain(forger.keyId);
  });
});
