import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_EVENT_COLUMN_LIST, AUDIT_EVENT_COLUMNS, type TAuditEventColumn } from '@modula/db';
import { createCheckpoint, expireTenantPrefix, loadSigner, verifyChain, verifySinceCheckpoint } from '@modula/domain';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createMaintenanceLogin } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { asAttacker, runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * An adversarial review of tamper evidence: a database superuser (triggers off, constraints dropped)
 * and an operator or auditor who spells a tenant id in upper case, which the contract says is the
 * same id ("Identifiers are case-insensitive … everywhere").
 */

const dataDir = mkdtempSync(join(tmpdir(), 'modula-adversarial-'));
let stack: TestStack;
let su: pg.Client;
let maintenance: Awaited<ReturnType<typeof createMaintenanceLogin>>;
const signer = () => loadSigner({ DATA_DIR: dataDir });

/** An INSERT of a copy of the tenant's row $2, some columns replaced by SQL expressions. */
const copyOfRow = (replaced: Partial<Record<TAuditEventColumn, string>>) => `insert into audit_events (${AUDIT_EVENT_COLUMN_LIST})
  select ${AUDIT_EVENT_COLUMNS.map((c) => replaced[c] ?? c).join(', ')} from audit_events where tenant_id = $1 and seq = $2`;

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
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir } });
  su = await connect(stack.databaseSuperuserUrl);
  maintenance = await createMaintenanceLogin(stack.databaseSuperuserUrl, stack.databaseOwnerUrl);
}, 60_000);
afterAll(async () => {
  await maintenance?.drop();
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

  it('refuses saved checkpoints that are all of another tenant, rather than answer ok without comparing any', async () => {
    const other = await tenantWith('Saved checkpoints of another tenant', 3);
    const tenantId = await tenantWith('Checked with the wrong file', 3);
    await createCheckpoint(stack.services.orm, signer(), other);
    const saved = join(dataDir, `saved-${other}.json`);
    writeFileSync(saved, runCli(stack, ['checkpoint', 'list', '--tenant', other]).stdout);
    const cli = runCli(stack, ['verify-chain', '--tenant', tenantId, '--checkpoints', saved]);
    expect(cli.status, cli.stdout).toBe(1);
    expect(cli.stderr).toMatch(new RegExp(`holds no checkpoint of tenant ${tenantId} \\(they are of tenant ${other}\\): nothing was verified`));
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

describe('a chain head rewound behind events a checkpoint signs, the events left in place', () => {
  it('is named, as the head missing altogether is (the next event would be given a seq already stored)', async () => {
    const tenantId = await tenantWith('Head behind', 10);
    await createCheckpoint(stack.services.orm, signer(), tenantId);
    const rewound = await asAttacker(
      su,
      tenantId,
      (c) =>
        c
          .query('update chain_heads set seq = 3, hash = (select hash from audit_events where tenant_id = $1 and seq = 3) where tenant_id = $1', [tenantId])
          .then(() => {}),
      () => verifyChain(stack.services.orm, tenantId),
    );
    expect(rewound).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(rewound.reason).toMatch(/event 4 is stored beyond the chain head \(3\)/);
    const gone = await asAttacker(
      su,
      tenantId,
      (c) => c.query('delete from chain_heads where tenant_id = $1', [tenantId]).then(() => {}),
      () => verifyChain(stack.services.orm, tenantId),
    );
    expect(gone).toMatchObject({ ok: false, firstBrokenSeq: 1 });
    expect(gone.reason).toMatch(/event 1 is stored beyond the chain head \(0\)/);
    expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({ ok: true, checked: 10 });
  });
});

describe('an event stored outside the chain, where the walk does not look', () => {
  it('a forged event at seq 0 (the check constraint dropped) is named, not passed over', async () => {
    const tenantId = await tenantWith('Seq zero', 6);
    const constraint = (
      await su.query<{ conname: string; def: string }>(
        `select conname, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'audit_events'::regclass and contype = 'c'
        and pg_get_constraintdef(oid) like '%seq >= 1%'`,
      )
    ).rows[0]!;
    await su.query(`alter table audit_events drop constraint ${constraint.conname}`);
    try {
      const r = await asAttacker(
        su,
        tenantId,
        (c) =>
          c
            .query(copyOfRow({ seq: '0', id: 'gen_random_uuid()', event_id: 'gen_random_uuid()', description: `'forged refund'` }), [tenantId, 3])
            .then(() => {}),
        () => verifyChain(stack.services.orm, tenantId),
      );
      expect(r).toMatchObject({ ok: false, firstBrokenSeq: 0 });
      expect(r.reason).toMatch(/event 0 is stored before the chain's first event/);
    } finally {
      await su.query(`alter table audit_events add constraint ${constraint.conname} ${constraint.def}`);
    }
  });

  it('a forged event below the retention anchor (events 1..5 expired) is named, not passed over', async () => {
    const tenantId = await tenantWith('Below the anchor', 10);
    const expiry = await expireTenantPrefix(stack.services.orm, maintenance.url, signer(), dataDir, tenantId, 5);
    expect(expiry).toMatchObject({ fromSeq: 1, toSeq: 5 });
    expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({ ok: true, fromAnchorSeq: 5 });
    const r = await asAttacker(
      su,
      tenantId,
      (c) =>
        c.query(copyOfRow({ seq: '3', id: 'gen_random_uuid()', event_id: 'gen_random_uuid()', description: `'forged refund'` }), [tenantId, 8]).then(() => {}),
      () => verifyChain(stack.services.orm, tenantId),
    );
    expect(r).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    expect(r.reason).toMatch(/event 3 is stored before the chain's first event \(6\)/);
  });
});

describe('after a key rotation, on the installation', () => {
  it('verify-export (no --public-key) still accepts a pack signed with the retired key this host pinned, and refuses a key it never saw', async () => {
    const tenantId = await tenantWith('Rotated', 3);
    const made = runCli(stack, ['export', 'create', '--tenant', tenantId, '--format', 'csv']);
    expect(made.status, made.stderr).toBe(0);
    // the rotation of README "Keys and rotation": a new key file, the old key stays pinned on this host
    const rotated = join(dataDir, 'signing-key-2027.pem');
    writeFileSync(rotated, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    const checked = runCli(stack, ['verify-export', made.json.path], { SIGNING_KEY_FILE: rotated });
    expect(checked.json, checked.stdout).toMatchObject({ ok: true, rows: 3, keyId: made.json.keyId });
    expect(checked.status).toBe(0);
    // a host that never pinned that key still refuses the pack, naming the key
    const elsewhere = mkdtempSync(join(tmpdir(), 'modula-adversarial-other-'));
    const other = runCli(stack, ['verify-export', made.json.path], { DATA_DIR: elsewhere, SIGNING_KEY_FILE: rotated });
    expect(other.status).toBe(2);
    expect(other.json.reason).toMatch(/signed with key .* which is not among the trusted keys/);
  });
});

describe("the viewer's badge after a retention cut, when no checkpoint was signed since", () => {
  it('starts at the anchor, which stands for the expired event its checkpoint signs, rather than call the event missing', async () => {
    const atHead = await tenantWith('Cut at the head', 6);
    await expireTenantPrefix(stack.services.orm, maintenance.url, signer(), dataDir, atHead, 6);
    expect(await verifySinceCheckpoint(stack.services.orm, atHead)).toMatchObject({
      kind: 'verified',
      result: { ok: true, checked: 0, fromCheckpointSeq: 6, firstBrokenSeq: null },
    });
    const below = await tenantWith('Cut below the head', 6);
    await expireTenantPrefix(stack.services.orm, maintenance.url, signer(), dataDir, below, 4);
    expect(await verifySinceCheckpoint(stack.services.orm, below)).toMatchObject({
      kind: 'verified',
      result: { ok: true, checked: 2, fromCheckpointSeq: 4, firstBrokenSeq: null },
    });
  });

  it('stays green while a full verification of the tenant runs on another server (the badge then answers from the checkpoint)', async () => {
    const tenantId = await tenantWith('Cut, badge under load', 5);
    await expireTenantPrefix(stack.services.orm, maintenance.url, signer(), dataDir, tenantId, 5);
    const admin = await signedInAdmin(stack, tenantId);
    // another server's full verification holds the tenant's lock
    const lock = `${stack.config.QUEUE_PREFIX}:integrity:full-verify:${tenantId}`;
    await stack.services.redis.set(lock, 'another server', 'PX', 60_000);
    try {
      const badge = await trpc(stack, 'query', 'integrity.verify', {}, { cookie: admin.cookie });
      expect(badge.data, JSON.stringify(badge.data)).toMatchObject({ ok: true, firstBrokenSeq: null, fromCheckpointSeq: 5 });
    } finally {
      await stack.services.redis.del(lock);
    }
  });

  it('still calls the event missing when the anchor does not check (a superuser deleted the events and wrote an anchor row himself)', async () => {
    const tenantId = await tenantWith('Forged anchor', 6);
    const { checkpoint } = await createCheckpoint(stack.services.orm, signer(), tenantId);
    const r = await asAttacker(
      su,
      tenantId,
      async (c) => {
        await c.query('delete from audit_events where tenant_id = $1 and seq <= 6', [tenantId]);
        await c.query(
          `insert into chain_anchors (tenant_id, seq, hash, checkpoint, frontier, archive_export_id, archive_sha256, archive_manifest, removed)
          select tenant_id, seq, hash, $2::jsonb, frontier, gen_random_uuid(), repeat('0', 64), '{}'::jsonb, 6 from checkpoints where tenant_id = $1 and seq = 6`,
          [tenantId, JSON.stringify(checkpoint)],
        );
      },
      async () => {
        try {
          return await verifySinceCheckpoint(stack.services.orm, tenantId);
        } finally {
          await su.query('delete from chain_anchors where tenant_id = $1', [tenantId]);
        }
      },
    );
    expect(r).toMatchObject({ kind: 'contradicted', result: { ok: false, firstBrokenSeq: 6 } });
    expect(r.kind === 'contradicted' && r.result.reason).toMatch(/event 6 is missing/);
  });
});
