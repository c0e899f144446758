import { createHmac, timingSafeEqual } from 'node:crypto';
import { ALERT_DELIVERY_CAP, type TAlertView } from '@modula/contracts';
import { APP_ROLE } from '@modula/db';
import { alertsBehind, evaluateTenantAlerts, listAlerts, raiseDeviceGaps } from '@modula/domain';
import { startAlertWorker, startCheckpointWorker, type TAlertWorker } from '@modula/worker';
import type pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedSignIns, startReceiver, startSmtp } from '../../testing/alerts.ts';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent, provisionBranch, sale } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Alerts (issue 16, item 3), end to end with real processes: the ingest worker stores events and
 * nudges the alert worker, which evaluates them, records ALERT_RAISED in the tenant's log, mails the
 * tenant's Admins through a real SMTP server started here, and posts to a real HTTP receiver whose
 * signature this test checks with its own HMAC. Expectations come from the issue and the seed lesson
 * ("more than 5 LOGIN_FAILED within an hour"), not from the code.
 */
let stack: TestStack;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let worker: TAlertWorker;
let db: pg.Client;

beforeAll(async () => {
  smtp = await startSmtp();
  // /fail answers 500 (a receiver that is down), anything else 204
  receiver = await startReceiver((path) => (path.startsWith('/fail') ? 500 : 204));
  stack = await startStack({ env: { ...VIEWER_ENV, STREAM_ALLOW_HTTP: 'true', STREAM_ALLOW_PRIVATE_ADDRESSES: 'true' } });
  worker = await startAlertWorker(
    { ...stack.config, SMTP_URL: smtp.url, MAIL_FROM: 'Modula Audit <alerts@bistro.test>' },
    stack.services.orm,
    pino({ level: 'silent' }),
  );
  db = await connect(stack.databaseSuperuserUrl);
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await db?.end();
  await stack?.close();
  await receiver?.close();
  await smtp?.close();
});

/** A tenant with a signed-in Admin (whose address is the default recipient). */
async function tenantWithAdmin(name: string) {
  const { tenantId } = await stack.createTenant(name);
  const admin = await signedInAdmin(stack, tenantId);
  return { tenantId, admin };
}

/** Waits until the alert evaluation has read every stored event of the tenant, then a moment for anything it would send. */
async function evaluated(tenantId: string) {
  await eventually(async () => ((await alertsBehind(stack.services.orm, tenantId)) ? undefined : true), 20_000);
  await new Promise((r) => setTimeout(r, 1500));
  await eventually(async () => ((await alertsBehind(stack.services.orm, tenantId)) ? undefined : true), 20_000);
}

const alertsOf = (tenantId: string) => listAlerts(stack.services.orm, tenantId, { limit: 200 });
const mailsTo = (email: string) => smtp.received.filter((m) => m.rcptTo.includes(email));

async function raisedEvents(tenantId: string) {
  const { rows } = await db.query(
    `select event_id, actor_type, actor_id, entity_id, metadata from audit_events where tenant_id = $1 and action = 'ALERT_RAISED' order by seq`,
    [tenantId],
  );
  return rows as { event_id: string; actor_type: string; actor_id: string; entity_id: string; metadata: Record<string, any> }[];
}

describe('more than 5 LOGIN_FAILED of one account within an hour (the seed lesson)', () => {
  it('5 raise nothing; the 6th raises exactly one alert, one mail to the Admin and one ALERT_RAISED in the log', async () => {
    const { tenantId, admin } = await tenantWithAdmin('Bistro Alerta');
    const failures = failedSignIns(tenantId, 6, { account: 'cashier-ana', name: 'Ana Cashier', ip: '203.0.113.5' });
    await ingestStored(stack, tenantId, failures.slice(0, 5));
    await evaluated(tenantId);
    expect(await alertsOf(tenantId)).toEqual([]);
    expect(mailsTo(admin.email)).toEqual([]);

    await ingestStored(stack, tenantId, failures.slice(5));
    const mail = await eventually(async () => mailsTo(admin.email)[0], 20_000);
    const [alert] = await alertsOf(tenantId);
    expect(alert).toMatchObject({
      rule: 'LOGIN_FAILURES_ACCOUNT',
      subjectKind: 'ACCOUNT',
      subject: 'cashier-ana',
      subjectLabel: 'Ana Cashier',
      count: 6,
      threshold: 5,
      windowMinutes: 60,
    });
    expect(alert!.seqs).toHaveLength(6);
    expect(alert!.filter).toMatchObject({ actions: ['LOGIN_FAILED'], actorIds: ['cashier-ana'] });
    expect(mail.mail.subject).toContain('6 failed sign-ins of Ana Cashier within 60 minutes');
    expect(mail.mail.subject).toContain('Bistro Alerta');
    expect(mail.mail.from?.text).toContain('alerts@bistro.test');
    expect(mail.mail.text).toContain(alert!.id);
    expect(mail.mail.text).not.toContain(VIEWER_ENV.SERVER_SECRET);

    const events = await eventually(async () => {
      const r = await raisedEvents(tenantId);
      return r.length > 0 ? r : undefined;
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event_id: alert!.id, actor_type: 'SYSTEM', actor_id: 'alerts', entity_id: alert!.id });
    expect(events[0]!.metadata).toMatchObject({ rule: 'LOGIN_FAILURES_ACCOUNT', subject: 'cashier-ana', count: 6, windowMinutes: 60 });
    expect(events[0]!.metadata.eventIds).toEqual(failures.map((f) => f.eventId));
    const delivered = await eventually(async () => {
      const [a] = await alertsOf(tenantId);
      return a?.deliveries.every((d) => d.state === 'SENT') ? a : undefined;
    });
    expect(delivered.deliveries).toEqual([expect.objectContaining({ channel: 'EMAIL', target: admin.email.toLowerCase(), state: 'SENT', attempts: 1 })]);

    await evaluated(tenantId);
    expect(mailsTo(admin.email)).toHaveLength(1);
    expect(await raisedEvents(tenantId)).toHaveLength(1);
  });

  it('an Admin of another tenant sees none of these alerts, and a Manager may not read alerts at all', async () => {
    const other = await tenantWithAdmin('Another Bistro');
    const list = await trpc(stack, 'query', 'alerts.list', {}, { cookie: other.admin.cookie });
    expect(list.status).toBe(200);
    expect(list.data.items).toEqual([]);
    const manager = await makeUser(stack, other.tenantId, 'MANAGER', 'Mo Manager');
    const { cookie } = await signInFirstTime(stack, manager.email);
    expect((await trpc(stack, 'query', 'alerts.list', {}, { cookie })).code).toBe('FORBIDDEN');
    expect((await trpc(stack, 'mutation', 'alerts.rules.update', { rule: 'CHAIN_BROKEN', enabled: false }, { cookie })).code).toBe('FORBIDDEN');
  });
});

describe('an alert storm', () => {
  it('200 failures of one account in the window, over several batches and two more evaluator runs, make one alert and one message', async () => {
    const { tenantId, admin } = await tenantWithAdmin('Storm Bistro');
    const start = Date.now() - 40 * 60_000;
    const failures = Array.from({ length: 200 }, (_, i) => failedSignIns(tenantId, 1, { account: 'cashier-bo', startMs: start + i * 10_000 })[0]!);
    for (let i = 0; i < 200; i += 50) await ingestStored(stack, tenantId, failures.slice(i, i + 50));
    await evaluated(tenantId);
    await eventually(async () => mailsTo(admin.email)[0], 20_000);

    // two evaluators over the same events at once, as after a lost cursor: the windows and the unique key hold
    await db.query('update alert_cursors set seq = 0 where tenant_id = $1', [tenantId]);
    const runs = await Promise.all([1, 2].map(() => evaluateTenantAlerts(stack.services.orm, tenantId, { batch: 10_000 })));
    expect(runs.flatMap((r) => r.raised)).toEqual([]);
    const second = await startAlertWorker({ ...stack.config, SMTP_URL: smtp.url }, stack.services.orm, pino({ level: 'silent' }));
    try {
      await db.query('update alert_cursors set seq = 0 where tenant_id = $1', [tenantId]);
      await worker.queue.add('alert-evaluate', { v: 1, tenantId });
      await second.queue.add('alert-evaluate', { v: 1, tenantId });
      await evaluated(tenantId);
    } finally {
      await second.close();
    }
    const alerts = await alertsOf(tenantId);
    expect(alerts.map((a) => [a.rule, a.subject])).toEqual([['LOGIN_FAILURES_ACCOUNT', 'cashier-bo']]);
    expect(mailsTo(admin.email)).toHaveLength(1);
    expect(await raisedEvents(tenantId)).toHaveLength(1);
  });
});

describe('a storm across subjects (a stolen ingest key inventing accounts)', () => {
  it(`sends ${ALERT_DELIVERY_CAP.alerts} alerts of a rule within ${ALERT_DELIVERY_CAP.minutes} minutes, the last saying so; the rest are recorded and shown as held, sent to nobody; mail resumes once the window has room`, async () => {
    const { tenantId, admin } = await tenantWithAdmin('Hold Bistro');
    const accounts = ALERT_DELIVERY_CAP.alerts + 4;
    // each account from its own address: only the account rule fires, once per account
    const failures = Array.from({ length: accounts }, (_, i) =>
      failedSignIns(tenantId, 6, { account: `invented-${String(i).padStart(2, '0')}`, ip: `198.51.100.${i + 1}` }),
    ).flat();
    await ingestStored(stack, tenantId, failures);
    await evaluated(tenantId);
    const alerts = await eventually(async () => {
      const all = await alertsOf(tenantId);
      return all.length === accounts && all.filter((a) => !a.held).every((a) => a.deliveries.every((d) => d.state === 'SENT')) ? all : undefined;
    }, 30_000);
    expect(new Set(alerts.map((a) => a.rule))).toEqual(new Set(['LOGIN_FAILURES_ACCOUNT']));
    const sent = alerts.filter((a) => !a.held);
    const held = alerts.filter((a) => a.held);
    expect(sent).toHaveLength(ALERT_DELIVERY_CAP.alerts);
    expect(held).toHaveLength(accounts - ALERT_DELIVERY_CAP.alerts);
    expect(held.every((a) => a.deliveries.length === 0)).toBe(true);
    // the held ones are the latest raised: the first ten went out
    const lastSent = sent.filter((a) => a.lastBeforeHold);
    expect(lastSent).toHaveLength(1);
    expect(held.every((a) => a.raisedAt >= lastSent[0]!.raisedAt)).toBe(true);

    const mails = mailsTo(admin.email);
    expect(mails).toHaveLength(ALERT_DELIVERY_CAP.alerts);
    const notice = mails.filter((m) => m.mail.text?.includes('further alerts of it'));
    expect(notice).toHaveLength(1);
    expect(notice[0]!.mail.text).toContain(lastSent[0]!.id);

    // every alert, held or sent, is in the log
    const events = await eventually(async () => {
      const r = await raisedEvents(tenantId);
      return r.length === accounts ? r : undefined;
    });
    expect(
      events
        .filter((e) => e.metadata.held === true)
        .map((e) => e.event_id)
        .sort(),
    ).toEqual(held.map((a) => a.id).sort());

    // an hour on (the sent alerts' raisedAt moved back past the cap's window), the rule sends again
    await db.query(`update alerts set raised_at = raised_at - interval '61 minutes' where tenant_id = $1`, [tenantId]);
    await ingestStored(stack, tenantId, failedSignIns(tenantId, 6, { account: 'after-the-storm', ip: '198.51.100.200' }));
    const mail = await eventually(async () => mailsTo(admin.email).find((m) => m.mail.subject?.includes('after-the-storm')), 20_000);
    expect(mail.mail.text).not.toContain('further alerts of it');
    const latest = (await alertsOf(tenantId)).find((a) => a.subject === 'after-the-storm');
    expect(latest).toMatchObject({ held: false, lastBeforeHold: false });
  });
});

describe('failures that arrive late', () => {
  it('just before a raised window belong to its alert (windows never overlap); an hour and more earlier they are an alert of their own', async () => {
    const { tenantId } = await tenantWithAdmin('Late Till Bistro');
    const now = Date.now();
    await ingestStored(stack, tenantId, failedSignIns(tenantId, 6, { account: 'cashier-lu', startMs: now - 30 * 60_000 }));
    await evaluated(tenantId);
    expect((await alertsOf(tenantId)).map((a) => a.windowStart)).toEqual([new Date(now - 30 * 60_000).toISOString()]);
    // synced late: six failures from 80 to 75 minutes ago; their window would be [-80, -20) min, across the alert's [-30, +30)
    await ingestStored(stack, tenantId, failedSignIns(tenantId, 6, { account: 'cashier-lu', startMs: now - 80 * 60_000 }));
    await evaluated(tenantId);
    expect(await alertsOf(tenantId)).toHaveLength(1);
    // six more from 200 minutes ago: their window [-200, -140) min meets none
    await ingestStored(stack, tenantId, failedSignIns(tenantId, 6, { account: 'cashier-lu', startMs: now - 200 * 60_000 }));
    await evaluated(tenantId);
    const windows = (await alertsOf(tenantId)).map((a) => a.windowStart).sort();
    expect(windows).toEqual([new Date(now - 200 * 60_000).toISOString(), new Date(now - 30 * 60_000).toISOString()]);
  });
});

describe('failed sign-ins spread across accounts from one address', () => {
  it('10 failures across 3 accounts from one address raise one LOGIN_FAILURES_ADDRESS alert (9 do not), and no account alert', async () => {
    const { tenantId, admin } = await tenantWithAdmin('Spread Bistro');
    const ip = '198.51.100.7';
    const start = Date.now() - 30 * 60_000;
    const all = [
      ...failedSignIns(tenantId, 4, { account: 'acct-1', ip, startMs: start }),
      ...failedSignIns(tenantId, 3, { account: 'acct-2', ip, startMs: start + 5 * 60_000 }),
      ...failedSignIns(tenantId, 3, { account: 'acct-3', ip, startMs: start + 10 * 60_000 }),
    ];
    await ingestStored(stack, tenantId, all.slice(0, 9));
    await evaluated(tenantId);
    expect(await alertsOf(tenantId)).toEqual([]);
    await ingestStored(stack, tenantId, all.slice(9));
    const alert = await eventually(async () => (await alertsOf(tenantId))[0]);
    expect(alert).toMatchObject({ rule: 'LOGIN_FAILURES_ADDRESS', subjectKind: 'ADDRESS', subject: ip, count: 10, details: { accounts: 3 } });
    expect(alert.filter).toMatchObject({ actions: ['LOGIN_FAILED'], ips: [ip] });
    const mail = await eventually(async () => mailsTo(admin.email)[0]);
    expect(mail.mail.subject).toContain(`across 3 accounts from ${ip}`);
    await evaluated(tenantId);
    expect((await alertsOf(tenantId)).map((a) => a.rule)).toEqual(['LOGIN_FAILURES_ADDRESS']);
  });
});

describe('actions refused because a branch was frozen', () => {
  it('a sale at a frozen branch, stored as REJECTED BRANCH_FROZEN, raises BRANCH_FROZEN_REFUSALS naming the branch', async () => {
    const { tenantId, admin } = await tenantWithAdmin('Frozen Bistro');
    const branchId = crypto.randomUUID();
    const frozenAt = new Date(Date.now() - 3600_000).toISOString();
    await ingestStored(stack, tenantId, [
      provisionBranch(tenantId, branchId, undefined, 'Harbour Road'),
      makeEvent(tenantId, { action: 'BRANCH_FROZEN', branchId, occurredAt: frozenAt, entity: { type: 'BRANCH', id: branchId } }),
    ]);
    await evaluated(tenantId);
    expect(await alertsOf(tenantId)).toEqual([]);
    const refused = sale(tenantId, branchId, new Date(Date.now() - 60_000).toISOString());
    await ingestStored(stack, tenantId, [refused]);
    const alert = await eventually(async () => (await alertsOf(tenantId))[0]);
    expect(alert).toMatchObject({ rule: 'BRANCH_FROZEN_REFUSALS', subjectKind: 'BRANCH', subject: branchId, subjectLabel: 'Harbour Road', count: 1 });
    expect(alert.filter).toMatchObject({ branchIds: [branchId], reasons: ['BRANCH_FROZEN'] });
    const [raised] = await eventually(async () => {
      const r = await raisedEvents(tenantId);
      return r.length > 0 ? r : undefined;
    });
    expect(raised!.metadata.eventIds).toEqual([refused.eventId]);
    await eventually(async () => mailsTo(admin.email)[0]);
  });
});

describe('webhook recipients', () => {
  it('receive the alert signed with their secret (checked here with an independent HMAC); a failing one leaves the alert recorded with its delivery state', async () => {
    const { tenantId, admin } = await tenantWithAdmin('Hooked Bistro');
    const added = await trpc(stack, 'mutation', 'alerts.webhooks.add', { url: `${receiver.url}/hook/${tenantId}` }, { cookie: admin.cookie });
    expect(added.status).toBe(200);
    const secret = added.data.signingSecret as string;
    expect(secret).toMatch(/^whsec_/);
    const failing = await trpc(
      stack,
      'mutation',
      'alerts.webhooks.add',
      { url: `${receiver.url}/fail/${tenantId}`, secret: 'a-secret-of-the-failing-one' },
      { cookie: admin.cookie },
    );
    expect(failing.data.signingSecret).toBeUndefined();
    const listed = await trpc(stack, 'query', 'alerts.webhooks.list', {}, { cookie: admin.cookie });
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    await ingestStored(stack, tenantId, failedSignIns(tenantId, 6, { account: 'cashier-cy' }));
    const post = await eventually(async () => receiver.posts.find((p) => p.path === `/hook/${tenantId}`), 20_000);
    const header = String(post.headers['modula-signature']);
    const t = /t=(\d+)/.exec(header)?.[1];
    const v1 = /v1=([0-9a-f]{64})/.exec(header)?.[1];
    expect(t && v1).toBeTruthy();
    expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(300);
    const expected = createHmac('sha256', secret).update(`${t}.${post.body}`).digest();
    expect(timingSafeEqual(expected, Buffer.from(v1!, 'hex'))).toBe(true);
    // a body changed in transit no longer matches
    expect(createHmac('sha256', secret).update(`${t}.${post.body} `).digest('hex')).not.toBe(v1);
    const body = JSON.parse(post.body);
    expect(body).toMatchObject({ type: 'alert', tenantId, alert: { rule: 'LOGIN_FAILURES_ACCOUNT', subject: 'cashier-cy', count: 6 } });
    expect(body.alert.seqs).toHaveLength(6);

    const alert: TAlertView = await eventually(async () => {
      const [a] = await alertsOf(tenantId);
      return a?.deliveries.find((d) => d.webhookId === failing.data.webhook.id)?.attempts ? a : undefined;
    });
    // both URLs have a path, which may be their credential: shown alike, told apart by the webhook's id
    const shown = `${receiver.url}/[REDACTED]`;
    expect(alert.deliveries.find((d) => d.webhookId === added.data.webhook.id)).toMatchObject({ channel: 'WEBHOOK', target: shown, state: 'SENT' });
    expect(alert.deliveries.find((d) => d.webhookId === failing.data.webhook.id)).toMatchObject({
      channel: 'WEBHOOK',
      target: shown,
      state: 'PENDING',
      lastError: 'HTTP 500',
    });
    expect(alert.deliveries.find((d) => d.channel === 'EMAIL')).toBeDefined();
    expect(await eventually(async () => ((await raisedEvents(tenantId)).length === 1 ? true : undefined))).toBe(true);
    const { rows } = await db.query(`select count(*)::int as n from audit_events where tenant_id = $1 and action = 'ALERT_WEBHOOK_ADDED'`, [tenantId]);
    expect(rows[0].n).toBe(2);
  });
});

describe('a chain verification failure', () => {
  it('found by integrity.verify raises one CHAIN_BROKEN alert; verify-chain finding it again in the same hour raises no second one', async () => {
    const { tenantId, admin } = await tenantWithAdmin('Tampered Bistro');
    await ingestStored(
      stack,
      tenantId,
      Array.from({ length: 10 }, () => makeEvent(tenantId)),
    );
    const { rows } = await db.query(`select seq from audit_events where tenant_id = $1 and action = 'POLICY_UPDATED' order by seq limit 1 offset 2`, [
      tenantId,
    ]);
    const seq = Number(rows[0].seq);
    // a superuser rewrites a stored event with the triggers off, as tests/integrity/tamper does
    await db.query('set session_replication_role = replica');
    await db.query(`update audit_events set description = description || '.' where tenant_id = $1 and seq = $2`, [tenantId, seq]);
    await db.query('set session_replication_role = origin');

    const verified = await trpc(stack, 'query', 'integrity.verify', { full: true }, { cookie: admin.cookie });
    expect(verified.data).toMatchObject({ ok: false, firstBrokenSeq: seq });
    const alert = await eventually(async () => (await alertsOf(tenantId))[0], 20_000);
    expect(alert).toMatchObject({ rule: 'CHAIN_BROKEN', subjectKind: 'TENANT', subject: 'chain', details: { brokenSeq: seq, source: 'integrity.verify' } });
    const mail = await eventually(async () => mailsTo(admin.email)[0]);
    expect(mail.mail.subject).toContain(`the hash chain failed verification at seq ${seq}`);
    const [raised] = await eventually(async () => {
      const r = await raisedEvents(tenantId);
      return r.length > 0 ? r : undefined;
    });
    expect(raised!.metadata).toMatchObject({ rule: 'CHAIN_BROKEN', brokenSeq: seq });

    const cli = runCli(stack, ['verify-chain', '--tenant', tenantId]);
    expect(cli.status).toBe(2);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await alertsOf(tenantId)).toHaveLength(1);
    expect(mailsTo(admin.email)).toHaveLength(1);
  });
});

describe('a chain found broken by the CLI or the checkpoint worker', () => {
  /** A tenant of 10 events whose third a superuser rewrote with the triggers off; answers the rewritten seq. */
  async function tamperedTenant(name: string) {
    const t = await tenantWithAdmin(name);
    await ingestStored(
      stack,
      t.tenantId,
      Array.from({ length: 10 }, () => makeEvent(t.tenantId)),
    );
    const { rows } = await db.query(`select seq from audit_events where tenant_id = $1 and action = 'POLICY_UPDATED' order by seq limit 1 offset 2`, [
      t.tenantId,
    ]);
    await db.query('set session_replication_role = replica');
    await db.query(`update audit_events set description = description || '.' where tenant_id = $1 and seq = $2`, [t.tenantId, rows[0].seq]);
    await db.query('set session_replication_role = origin');
    return { ...t, seq: Number(rows[0].seq) };
  }

  it('cli verify-chain raises CHAIN_BROKEN itself (exit 2 as before)', async () => {
    const t = await tamperedTenant('CLI Tampered Bistro');
    const cli = runCli(stack, ['verify-chain', '--tenant', t.tenantId]);
    expect(cli.status).toBe(2);
    const alert = await eventually(async () => (await alertsOf(t.tenantId))[0], 20_000);
    expect(alert).toMatchObject({ rule: 'CHAIN_BROKEN', details: { brokenSeq: t.seq, source: 'verify-chain' } });
    await eventually(async () => mailsTo(t.admin.email)[0]);
  });

  it('the checkpoint worker, refusing to sign a broken chain, raises CHAIN_BROKEN', async () => {
    const t = await tamperedTenant('Checkpoint Tampered Bistro');
    const checkpoints = await startCheckpointWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
    try {
      await checkpoints.queue.add('checkpoint', { v: 1, tenantId: t.tenantId });
      const alert = await eventually(async () => (await alertsOf(t.tenantId))[0], 20_000);
      expect(alert).toMatchObject({ rule: 'CHAIN_BROKEN', details: { brokenSeq: t.seq, source: 'checkpoint' } });
    } finally {
      await checkpoints.close();
    }
  });
});

describe('a device gap that stays', () => {
  it('raises DEVICE_GAP once the gap has been open for the rule’s window, and only once', async () => {
    const { tenantId } = await tenantWithAdmin('Gappy Bistro');
    const till = (deviceSeq: number) => makeEvent(tenantId, { context: { deviceId: 'till-9', deviceSeq } });
    await ingestStored(stack, tenantId, [till(1), till(2), till(6)]);
    expect(await raiseDeviceGaps(stack.services.orm, tenantId)).toEqual([]);
    // the gap showed 61 minutes ago: the superuser moves the receipt back (the row's hash no longer matters to this tenant's test)
    await db.query('set session_replication_role = replica');
    await db.query(`update audit_events set received_at = now() - interval '61 minutes' where tenant_id = $1 and device_seq = 6`, [tenantId]);
    await db.query('set session_replication_role = origin');
    const raised = await raiseDeviceGaps(stack.services.orm, tenantId);
    expect(raised.map((r) => [r.alert.rule, r.alert.subject, r.alert.count])).toEqual([['DEVICE_GAP', 'till-9#3', 3]]);
    expect(raised[0]!.alert.details).toMatchObject({ deviceId: 'till-9', fromDeviceSeq: 3, toDeviceSeq: 5 });
    expect(await raiseDeviceGaps(stack.services.orm, tenantId)).toEqual([]);
  });
});

describe('rules changed by an Admin or an operator', () => {
  it('take effect, and each change is in the tenant’s log', async () => {
    const { tenantId, admin } = await tenantWithAdmin('Strict Bistro');
    const before = await trpc(stack, 'query', 'alerts.rules.list', {}, { cookie: admin.cookie });
    expect(before.data.items.find((r: { rule: string }) => r.rule === 'LOGIN_FAILURES_ACCOUNT')).toMatchObject({
      threshold: 5,
      windowMinutes: 60,
      enabled: true,
      isDefault: true,
    });
    const updated = await trpc(
      stack,
      'mutation',
      'alerts.rules.update',
      { rule: 'LOGIN_FAILURES_ACCOUNT', threshold: 2, windowMinutes: 30 },
      { cookie: admin.cookie },
    );
    expect(updated.data.rule).toMatchObject({ threshold: 2, windowMinutes: 30, isDefault: false });
    const changed = await eventually(async () => {
      const { rows } = await db.query(`select actor_id, before, after from audit_events where tenant_id = $1 and action = 'ALERT_RULE_UPDATED'`, [tenantId]);
      return rows[0];
    });
    expect(changed).toMatchObject({ actor_id: admin.userId, before: { threshold: 5, windowMinutes: 60 }, after: { threshold: 2, windowMinutes: 30 } });

    await ingestStored(stack, tenantId, failedSignIns(tenantId, 3, { account: 'cashier-di', startMs: Date.now() - 10 * 60_000 }));
    const alert = await eventually(async () => (await alertsOf(tenantId))[0]);
    expect(alert).toMatchObject({ rule: 'LOGIN_FAILURES_ACCOUNT', count: 3, threshold: 2, windowMinutes: 30 });

    const cli = runCli(stack, ['alert', 'set', '--tenant', tenantId, '--rule', 'LOGIN_FAILURES_ACCOUNT', '--enabled', 'false']);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.json).toMatchObject({ rule: 'LOGIN_FAILURES_ACCOUNT', enabled: false, threshold: 2 });
    const rules = runCli(stack, ['alert', 'rules', '--tenant', tenantId]);
    expect(rules.json.items.find((r: { rule: string }) => r.rule === 'LOGIN_FAILURES_ACCOUNT')).toMatchObject({ enabled: false });
    await eventually(async () => {
      const { rows } = await db.query(`select count(*)::int as n from audit_events where tenant_id = $1 and action = 'ALERT_RULE_UPDATED'`, [tenantId]);
      return rows[0].n === 2 ? true : undefined;
    });
    await ingestStored(stack, tenantId, failedSignIns(tenantId, 8, { account: 'cashier-ed', startMs: Date.now() - 10 * 60_000 }));
    await evaluated(tenantId);
    expect((await alertsOf(tenantId)).map((a) => a.subject)).toEqual(['cashier-di']);
  });
});

describe('the alert tables in the database', () => {
  it('confine the runtime role to its tenant (row-level security) and refuse it what it does not need', async () => {
    const a = await tenantWithAdmin('Tenant A Bistro');
    const b = await tenantWithAdmin('Tenant B Bistro');
    await ingestStored(stack, a.tenantId, failedSignIns(a.tenantId, 6, { account: 'cashier-fe' }));
    await eventually(async () => (await alertsOf(a.tenantId))[0]);
    const app = await connect(stack.config.DATABASE_URL);
    const asRuntime = async (tenantId: string, statement: string) => {
      await app.query('begin');
      try {
        await app.query(`set local role ${APP_ROLE}`);
        await app.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
        return await app.query(statement);
      } finally {
        await app.query('rollback');
      }
    };
    try {
      expect((await asRuntime(a.tenantId, 'select count(*)::int as n from alerts')).rows[0].n).toBe(1);
      expect((await asRuntime(b.tenantId, 'select count(*)::int as n from alerts')).rows[0].n).toBe(0);
      expect((await asRuntime(b.tenantId, 'select count(*)::int as n from alert_deliveries')).rows[0].n).toBe(0);
      for (const statement of [
        'delete from alerts',
        'update alerts set count = 0',
        'update alerts set window_start = now()',
        'delete from alert_deliveries',
        'delete from alert_cursors',
        'truncate alerts',
        'update alert_webhooks set url = null',
      ])
        await expect(asRuntime(a.tenantId, statement), statement).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });
});
