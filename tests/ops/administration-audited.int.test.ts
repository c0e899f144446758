import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent, sale } from '../../testing/events.ts';
import { exportWhenReady } from '../../testing/exports.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * DESIGN rule 8 (PCI DSS 10.2.1.2, 10.2.1.3, 10.2.1.5): what operators and Admins do to users,
 * roles, keys, quarantine, jobs, checkpoints and export packs, and their reading of the log, is
 * recorded in that tenant's log through the same pipeline, with the operator or Admin as actor.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'modula-admin-audited-'));
let stack: TestStack;
let exportWorker: TExportWorker;
let tenantId: string;

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir } });
  exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
  ({ tenantId } = await stack.createTenant('Administered'));
  await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
});
afterAll(async () => {
  await exportWorker.close();
  await stack.close();
});

interface TStored {
  action: string;
  actor_type: string;
  actor_id: string | null;
  actor_role: string | null;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  metadata: Record<string, unknown> | null;
}

/** The stored events of an action in the tenant's log, once at least `n` are there. */
async function storedOf(action: string, n = 1): Promise<TStored[]> {
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    return await eventually(async () => {
      const rows = (
        await db.query(
          `select action, actor_type, actor_id, actor_role, entity_id, before, after, metadata from audit_events
        where tenant_id = $1 and action = $2 order by seq`,
          [tenantId, action],
        )
      ).rows as TStored[];
      return rows.length >= n ? rows : undefined;
    }, 20_000);
  } finally {
    await db.end();
  }
}

function cli(args: string[]) {
  const r = runCli(stack, args);
  expect(r.status, r.stderr).toBe(0);
  return r.json;
}

const OPERATOR = /^operator:/;

describe("operators at the CLI leave events in the tenant's log", () => {
  it('user create, set-role, disable, unlock and reset-2fa', async () => {
    const email = `clerk-${Date.now()}@example.test`;
    const { userId } = cli(['user', 'create', '--tenant', tenantId, '--email', email, '--password', 'Tw0 long sentences here', '--role', 'CASHIER']);
    const [created] = await storedOf('USER_CREATED');
    expect(created).toMatchObject({ actor_type: 'SYSTEM', entity_id: userId, after: { role: 'CASHIER' } });
    expect(created!.actor_id).toMatch(OPERATOR);

    expect(cli(['user', 'set-role', '--tenant', tenantId, '--email', email, '--role', 'MANAGER'])).toMatchObject({ role: 'MANAGER', previousRole: 'CASHIER' });
    expect((await storedOf('ROLE_CHANGED'))[0]).toMatchObject({ entity_id: userId, before: { role: 'CASHIER' }, after: { role: 'MANAGER' } });

    cli(['user', 'reset-2fa', '--tenant', tenantId, '--email', email]);
    expect((await storedOf('TWO_FACTOR_RESET'))[0]).toMatchObject({ entity_id: userId, actor_type: 'SYSTEM' });

    cli(['user', 'unlock', '--tenant', tenantId, '--email', email]);
    expect((await storedOf('USER_UNLOCKED'))[0]).toMatchObject({ entity_id: userId });

    cli(['user', 'disable', '--tenant', tenantId, '--email', email]);
    expect((await storedOf('USER_DISABLED'))[0]).toMatchObject({ entity_id: userId });
    // and a disabled account no longer signs in
    const login = await trpc(stack, 'mutation', 'auth.login', { email, password: 'Tw0 long sentences here' });
    expect(login.status).toBe(401);
  }, 180_000); // five CLI processes, each a Node start: 37.6 s on a quiet machine, over 60 s in a loaded fresh-clone run

  it('apikey create and revoke, without the key in the log', async () => {
    const { apiKeyId, apiKey } = cli(['apikey', 'create', '--tenant', tenantId]);
    cli(['apikey', 'revoke', '--tenant', tenantId, '--key', apiKey]);
    const [created] = await storedOf('API_KEY_CREATED');
    const [revoked] = await storedOf('API_KEY_REVOKED');
    expect(created).toMatchObject({ entity_id: apiKeyId, actor_type: 'SYSTEM' });
    expect(revoked).toMatchObject({ entity_id: apiKeyId });
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const text = (await db.query(`select string_agg(to_jsonb(e)::text, '') as t from audit_events e where tenant_id = $1`, [tenantId])).rows[0].t as string;
      // the secret is base64url, which has '_' in it: take all that follows mak_<tenant>_
      const secret = /^mak_[0-9a-f]{32}_(.+)$/.exec(apiKey)?.[1];
      expect(secret).toHaveLength(43);
      expect(text).not.toContain(secret);
    } finally {
      await db.end();
    }
  });

  it('checkpoint create, quarantine replay and jobs retry', async () => {
    const checkpoint = cli(['checkpoint', 'create', '--tenant', tenantId]);
    expect((await storedOf('CHECKPOINT_CREATED'))[0]).toMatchObject({ actor_type: 'SYSTEM', metadata: { seq: checkpoint.seq, hash: checkpoint.hash } });

    // a sale at a branch that never comes is quarantined as UNKNOWN_BRANCH, then replayed
    const orphan = sale(tenantId, uuidv7(), new Date().toISOString());
    await stack.caller.ingest.batch({ events: [orphan] });
    await eventually(async () =>
      (await stack.caller.ingest.status({ tenantId, eventIds: [orphan.eventId] })).statuses[0]!.state === 'QUARANTINED' ? true : undefined,
    );
    expect(cli(['quarantine', 'replay', '--tenant', tenantId])).toMatchObject({ replayed: 1 });
    expect((await storedOf('QUARANTINE_REPLAYED'))[0]).toMatchObject({ metadata: { replayed: 1, skipped: 0 } });

    // a job this version cannot read fails for good; re-driving it is recorded in its tenant's log
    const unreadable = await stack.services.ingestQueue.queue.add('ingest-batch', { v: 1, tenantId, receivedAt: 'not a date', events: [{}] });
    await eventually(async () => ((await stack.services.ingestQueue.queue.getFailedCount()) > 0 ? true : undefined));
    expect(cli(['jobs', 'retry'])).toMatchObject({ retried: 1 });
    // re-driven from its first attempt (its retries with backoff again, for a cause that is transient):
    // it fails for good again here, after one attempt of its new count
    const again = await eventually(async () => {
      const job = await stack.services.ingestQueue.queue.getJob(unreadable.id!);
      return job && (await job.isFailed()) && job.attemptsStarted > 1 ? job : undefined;
    });
    expect(again.attemptsMade).toBe(1);
    expect((await storedOf('JOBS_REDRIVEN'))[0]).toMatchObject({ actor_type: 'SYSTEM', metadata: { jobs: 1, events: 1 } });
  });
});

describe('Admins in the viewer leave events too', () => {
  it('reading the log: once per session and filter, not per page', async () => {
    const admin = await signedInAdmin(stack, tenantId);
    const list = (input: Record<string, unknown>) => trpc(stack, 'query', 'events.list', input, { cookie: admin.cookie });
    const first = await list({ limit: 1 });
    expect(first.status).toBe(200);
    await list({ limit: 1, cursor: first.data.nextCursor });
    await list({ limit: 1 });
    await list({ limit: 5, outcomes: ['REJECTED'] });
    const viewed = await storedOf('AUDIT_LOG_VIEWED', 2);
    // let the pipeline drain: nothing more may arrive for the pages read again
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    const mine = (await storedOf('AUDIT_LOG_VIEWED')).filter((v) => v.actor_id === admin.userId);
    expect(mine.map((v) => v.metadata?.filter)).toEqual([{}, { outcomes: ['REJECTED'] }]);
    expect(viewed[0]).toMatchObject({ actor_type: 'USER', actor_role: 'ADMIN' });
  });

  it('signing a checkpoint and downloading an export pack', async () => {
    const admin = await signedInAdmin(stack, tenantId);
    const signed = await trpc(stack, 'mutation', 'integrity.checkpoint', {}, { cookie: admin.cookie });
    expect(signed.status).toBe(200);
    const byAdmin = async () => (await storedOf('CHECKPOINT_CREATED')).filter((c) => c.actor_id === admin.userId);
    expect(await eventually(async () => ((await byAdmin()).length === 1 ? byAdmin() : undefined))).toHaveLength(1);

    const ready = await exportWhenReady(stack, admin.cookie, 'csv');
    const { exportId } = ready;
    const res = await fetch(`${stack.baseUrl}${ready.url}`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const [downloaded] = await storedOf('AUDIT_EXPORT_DOWNLOADED');
    expect(downloaded).toMatchObject({ actor_type: 'USER', actor_id: admin.userId, entity_id: exportId, metadata: { format: 'csv', sha256: ready.sha256 } });
  });
});
