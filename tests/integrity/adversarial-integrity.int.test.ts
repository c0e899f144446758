import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpoint, loadSigner, verifyChain } from '@modula/domain';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { asAttacker, runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * An adversarial review of tamper evidence: a database superuser (triggers off, constraints dropped)
 * and an operator or auditor who spells a tenant id in upper case, which the contract says is the
 * same id ("Identifiers are case-insensitive … everywhere").
 */

const dataDir = mkdtempSync(join(tmpdir(), 'modula-adversarial-'));
let stack: TestStack;
let su: pg.Client;
const signer = () => loadSigner({ DATA_DIR: dataDir });

const tenantWith = async (name: string, n: number) => {
  const { tenantId } = await stack.createTenant(name);
  await ingestStored(
    stack,
    tenantId,
    Array.from({ length: n }, (_, i) => makeEvent(tenantId, { metadata: { i } })),
  );
  return tenantId;
};

beforeAll(async () => {
  stack = await startStack({ env: { DATA_DIR: dataDir } });
  su = await connect(stack.databaseSuperuserUrl);
});
afterAll(async () => {
  await su?.end();
  await stack?.close();
});

describe('a tenant id given in upper case is the same tenant', () => {
  it('checkpoint create signs a checkpoint that verifies (not one signed over the upper-case spelling, which no verifier accepts afterwards)', async () => {
    const tenantId = await tenantWith('Upper-case checkpoint', 5);
    const created = runCli(stack, ['checkpoint', 'create', '--tenant', tenantId.toUpperCase()]);
    expect(created.status, created.stderr).toBe(0);
    const r = await verifyChain(stack.services.orm, tenantId);
    expect(r, r.reason ?? '').toMatchObject({ ok: true, checked: 5, checkpointsChecked: 1 });
    expect(created.json).toMatchObject({ tenantId, seq: 5 });
    const cli = runCli(stack, ['verify-chain', '--tenant', tenantId]);
    expect(cli.status, cli.stdout).toBe(0);
  });

  it("verify-chain compares the auditor's saved checkpoints: a cut tail, head rewound and checkpoints table emptied, is caught", async () => {
    const tenantId = await tenantWith('Upper-case auditor', 10);
    await createCheckpoint(stack.services.orm, signer(), tenantId);
    const listed = runCli(stack, ['checkpoint', 'list', '--tenant', tenantId]);
    expect(listed.status).toBe(0);
    const saved = join(dataDir, `saved-${tenantId}.json`);
    writeFileSync(saved, listed.stdout);
    const auditor = () => Promise.resolve(runCli(stack, ['verify-chain', '--tenant', tenantId.toUpperCase(), '--checkpoints', saved]));
    const cli = await asAttacker(
      su,
      tenantId,
      async (c) => {
        await c.query('delete from audit_events where tenant_id = $1 and seq > 7', [tenantId]);
        await c.query('update chain_heads set seq = 7, hash = (select hash from audit_events where tenant_id = $1 and seq = 7) where tenant_id = $1', [
          tenantId,
        ]);
        await c.query('delete from checkpoints where tenant_id = $1', [tenantId]);
      },
      auditor,
    );
    expect(cli.json, cli.stdout).toMatchObject({ ok: false, firstBrokenSeq: 8 });
    expect(cli.status).toBe(2);
    expect(cli.json.reason).toMatch(/events 8\.\.10 are missing/);
  });

  it('export create makes a pack that verify-export accepts', async () => {
    const tenantId = await tenantWith('Upper-case export', 4);
    const made = runCli(stack, ['export', 'create', '--tenant', tenantId.toUpperCase(), '--format', 'csv']);
    expect(made.status, made.stderr).toBe(0);
    const checked = runCli(stack, ['verify-export', made.json.path, '--tenant', tenantId]);
    expect(checked.json, checked.stdout).toMatchObject({ ok: true, tenantId, rows: 4 });
    expect(checked.status).toBe(0);
  });
});
