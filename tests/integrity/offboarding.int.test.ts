import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createExportRequest, verifyChain } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Offboarding (issue 14, item 5): `cli tenant offboard` leaves no row of the tenant in any table with
 * a tenant_id column (read from the catalogue, so a table added later is covered too) but its signed
 * tombstone, whose signature `cli verify-tombstone` checks; the final pack verifies offline; another
 * tenant is untouched.
 */
let stack: TestStack;
let leaving: string;
let staying: string;
let out: { tombstone: { toSeq: number; finalHash: string; packSha256: string }; pack: { file: string }; tombstoneFile: string };

async function rowsOfTenant(tenantId: string): Promise<Record<string, number>> {
  const tables = await queryRows<{ table_name: string }>(
    stack.databaseSuperuserUrl,
    `select c.table_name from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
      where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE' order by 1`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [r] = await queryRows<{ n: number }>(stack.databaseSuperuserUrl, `select count(*)::int as n from ${table_name} where tenant_id = $1`, [tenantId]);
    counts[table_name] = r!.n;
  }
  return counts;
}

/** The CLI in its own process without blocking this one: the in-process worker must store the offboarding's own event meanwhile. */
async function runCliAsync(args: string[], env: Record<string, string>) {
  const root = join(import.meta.dirname, '..', '..');
  const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'packages/cli/src/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ...stack.env, ...env },
    timeout: 90_000,
  });
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId: leaving } = await stack.createTenant('Leaving'));
  ({ tenantId: staying } = await stack.createTenant('Staying'));
  for (const tenantId of [leaving, staying]) {
    await ingestStored(
      stack,
      tenantId,
      Array.from({ length: 40 }, (_, i) => makeEvent(tenantId, { actor: { type: 'USER', id: `u${i % 3}`, role: 'CASHIER', name: `Cashier ${i % 3}` } })),
    );
    // a quarantined conflict, a user with a session, a saved view, a failed sign-in, an export request
    const first = makeEvent(tenantId);
    await ingestStored(stack, tenantId, [first]);
    await stack.caller.ingest.batch({ events: [{ ...first, metadata: { changed: true } }] });
    await eventually(async () => {
      const [q] = await queryRows<{ n: number }>(stack.databaseSuperuserUrl, 'select count(*)::int as n from quarantined_events where tenant_id = $1', [
        tenantId,
      ]);
      return q!.n > 0 ? true : undefined;
    });
    const admin = await signedInAdmin(stack, tenantId);
    await trpc(stack, 'mutation', 'savedViews.save', { name: 'Mine', view: { range: '24h' } }, { cookie: admin.cookie });
    const cashier = await makeUser(stack, tenantId, 'CASHIER');
    await trpc(stack, 'mutation', 'auth.login', { email: cashier.email, password: 'wrong password of enough length' });
    await createExportRequest(stack.services.orm, tenantId, {
      format: 'csv',
      filter: {},
      requestedBy: { userId: admin.userId, name: 'Ada', email: admin.email },
    });
  }
  const before = await rowsOfTenant(leaving);
  for (const t of ['audit_events', 'audit_event_search', 'users', 'sessions', 'api_keys', 'quarantined_events', 'exports', 'event_actors', 'event_hour_counts'])
    expect(before[t], `${t} has rows of the tenant before`).toBeGreaterThan(0);
  out = await runCliAsync(['tenant', 'offboard', '--tenant', leaving], { DATABASE_OWNER_URL: stack.databaseOwnerUrl });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

describe('cli tenant offboard', () => {
  it('leaves no row of the tenant in any table with a tenant_id, nor the tenant, only its tombstone', async () => {
    const after = await rowsOfTenant(leaving);
    const { tenant_tombstones, ...rest } = after;
    expect(Object.entries(rest).filter(([, n]) => n > 0)).toEqual([]);
    expect(Object.keys(rest)).toEqual(
      expect.arrayContaining(['audit_events', 'audit_event_search', 'checkpoints', 'chain_anchors', 'chain_heads', 'saved_views']),
    );
    expect(tenant_tombstones).toBe(1);
    expect(await queryRows(stack.databaseSuperuserUrl, 'select id from tenants where id = $1', [leaving])).toEqual([]);
  });

  it('the final pack holds the whole chain and verifies offline', () => {
    const r = runCli(stack, ['verify-export', out.pack.file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.rows).toBe(out.tombstone.toSeq);
    expect(r.json.sha256).toBe(out.tombstone.packSha256);
  });

  it('the tombstone verifies (the stored one and the file), and a changed one does not', () => {
    const stored = runCli(stack, ['verify-tombstone', '--tenant', leaving]);
    expect(stored.status, stored.stdout + stored.stderr).toBe(0);
    expect(stored.json).toMatchObject({ ok: true, tenantId: leaving, fromSeq: 1, toSeq: out.tombstone.toSeq, finalHash: out.tombstone.finalHash });
    expect(runCli(stack, ['verify-tombstone', out.tombstoneFile]).status).toBe(0);
    const forged = { ...JSON.parse(readFileSync(out.tombstoneFile, 'utf8')), toSeq: 1 };
    const file = `${out.tombstoneFile}.forged.json`;
    writeFileSync(file, JSON.stringify(forged));
    const bad = runCli(stack, ['verify-tombstone', file]);
    expect(bad.status).toBe(2);
    expect(bad.json.reason).toMatch(/not validly signed/);
  });

  it('verify-tombstone and verify-export --tenant refuse what belongs to another tenant (review C, finding 4)', () => {
    const refused = runCli(stack, ['verify-tombstone', out.tombstoneFile, '--tenant', staying]);
    expect(refused.status).toBe(1);
    expect(refused.json).toMatchObject({ ok: false, tenantId: leaving });
    expect(refused.stderr).toMatch(new RegExp(`tombstone of tenant ${leaving} \\(Leaving\\), not of ${staying}`));
    expect(runCli(stack, ['verify-tombstone', out.tombstoneFile, '--tenant', leaving])).toMatchObject({ status: 0, json: { ok: true, tenantId: leaving } });
    const pack = runCli(stack, ['verify-export', out.pack.file, '--tenant', leaving]);
    expect(pack.status, pack.stderr).toBe(0);
    expect(pack.json).toMatchObject({
      ok: true,
      tenantId: leaving,
      tenantName: 'Leaving',
      filtered: false,
      chainRange: { fromSeq: 1, toSeq: out.tombstone.toSeq },
    });
    expect(runCli(stack, ['verify-export', out.pack.file, '--tenant', staying]).status).toBe(1);
  });

  it('the other tenant keeps everything, and its chain verifies', async () => {
    const counts = await rowsOfTenant(staying);
    expect(counts.audit_events).toBeGreaterThanOrEqual(41);
    expect(counts.users).toBe(2);
    expect((await verifyChain(stack.services.orm, staying)).ok).toBe(true);
  });
});
