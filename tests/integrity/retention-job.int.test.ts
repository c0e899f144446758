import type { TAuditEventInput } from '@modula/contracts';
import { expiredThrough, judgeEvents, loadSigner, setTenantRetention, verifyChain } from '@modula/domain';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDueTenants } from '../../worker/src/retention-job.ts';
import { createMaintenanceLogin, queryRows } from '../../testing/database.ts';
import { runCli } from '../../testing/integrity.ts';
import { makeEvent } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { jobOf, storeJob } from '../../testing/worker-rules.ts';

/**
 * The scheduled expiry (JOBS.retention): a tenant keeping 7 days whose first 30 events were received
 * 10 days ago loses exactly those, after their archive; a tenant kept forever loses nothing; without
 * a maintenance login nothing is removed and the tenants due are named.
 */
let stack: TestStack;
let keeping7: string;
let forever: string;
let oldEvents: TAuditEventInput[] = [];
let maintenanceUrl: string;
let dropMaintenanceLogin: () => Promise<void>;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  stack = await startStack({ worker: false });
  ({ tenantId: keeping7 } = await stack.createTenant('Seven days'));
  ({ tenantId: forever } = await stack.createTenant('Forever'));
  const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
  for (const t of [keeping7, forever]) {
    const events = Array.from({ length: 30 }, () => makeEvent(t));
    if (t === keeping7) oldEvents = events;
    await storeJob(stack.services.orm, jobOf(t, events, tenDaysAgo));
    await storeJob(
      stack.services.orm,
      jobOf(
        t,
        Array.from({ length: 20 }, () => makeEvent(t)),
      ),
    );
  }
  await setTenantRetention(stack.services.orm, keeping7, 7);
  ({ url: maintenanceUrl, drop: dropMaintenanceLogin } = await createMaintenanceLogin(stack.databaseSuperuserUrl, stack.databaseOwnerUrl));
}, 60_000);
afterAll(async () => {
  await dropMaintenanceLogin();
  await stack.close();
});

describe('cli tenant retention', () => {
  it('sets and clears a period, prints JSON, and refuses both or neither of --keep-days and --forever', () => {
    const set = runCli(stack, ['tenant', 'retention', '--tenant', forever, '--keep-days', '3650']);
    expect(set.status, set.stderr).toBe(0);
    expect(set.json).toEqual({ tenantId: forever, keepDays: 3650, previous: null });
    const cleared = runCli(stack, ['tenant', 'retention', '--tenant', forever, '--forever']);
    expect(cleared.json).toEqual({ tenantId: forever, keepDays: null, previous: 3650 });
    expect(runCli(stack, ['tenant', 'retention', '--tenant', forever, '--forever', '--keep-days', '3']).status).not.toBe(0);
    expect(runCli(stack, ['tenant', 'retention', '--tenant', forever]).status).not.toBe(0);
    // four CLI processes (tsx start-up each): 72 s under the whole suite on this 2-core machine
  }, 180_000);
});

describe('the scheduled retention job', () => {
  it('the cut is the last event received before the period', async () => {
    expect(await expiredThrough(stack.services.orm, keeping7)).toBe(30);
    expect(await expiredThrough(stack.services.orm, forever)).toBeNull();
  });

  it('without DATABASE_MAINTENANCE_URL removes nothing and names the tenants due', async () => {
    const signer = loadSigner(stack.config);
    const r = await expireDueTenants({ ...stack.config, DATABASE_MAINTENANCE_URL: undefined }, stack.services.orm, signer, log);
    expect(r).toMatchObject({ expired: [], due: [keeping7] });
  });

  it('with it, archives and removes events 1..30 of the tenant keeping 7 days, and nothing of the other', async () => {
    const signer = loadSigner(stack.config);
    const recorded: TAuditEventInput[] = [];
    const r = await expireDueTenants({ ...stack.config, DATABASE_MAINTENANCE_URL: maintenanceUrl }, stack.services.orm, signer, log, undefined, async (e) => {
      recorded.push(e);
    });
    expect(r.expired).toEqual([{ tenantId: keeping7, fromSeq: 1, toSeq: 30 }]);
    // recorded in the tenant's own log (the worker queues it like any event): one valid EVENTS_EXPIRED
    expect(recorded).toMatchObject([{ tenantId: keeping7, action: 'EVENTS_EXPIRED', metadata: { fromSeq: 1, toSeq: 30, removed: 30 } }]);
    expect(judgeEvents(recorded, { kind: 'system' }).rejected).toEqual([]);
    const counts = await queryRows<{ tenant_id: string; n: number; first: string }>(
      stack.databaseSuperuserUrl,
      'select tenant_id, count(*)::int as n, min(seq) as first from audit_events where tenant_id in ($1, $2) group by 1',
      [keeping7, forever],
    );
    expect(Object.fromEntries(counts.map((c) => [c.tenant_id, [c.n, c.first]]))).toEqual({ [keeping7]: [20, '31'], [forever]: [50, '1'] });
    expect(await verifyChain(stack.services.orm, keeping7)).toMatchObject({ ok: true, checked: 20, fromAnchorSeq: 30 });
    // nothing more is due until more events age
    expect((await expireDueTenants({ ...stack.config, DATABASE_MAINTENANCE_URL: maintenanceUrl }, stack.services.orm, signer, log)).expired).toEqual([]);
  });

  it('dedupe holds forever: an expired event sent again is not stored twice, and other content under its id is a conflict', async () => {
    const [same, changed] = [oldEvents[0]!, { ...oldEvents[1]!, metadata: { changed: true } }];
    await storeJob(stack.services.orm, jobOf(keeping7, [same, changed]));
    const stored = await queryRows<{ n: number }>(
      stack.databaseSuperuserUrl,
      'select count(*)::int as n from audit_events where tenant_id = $1 and event_id = any($2::uuid[])',
      [keeping7, [same.eventId, changed.eventId]],
    );
    expect(stored[0]!.n).toBe(0);
    const quarantined = await queryRows<{ event_id: string; reason: string }>(
      stack.databaseSuperuserUrl,
      'select event_id, reason from quarantined_events where tenant_id = $1',
      [keeping7],
    );
    expect(quarantined).toEqual([{ event_id: changed.eventId, reason: 'DUPLICATE_CONFLICT' }]);
    const kept = await queryRows<{ n: number }>(stack.databaseSuperuserUrl, 'select count(*)::int as n from expired_events where tenant_id = $1', [keeping7]);
    expect(kept[0]!.n).toBe(30);
  });
});
