import { evaluateTenantAlerts, listAlerts } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedSignIns } from '../../testing/alerts.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * What the README promises of alert rules, probed where an offline till makes the stored order
 * differ from the order things happened in: "more than 5 LOGIN_FAILED within 60 minutes" is about
 * when they occurred, whatever order they are stored in (DESIGN: offline events arrive late).
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

const evaluate = (tenantId: string) => evaluateTenantAlerts(stack.services.orm, tenantId, { batch: 10_000 });

describe('six failures of one account within an hour, the earliest synced last', () => {
  it('raise one LOGIN_FAILURES_ACCOUNT alert counting all six', async () => {
    const { tenantId } = await stack.createTenant('Late first failure');
    const start = Date.now() - 50 * 60_000;
    const [earliest, ...rest] = failedSignIns(tenantId, 6, { account: 'cashier-eve', ip: '203.0.113.44', startMs: start });
    await ingestStored(stack, tenantId, rest);
    await evaluate(tenantId);
    expect(await listAlerts(stack.services.orm, tenantId, { limit: 10 })).toEqual([]);

    // the till that saw the first failure was offline: it syncs after the other five were evaluated
    await ingestStored(stack, tenantId, [earliest!]);
    await evaluate(tenantId);
    const alerts = await listAlerts(stack.services.orm, tenantId, { limit: 10 });
    expect(alerts.map((a) => ({ rule: a.rule, subject: a.subject, count: a.count }))).toEqual([
      { rule: 'LOGIN_FAILURES_ACCOUNT', subject: 'cashier-eve', count: 6 },
    ]);
    expect(alerts[0]!.firstAt).toBe(new Date(start).toISOString());
  });
});

describe('six failures of one account within an hour, one from the middle synced last', () => {
  it('raise one alert: the late one falls in no window ending at itself or starting at itself, but in one that ends after it', async () => {
    const { tenantId } = await stack.createTenant('Late middle failure');
    const start = Date.now() - 90 * 60_000;
    // at 0, 10, 20, 30, 40 and 50 minutes; the one at 30 arrives last
    const all = failedSignIns(tenantId, 6, { account: 'cashier-mo', startMs: start }).map((e, i) => ({
      ...e,
      occurredAt: new Date(start + i * 10 * 60_000).toISOString(),
    }));
    await ingestStored(stack, tenantId, [...all.slice(0, 3), ...all.slice(4)]);
    await evaluate(tenantId);
    expect(await listAlerts(stack.services.orm, tenantId, { limit: 10 })).toEqual([]);
    await ingestStored(stack, tenantId, [all[3]!]);
    await evaluate(tenantId);
    const alerts = await listAlerts(stack.services.orm, tenantId, { limit: 10 });
    expect(alerts.map((a) => ({ subject: a.subject, count: a.count, firstAt: a.firstAt }))).toEqual([
      { subject: 'cashier-mo', count: 6, firstAt: new Date(start).toISOString() },
    ]);
  });
});

describe('an alert webhook whose signing secret PostgreSQL and UTF-8 cannot keep as given', () => {
  it('is refused BAD_REQUEST on the secret, and no webhook is added (a lone surrogate would be sealed as U+FFFD: no signature would ever match)', async () => {
    const { tenantId } = await stack.createTenant('Webhook secret');
    const admin = await signedInAdmin(stack, tenantId);
    const url = 'https://hooks.example.com/modula-alerts';
    for (const secret of [`${'s'.repeat(20)}\ud800`, `${'s'.repeat(20)}\u0000`]) {
      const res = await trpc(stack, 'mutation', 'alerts.webhooks.add', { url, secret }, { cookie: admin.cookie });
      expect(res.code).toBe('BAD_REQUEST');
      expect(JSON.stringify(res)).toContain('secret');
    }
    const list = await trpc(stack, 'query', 'alerts.webhooks.list', {}, { cookie: admin.cookie });
    expect(list.data.items).toEqual([]);
  });
});
