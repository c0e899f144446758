import http from 'node:http';
import net from 'node:net';
import { resolveServerSecret } from '@modula/config';
import type { TAlertView } from '@modula/contracts';
import { alertDeliverySettings, deliverAlert, evaluateTenantAlerts, listAlerts } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedSignIns } from '../../testing/alerts.ts';
import { queryRows } from '../../testing/database.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startReceiver, type TReceiver } from '../../testing/receivers.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * An alert webhook whose URL is its own credential (Slack's hooks.slack.com/services/…: whoever has
 * it posts to the channel) is kept sealed like the webhook's signing secret: neither alert_webhooks
 * nor alert_deliveries holds its path, alerts.webhooks.list and alerts.list show only its scheme,
 * host and a marker, and the alert still reaches it. The receiver stands in for Slack: the
 * delivery's sockets are sent to it, whatever host the URL names (no DNS, no Internet here).
 */
let stack: TestStack;
let receiver: TReceiver;

const SECRET_PATH = '/services/T0123ABCD/B0456EFGH/xQ3rT7uVw9yZ1aB2cD4eF6gH';
const HOOK_URL = `http://hooks.slack.com${SECRET_PATH}`;
const SECRET_PART = 'B0456EFGH/xQ3rT7uVw9yZ1aB2cD4eF6gH';
const OTHER_PATH = '/services/T0123ABCD/B0789IJKL/mN4pQ5rS6tU7vW8xY9zA0bC1';
const OTHER_PART = 'B0789IJKL/mN4pQ5rS6tU7vW8xY9zA0bC1';
const SHOWN = 'http://hooks.slack.com/[REDACTED]';

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, STREAM_ALLOW_HTTP: 'true' } });
  receiver = await startReceiver(() => ({ status: 204 }));
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});

/** The alert delivery settings of a worker whose every plain-http connection reaches the receiver. */
function settingsToReceiver() {
  const port = Number(new URL(receiver.url).port);
  const settings = alertDeliverySettings({
    mailer: { send: async () => undefined },
    origin: stack.baseUrl,
    serverSecret: resolveServerSecret(stack.config),
    policy: { allowHttp: true, allowPrivate: false },
    timeoutMs: 5_000,
  });
  const httpAgent = new http.Agent();
  httpAgent.createConnection = () => net.createConnection({ host: '127.0.0.1', port });
  return { ...settings, agents: { ...settings.agents, httpAgent } };
}

/** Every row of the tenant's alert webhooks and alert deliveries, as text. */
async function rowsText(tenantId: string): Promise<string> {
  const rows = await queryRows<{ row: string }>(
    stack.databaseSuperuserUrl,
    `select row_to_json(w)::text as row from alert_webhooks w where tenant_id = $1
     union all select row_to_json(d)::text from alert_deliveries d where tenant_id = $1`,
    [tenantId],
  );
  return rows.map((r) => r.row).join('\n');
}

/** Raises one LOGIN_FAILURES_ACCOUNT alert (the evaluation run here, not by a worker) and answers it. */
async function raiseOne(tenantId: string, account: string): Promise<TAlertView> {
  await ingestStored(stack, tenantId, failedSignIns(tenantId, 6, { account }));
  const { raised } = await evaluateTenantAlerts(stack.services.orm, tenantId, { batch: 1000 });
  expect(raised).toHaveLength(1);
  return raised[0]!.alert;
}

const postsTo = (tenantId: string) => receiver.requests.filter((r) => r.body.includes(tenantId));

describe('an alert webhook URL that is its own credential', () => {
  it('is kept sealed: no row, no listing holds its path; the alert still reaches it', async () => {
    const { tenantId } = await stack.createTenant('Slack Bistro');
    const admin = await signedInAdmin(stack, tenantId);
    const added = await trpc(stack, 'mutation', 'alerts.webhooks.add', { url: HOOK_URL }, { cookie: admin.cookie });
    expect(added.status).toBe(200);
    expect(added.data.webhook.url).toBe(SHOWN);
    expect(added.data.signingSecret).toMatch(/^whsec_/);
    // a second Slack channel is another webhook, though both are shown alike; the same URL again is refused
    const other = await trpc(stack, 'mutation', 'alerts.webhooks.add', { url: `http://hooks.slack.com${OTHER_PATH}` }, { cookie: admin.cookie });
    expect(other.status).toBe(200);
    const again = await trpc(stack, 'mutation', 'alerts.webhooks.add', { url: HOOK_URL }, { cookie: admin.cookie });
    expect(again.status).toBe(409);

    expect(await rowsText(tenantId)).toContain('hooks.slack.com');
    expect(await rowsText(tenantId)).not.toContain(SECRET_PART);
    const listed = await trpc(stack, 'query', 'alerts.webhooks.list', {}, { cookie: admin.cookie });
    expect(JSON.stringify(listed.body)).not.toContain(SECRET_PART);
    expect(JSON.stringify(listed.body)).not.toContain(OTHER_PART);
    expect(listed.data.items.map((w: { url: string }) => w.url)).toEqual([SHOWN, SHOWN]);
    // the log's record of the change names the display form too
    const recorded = await queryRows<{ row: string }>(
      stack.databaseSuperuserUrl,
      `select row_to_json(e)::text as row from audit_events e where tenant_id = $1 and action = 'ALERT_WEBHOOK_ADDED'`,
      [tenantId],
    );
    expect(recorded.map((r) => r.row).join('\n')).not.toContain(SECRET_PART);

    const alert = await raiseOne(tenantId, 'cashier-sl');
    expect(await rowsText(tenantId)).not.toContain(SECRET_PART);
    const outcome = await deliverAlert(stack.services.orm, settingsToReceiver(), tenantId, alert.id, false);
    expect(outcome).toEqual({ sent: 3, failed: 0, pending: 0 });
    expect(
      postsTo(tenantId)
        .map((r) => [r.path, r.headers.host])
        .sort(),
    ).toEqual([
      [SECRET_PATH, 'hooks.slack.com'],
      [OTHER_PATH, 'hooks.slack.com'],
    ]);

    expect(await rowsText(tenantId)).not.toContain(SECRET_PART);
    const alerts = await trpc(stack, 'query', 'alerts.list', {}, { cookie: admin.cookie });
    expect(JSON.stringify(alerts.body)).not.toContain(SECRET_PART);
    const webhooks = (alerts.data.items[0] as TAlertView).deliveries.filter((d) => d.channel === 'WEBHOOK');
    expect(webhooks.map((d) => [d.target, d.state])).toEqual([
      [SHOWN, 'SENT'],
      [SHOWN, 'SENT'],
    ]);
  }, 60_000);

  it('of any service: Google Chat (key and token in the query), Mattermost or a self-made receiver is sealed too (review F §4)', async () => {
    const { tenantId } = await stack.createTenant('Chat Bistro');
    const admin = await signedInAdmin(stack, tenantId);
    const hooks = [
      [
        'http://chat.googleapis.com/v1/spaces/AAAAx1/messages?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&token=Zq8e2Lw',
        'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI',
      ],
      ['http://chat.mattermost.example/hooks/xq7yw8mbbjfszp4qa3rtu5gkhe', 'xq7yw8mbbjfszp4qa3rtu5gkhe'],
      ['http://receiver.example.test/alerts/in', '/alerts/in'],
    ] as const;
    const ids: string[] = [];
    for (const [url] of hooks) {
      const added = await trpc(stack, 'mutation', 'alerts.webhooks.add', { url }, { cookie: admin.cookie });
      expect(added.status).toBe(200);
      expect(added.data.webhook.url).toBe(`http://${new URL(url).host}/[REDACTED]`);
      ids.push(added.data.webhook.id);
    }
    const alert = await raiseOne(tenantId, 'cashier-gc');
    expect(await deliverAlert(stack.services.orm, settingsToReceiver(), tenantId, alert.id, false)).toEqual({ sent: 4, failed: 0, pending: 0 });
    expect(
      postsTo(tenantId)
        .map((r) => [r.headers.host, r.path])
        .sort(),
    ).toEqual(hooks.map(([url]) => [new URL(url).host, new URL(url).pathname + new URL(url).search]).sort());

    const listed = await trpc(stack, 'query', 'alerts.webhooks.list', {}, { cookie: admin.cookie });
    const alerts = await trpc(stack, 'query', 'alerts.list', {}, { cookie: admin.cookie });
    const recorded = await queryRows<{ row: string }>(
      stack.databaseSuperuserUrl,
      `select row_to_json(e)::text as row from audit_events e where tenant_id = $1 and action = 'ALERT_WEBHOOK_ADDED'`,
      [tenantId],
    );
    expect(recorded).toHaveLength(3);
    for (const [, secretPart] of hooks) {
      expect(await rowsText(tenantId)).not.toContain(secretPart);
      expect(JSON.stringify(listed.body)).not.toContain(secretPart);
      expect(JSON.stringify(alerts.body)).not.toContain(secretPart);
      expect(recorded.map((r) => r.row).join('\n')).not.toContain(secretPart);
    }
    // shown by host alone, each delivery still names its webhook
    const webhooks = (alerts.data.items[0] as TAlertView).deliveries.filter((d) => d.channel === 'WEBHOOK');
    expect(webhooks.map((d) => d.webhookId).sort()).toEqual([...ids].sort());
  }, 60_000);

  it('stored in clear before this version: shown redacted, sealed when next read, still delivered', async () => {
    const { tenantId } = await stack.createTenant('Slack Bistro of before');
    const admin = await signedInAdmin(stack, tenantId);
    // a bare origin is kept as given: this row holds a URL in clear, as every credential URL was before
    const added = await trpc(stack, 'mutation', 'alerts.webhooks.add', { url: 'http://hooks.example.test/' }, { cookie: admin.cookie });
    expect(added.data.webhook.url).toBe('http://hooks.example.test/');
    // as an earlier version stored it
    await queryRows(stack.databaseSuperuserUrl, 'update alert_webhooks set url = $2 where id = $1', [added.data.webhook.id, HOOK_URL]);

    // an alert raised before anything read the row: its delivery names the display form
    const alert = await raiseOne(tenantId, 'cashier-ol');
    const shown = await listAlerts(stack.services.orm, tenantId);
    expect(shown[0]!.deliveries.find((d) => d.channel === 'WEBHOOK')?.target).toBe(SHOWN);
    const listed = await trpc(stack, 'query', 'alerts.webhooks.list', {}, { cookie: admin.cookie });
    expect(JSON.stringify(listed.body)).not.toContain(SECRET_PART);
    expect(listed.data.items).toEqual([{ id: added.data.webhook.id, url: SHOWN, createdAt: added.data.webhook.createdAt }]);
    expect(await rowsText(tenantId)).not.toContain(SECRET_PART);
    // sealed in place: the same webhook, as it was listed
    expect((await trpc(stack, 'query', 'alerts.webhooks.list', {}, { cookie: admin.cookie })).data).toEqual(listed.data);

    expect(await deliverAlert(stack.services.orm, settingsToReceiver(), tenantId, alert.id, false)).toEqual({ sent: 2, failed: 0, pending: 0 });
    expect(postsTo(tenantId).map((r) => r.path)).toEqual([SECRET_PATH]);

    // a delivery an earlier version stored with the URL in clear is shown redacted
    await queryRows(stack.databaseSuperuserUrl, `update alert_deliveries set target = $2 where tenant_id = $1 and channel = 'WEBHOOK'`, [tenantId, HOOK_URL]);
    const alerts = await trpc(stack, 'query', 'alerts.list', {}, { cookie: admin.cookie });
    expect(JSON.stringify(alerts.body)).not.toContain(SECRET_PART);
    expect((alerts.data.items[0] as TAlertView).deliveries.find((d) => d.channel === 'WEBHOOK')).toMatchObject({ target: SHOWN, state: 'SENT' });
  }, 60_000);
});
