import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createExportRequest, loadSigner, offboardTenant, setTenantRetention, verifyChain } from '@modula/domain';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows } from '../../testing/database.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { jobOf, storeJob } from '../../testing/worker-rules.ts';
import { expireDueTenants } from '../../worker/src/retention-job.ts';

/**
 * The destructive operator commands as a tired operator types them (an upper-case id, a second run,
 * an id that names no tenant): each does what README says to the tenant it names, or refuses before
 * it changes anything, and says why.
 */
let stack: TestStack;

/** The CLI in its own process without blocking this one (the in-process worker stores what it records meanwhile). */
async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string; json: any }> {
  const root = join(import.meta.dirname, '..', '..');
  const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'packages/cli/src/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ...stack.env, DATABASE_OWNER_URL: stack.databaseOwnerUrl },
    timeout: 90_000,
  }).then(
    (ok) => ({ status: 0, stdout: ok.stdout, stderr: ok.stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      status: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    }),
  );
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { ...r, json };
}

async function tenantWithEvents(name: string, n: number): Promise<string> {
  const { tenantId } = await stack.createTenant(name);
  await ingestStored(
    stack,
    tenantId,
    Array.from({ length: n }, () => makeEvent(tenantId)),
  );
  return tenantId;
}

beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

describe('an upper-case tenant id is the same tenant (CONTRACT: identifiers are case-insensitive)', () => {
  it('tenant expire --tenant UPPER --through-seq N cuts that tenant, and its chain still verifies', async () => {
    const tenantId = await tenantWithEvents('Upper expire', 10);
    const r = await cli(['tenant', 'expire', '--tenant', tenantId.toUpperCase(), '--through-seq', '4']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ tenantId, fromSeq: 1, toSeq: 4, removed: 4 });
    expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({ ok: true, fromAnchorSeq: 4 });
  }, 120_000);

  it('tenant offboard --tenant UPPER offboards that tenant, with a tombstone of its id', async () => {
    const tenantId = await tenantWithEvents('Upper offboard', 5);
    const r = await cli(['tenant', 'offboard', '--tenant', tenantId.toUpperCase()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.tombstone.tenantId).toBe(tenantId);
    expect(await queryRows(stack.databaseSuperuserUrl, 'select id from tenants where id = $1', [tenantId])).toEqual([]);
    const check = await cli(['verify-tombstone', '--tenant', tenantId]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
  }, 120_000);
});

describe('offboarding what is not a tenant (any more)', () => {
  it('a second offboard of an offboarded tenant refuses at once, saying so, and leaves no row of it behind', async () => {
    const tenantId = await tenantWithEvents('Offboarded twice', 3);
    const first = await cli(['tenant', 'offboard', '--tenant', tenantId]);
    expect(first.status, first.stderr).toBe(0);
    const started = Date.now();
    const again = await cli(['tenant', 'offboard', '--tenant', tenantId]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/already offboarded/);
    expect(Date.now() - started).toBeLessThan(25_000);
    // nothing of the tenant but its tombstone: no quarantined UNKNOWN_TENANT record of a second start
    await new Promise((r) => setTimeout(r, 2_000));
    const left = await queryRows<{ n: number }>(stack.databaseSuperuserUrl, 'select count(*)::int as n from quarantined_events where tenant_id = $1', [
      tenantId,
    ]);
    expect(left[0]!.n).toBe(0);
  }, 180_000);

  it('an id that names no tenant is refused before anything is recorded', async () => {
    const nobody = '0193a1b2-0000-7000-8000-000000000000';
    const r = await cli(['tenant', 'offboard', '--tenant', nobody]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no tenant/);
    await new Promise((r) => setTimeout(r, 2_000));
    const left = await queryRows<{ n: number }>(stack.databaseSuperuserUrl, 'select count(*)::int as n from quarantined_events where tenant_id = $1', [nobody]);
    expect(left[0]!.n).toBe(0);
  }, 120_000);
});

describe('tenant expire --through-seq at or below a cut already made', () => {
  it('says the events are already removed (not that the chain is broken) and makes no checkpoint or archive', async () => {
    const tenantId = await tenantWithEvents('Cut twice', 10);
    const first = await cli(['tenant', 'expire', '--tenant', tenantId, '--through-seq', '4']);
    expect(first.status, first.stderr).toBe(0);
    const made = async () =>
      (
        await queryRows<{ exports: number; checkpoints: number }>(
          stack.databaseSuperuserUrl,
          'select (select count(*)::int from exports where tenant_id = $1) as exports, (select count(*)::int from checkpoints where tenant_id = $1) as checkpoints',
          [tenantId],
        )
      )[0];
    const before = await made();
    for (const seq of ['2', '4']) {
      const r = await cli(['tenant', 'expire', '--tenant', tenantId, '--through-seq', seq]);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(/broken/);
      expect(r.stderr).toMatch(new RegExp(`events up to ${seq} are already removed \\(the chain starts at 5\\)`));
    }
    expect(await made()).toEqual(before);
    expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({ ok: true, fromAnchorSeq: 4 });
  }, 120_000);
});

describe('a cut killed while it writes its archive', () => {
  it("leaves no PENDING archive that counts against the tenant's Admins' exports, and the next cut finishes", async () => {
    const tenantId = await tenantWithEvents('Killed cut', 4000);
    const root = join(import.meta.dirname, '..', '..');
    const archivesPending = async () =>
      (
        await queryRows<{ n: number }>(
          stack.databaseSuperuserUrl,
          `select count(*)::int as n from exports where tenant_id = $1 and status = 'PENDING' and requested_by_name = 'retention archive'`,
          [tenantId],
        )
      )[0]!.n;
    // twice, as a 3 a.m. operator would: each run killed as soon as its archive is being written
    for (let k = 0; k < 2; k++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(root, 'packages/cli/src/main.ts'), 'tenant', 'expire', '--tenant', tenantId, '--through-seq', '3000'],
        {
          cwd: root,
          env: { ...process.env, ...stack.env, DATABASE_OWNER_URL: stack.databaseOwnerUrl },
          stdio: 'ignore',
        },
      );
      const exited = new Promise((r) => child.once('exit', r));
      await eventually(async () => ((await archivesPending()) > k ? true : undefined), 60_000, 10);
      child.kill('SIGKILL');
      await exited;
    }
    expect(await archivesPending()).toBe(2);
    expect(
      (await queryRows<{ n: number }>(stack.databaseSuperuserUrl, 'select count(*)::int as n from chain_anchors where tenant_id = $1', [tenantId]))[0]!.n,
    ).toBe(0);
    // an Admin's export is not refused as if two were being built
    await expect(
      createExportRequest(stack.services.orm, tenantId, {
        format: 'csv',
        filter: {},
        requestedBy: { userId: null, name: 'Ada', email: 'ada@example.com' },
        limits: { maxConcurrent: 2, maxPerDay: 50 },
      }),
    ).resolves.toBeTypeOf('string');
    const next = await cli(['tenant', 'expire', '--tenant', tenantId, '--through-seq', '3000']);
    expect(next.status, next.stderr).toBe(0);
    expect(next.json).toMatchObject({ fromSeq: 1, toSeq: 3000, removed: 3000 });
    expect(await verifyChain(stack.services.orm, tenantId)).toMatchObject({ ok: true, fromAnchorSeq: 3000 });
  }, 240_000);
});

describe('revoking a leaked API key or read token with the tenant id in upper case', () => {
  it('revokes it (not "no such API key", which leaves the leaked key working)', async () => {
    const { tenantId, apiKey } = await stack.createTenant('Leaked key');
    const r = await cli(['apikey', 'revoke', '--tenant', tenantId.toUpperCase(), '--key', apiKey]);
    expect(r.status, r.stderr).toBe(0);
    const keys = await queryRows<{ revoked: boolean }>(
      stack.databaseSuperuserUrl,
      'select revoked_at is not null as revoked from api_keys where tenant_id = $1',
      [tenantId],
    );
    expect(keys).toEqual([{ revoked: true }]);
  }, 60_000);

  it('a leaked read token too', async () => {
    const { tenantId } = await stack.createTenant('Leaked token');
    const made = await cli(['token', 'create', '--tenant', tenantId, '--name', 'Splunk pull']);
    expect(made.status, made.stderr).toBe(0);
    const r = await cli(['token', 'revoke', '--tenant', tenantId.toUpperCase(), '--token', made.json.token]);
    expect(r.status, r.stderr).toBe(0);
    const tokens = await queryRows<{ revoked: boolean }>(
      stack.databaseSuperuserUrl,
      'select revoked_at is not null as revoked from read_tokens where tenant_id = $1',
      [tenantId],
    );
    expect(tokens).toEqual([{ revoked: true }]);
  }, 60_000);
});

describe('tenant expire with an id that names no tenant (a typo, or one offboarded)', () => {
  it('says so and exits non-zero, rather than "removed 0" as if nothing were due', async () => {
    const nobody = '0193a1b2-0000-7000-8000-0000000000ee';
    const r = await cli(['tenant', 'expire', '--tenant', nobody]);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no tenant/);
  }, 60_000);
});

describe('the scheduled cut when its EVENTS_EXPIRED record cannot be queued', () => {
  it('says that the events were removed and which record is missing, not that retention was refused', async () => {
    const { tenantId } = await stack.createTenant('Record lost');
    await storeJob(
      stack.services.orm,
      jobOf(
        tenantId,
        Array.from({ length: 5 }, () => makeEvent(tenantId)),
        new Date(Date.now() - 10 * 86_400_000).toISOString(),
      ),
    );
    await storeJob(stack.services.orm, jobOf(tenantId, [makeEvent(tenantId)]));
    await setTenantRetention(stack.services.orm, tenantId, 7);
    const lines: { msg: string; tenantId?: string; event?: { action: string } }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const r = await expireDueTenants(
      { ...stack.config, DATABASE_MAINTENANCE_URL: stack.databaseOwnerUrl },
      stack.services.orm,
      loadSigner(stack.config),
      log,
      tenantId,
      async () => {
        throw new Error('Redis is not reachable');
      },
    );
    expect(r.expired).toEqual([{ tenantId, fromSeq: 1, toSeq: 5 }]);
    expect(lines.map((l) => l.msg)).not.toContain('retention refused');
    expect(lines).toContainEqual(
      expect.objectContaining({
        tenantId,
        msg: expect.stringMatching(/removed, but .*EVENTS_EXPIRED.* could not be queued/),
        event: expect.objectContaining({ action: 'EVENTS_EXPIRED' }),
      }),
    );
  }, 60_000);
});

describe('a name instead of a tenant id', () => {
  it('is refused with the one line that says so (no stack, no regular expression), exit 1', async () => {
    const r = await cli(['tenant', 'offboard', '--tenant', 'Acme']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('--tenant must be a tenant id (UUID)');
  }, 60_000);
});

describe('an event stored while remove_tenant_rows offboards the tenant', () => {
  it('is never deleted without being in the final pack: the store waits for the removal (and then finds no tenant)', async () => {
    const tenantId = await tenantWithEvents('Late event', 3);
    // hold the removal after its head check: a row it deletes early (the tenant's API key) is locked
    const holder = await connect(stack.databaseSuperuserUrl);
    await holder.query('begin');
    await holder.query('select 1 from api_keys where tenant_id = $1 for update', [tenantId]);
    const offboarding = offboardTenant(stack.services.orm, stack.databaseOwnerUrl, loadSigner(stack.config), stack.config.DATA_DIR, tenantId).then(
      (r) => r,
      (err: Error) => err,
    );
    await eventually(async () => {
      const [w] = await queryRows<{ n: number }>(
        stack.databaseSuperuserUrl,
        `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%remove_tenant_rows%'`,
      );
      return w!.n > 0 ? true : undefined;
    }, 30_000);
    const late = makeEvent(tenantId);
    const storing = storeJob(stack.services.orm, jobOf(tenantId, [late])).then(
      (r) => r,
      (err: Error) => err,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    await holder.query('commit');
    await holder.end();
    const [offboarded, stored] = await Promise.all([offboarding, storing]);
    expect(offboarded).not.toBeInstanceOf(Error);
    const tombstone = (offboarded as Awaited<ReturnType<typeof offboardTenant>>).tombstone;
    // the pack ends at the three events: the late one is not in it, so it must not have been stored (and then deleted with the tenant)
    expect(tombstone.toSeq).toBe(3);
    expect(stored instanceof Error ? [] : stored.stored).toEqual([]);
  }, 120_000);
});
