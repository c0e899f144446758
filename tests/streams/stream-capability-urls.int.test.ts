import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAlertWebhook, createStream, deliverStream, listStreams, sealUrlsStoredInClear, streamSettings, updateStream } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { startReceiver, type TReceiver } from '../../testing/receivers.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * A webhook URL that is its own credential (Slack's hooks.slack.com/services/…: whoever has it posts
 * to the channel) is sealed like a stream's secret: the row keeps, and streams.list shows, only its
 * scheme, host and a marker, and delivery opens the sealed URL. The receiver stands in for Slack:
 * the delivery's sockets are sent to it, whatever host the URL names (no DNS, no Internet here).
 */
let stack: TestStack;
let receiver: TReceiver;

const SECRET_PATH = '/services/T0123ABCD/B0456EFGH/xQ3rT7uVw9yZ1aB2cD4eF6gH';
const HOOK_URL = `http://hooks.slack.com${SECRET_PATH}`;
const SECRET_PART = 'B0456EFGH/xQ3rT7uVw9yZ1aB2cD4eF6gH';

beforeAll(async () => {
  stack = await startStack({ env: { STREAM_ALLOW_HTTP: 'true' } });
  receiver = await startReceiver();
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});

/** The stream settings of a worker whose every plain-http connection reaches the receiver. */
function settingsToReceiver() {
  const port = Number(new URL(receiver.url).port);
  const httpAgent = new http.Agent();
  httpAgent.createConnection = () => net.createConnection({ host: '127.0.0.1', port });
  const settings = streamSettings(stack.config);
  return { ...settings, agents: { ...settings.agents, httpAgent } };
}

const rowText = async (tenantId: string) =>
  (
    await queryRows<{ row: string }>(stack.databaseSuperuserUrl, 'select row_to_json(s)::text as row from stream_destinations s where tenant_id = $1', [
      tenantId,
    ])
  )
    .map((r) => r.row)
    .join('\n');

const options = { budgetMs: 5_000, onPaused: async () => {} };

/** The sweep's log: what a worker would write at warn, as text. */
function sweepLog() {
  const lines: string[] = [];
  return { lines, warn: (fields: Record<string, unknown>, msg: string) => lines.push(JSON.stringify({ ...fields, msg })) };
}

/** A stream whose Slack URL is stored in clear, as a version before 829f596 stored it. */
async function streamStoredInClear(settings: ReturnType<typeof settingsToReceiver>, tenantId: string) {
  const { stream } = await createStream(stack.services.orm, settings, tenantId, {
    name: 'plain',
    target: { kind: 'WEBHOOK', url: 'http://hooks.example.test/plain' },
  });
  await queryRows(
    stack.databaseSuperuserUrl,
    `update stream_destinations set settings = jsonb_build_object('kind', 'WEBHOOK', 'url', $2::text) where id = $1`,
    [stream.id, HOOK_URL],
  );
  return stream;
}

describe('a webhook URL that is its own credential', () => {
  it('is kept sealed: neither the row nor streams.list holds its path; delivery still reaches it', async () => {
    const { tenantId } = await stack.createTenant('Slack stream');
    await ingestStored(stack, tenantId, [makeEvent(tenantId), makeEvent(tenantId)]);
    const settings = settingsToReceiver();
    const { stream } = await createStream(stack.services.orm, settings, tenantId, { name: 'slack', target: { kind: 'WEBHOOK', url: HOOK_URL } });
    expect(await rowText(tenantId)).toContain('hooks.slack.com');
    expect(await rowText(tenantId)).not.toContain(SECRET_PART);
    expect(stream.target).toEqual({ kind: 'WEBHOOK', url: 'http://hooks.slack.com/[REDACTED]' });
    const listed = await listStreams(stack.services.orm, tenantId, settings);
    expect(JSON.stringify(listed)).not.toContain(SECRET_PART);
    expect(listed[0]!.target).toEqual({ kind: 'WEBHOOK', url: 'http://hooks.slack.com/[REDACTED]' });

    const delivered = await deliverStream(stack.services.orm, settings, tenantId, stream.id, options);
    expect(delivered).toMatchObject({ outcome: 'caught-up', delivered: 2 });
    const got = receiver.requests.filter((r) => r.body.includes(tenantId));
    expect(got.map((r) => [r.path, r.headers.host])).toEqual([[SECRET_PATH, 'hooks.slack.com']]);

    // the edit dialog sends the target it was shown (here with a new name): the sealed URL stays
    const edited = await updateStream(stack.services.orm, settings, tenantId, { id: stream.id, name: 'slack #audit', target: listed[0]!.target });
    expect(edited.stream.target).toEqual(listed[0]!.target);
    // shown alike before and after: STREAM_UPDATED says the URL did not change
    expect(edited.urlChanged).toBe(false);
    expect(await rowText(tenantId)).not.toContain(SECRET_PART);
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    expect(await deliverStream(stack.services.orm, settings, tenantId, stream.id, options)).toMatchObject({ outcome: 'caught-up', delivered: 1 });
    expect(receiver.requests.filter((r) => r.body.includes(tenantId)).map((r) => r.path)).toEqual([SECRET_PATH, SECRET_PATH]);
  }, 60_000);

  it('of any service: a URL with a path or a query is sealed; a bare origin is kept as given (review F §4)', async () => {
    const { tenantId } = await stack.createTenant('Webhooks of every kind');
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    const settings = settingsToReceiver();
    // credentials no list of service shapes knows: Google Chat's in the query, Mattermost's and a
    // self-made receiver's in the path (a password in the user information is refused, target-guard.ts)
    const urls = [
      [
        'http://chat.googleapis.com/v1/spaces/AAAAx1/messages?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&token=Zq8e2Lw',
        'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI',
      ],
      ['http://chat.mattermost.example/hooks/xq7yw8mbbjfszp4qa3rtu5gkhe', 'xq7yw8mbbjfszp4qa3rtu5gkhe'],
      ['http://receiver.example.test/audit/in', '/audit/in'],
      ['http://receiver.example.test/?', 'test/?'],
    ] as const;
    for (const [i, [url, secretPart]] of urls.entries()) {
      const { stream } = await createStream(stack.services.orm, settings, tenantId, { name: `hook ${i}`, target: { kind: 'WEBHOOK', url } });
      expect(stream.target).toEqual({ kind: 'WEBHOOK', url: `http://${new URL(url).host}/[REDACTED]` });
      expect(await rowText(tenantId)).not.toContain(secretPart);
      expect(JSON.stringify(await listStreams(stack.services.orm, tenantId, settings))).not.toContain(secretPart);
      expect(await deliverStream(stack.services.orm, settings, tenantId, stream.id, options)).toMatchObject({ outcome: 'caught-up', delivered: 1 });
      const got = receiver.requests.filter((r) => r.body.includes(tenantId)).at(-1)!;
      const { host, pathname, search } = new URL(url);
      expect([got.headers.host, got.path]).toEqual([host, pathname + search]);
    }
    // a Splunk HEC base URL, nothing past the host: kept and shown as given
    const { stream: splunk } = await createStream(stack.services.orm, settings, tenantId, {
      name: 'splunk',
      target: { kind: 'SPLUNK', url: 'http://splunk.example.test:8088', source: 'modula-audit', sourcetype: 'modula:audit' },
      secret: 'a-hec-token-of-splunk',
    });
    expect(splunk.target).toMatchObject({ kind: 'SPLUNK', url: 'http://splunk.example.test:8088' });
    expect(await rowText(tenantId)).toContain('http://splunk.example.test:8088');
  }, 60_000);

  it('stored in clear before this version: shown redacted, sealed when next read, still delivered', async () => {
    const { tenantId } = await stack.createTenant('Slack stream of before');
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    const settings = settingsToReceiver();
    const stream = await streamStoredInClear(settings, tenantId);
    const listed = await listStreams(stack.services.orm, tenantId, settings);
    expect(JSON.stringify(listed)).not.toContain(SECRET_PART);
    expect(await rowText(tenantId)).not.toContain(SECRET_PART);
    expect(await deliverStream(stack.services.orm, settings, tenantId, stream.id, options)).toMatchObject({ outcome: 'caught-up', delivered: 1 });
    expect(receiver.requests.filter((r) => r.body.includes(tenantId)).map((r) => r.path)).toEqual([SECRET_PATH]);
  }, 60_000);

  it('stored in clear in an idle tenant: sealed by the sweep a worker runs at start, with no read; still delivered', async () => {
    const { tenantId } = await stack.createTenant('Slack stream, idle');
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    const settings = settingsToReceiver();
    const stream = await streamStoredInClear(settings, tenantId);
    const { webhook } = await addAlertWebhook(stack.services.orm, settings.serverSecret, { allowHttp: true, allowPrivate: false }, tenantId, {
      url: 'http://chat.mattermost.example/hooks/xq7yw8mbbjfszp4qa3rtu5gkhe',
    });
    await queryRows(stack.databaseSuperuserUrl, 'update alert_webhooks set url = $2 where id = $1', [
      webhook.id,
      'http://chat.mattermost.example/hooks/xq7yw8mbbjfszp4qa3rtu5gkhe',
    ]);
    const clear = async () =>
      (await rowText(tenantId)) +
      (await queryRows<{ url: string }>(stack.databaseSuperuserUrl, 'select url from alert_webhooks where tenant_id = $1', [tenantId]))
        .map((r) => r.url)
        .join();
    expect(await clear()).toContain(SECRET_PART);
    expect(await clear()).toContain('xq7yw8mbbjfszp4qa3rtu5gkhe');

    const sealed = await sealUrlsStoredInClear(stack.services.orm, settings.serverSecret, sweepLog());
    expect(sealed.streams).toBeGreaterThanOrEqual(1);
    expect(sealed.webhooks).toBeGreaterThanOrEqual(1);
    expect(await clear()).not.toContain(SECRET_PART);
    expect(await clear()).not.toContain('xq7yw8mbbjfszp4qa3rtu5gkhe');
    // nothing left in clear: a second sweep finds nothing, in any tenant
    expect(await sealUrlsStoredInClear(stack.services.orm, settings.serverSecret, sweepLog())).toEqual({ streams: 0, webhooks: 0, failed: 0 });
    expect(await deliverStream(stack.services.orm, settings, tenantId, stream.id, options)).toMatchObject({ outcome: 'caught-up', delivered: 1 });
    expect(receiver.requests.filter((r) => r.body.includes(tenantId)).map((r) => r.path)).toEqual([SECRET_PATH]);
  }, 60_000);

  it('one bad row stops neither its tenant nor the later ones; the log names tenant and row, never the URL', async () => {
    const settings = settingsToReceiver();
    // the first tenant: a row stored in clear whose URL holds the marker, and one whose settings no longer parse
    const { tenantId: first } = await stack.createTenant('Rows that once stopped the sweep');
    const marked = await streamStoredInClear(settings, first);
    await queryRows(
      stack.databaseSuperuserUrl,
      `update stream_destinations set settings = jsonb_build_object('kind', 'WEBHOOK', 'url', $2::text) where id = $1`,
      [marked.id, 'http://hooks.example.com/[REDACTED]/T0/SECRETTOKEN'],
    );
    const { stream: broken } = await createStream(stack.services.orm, settings, first, {
      name: 'broken',
      target: { kind: 'WEBHOOK', url: 'http://hooks.example.test/plain' },
    });
    await queryRows(
      stack.databaseSuperuserUrl,
      `update stream_destinations set settings = jsonb_build_object('kind', 'WEBHOOK', 'url', $2::text, 'headers', 'x') where id = $1`,
      [broken.id, 'http://hooks.example.com/services/T0/B0/OTHERTOKEN'],
    );
    // a later tenant, idle, with its URL in clear
    const { tenantId: later } = await stack.createTenant('Slack stream, after the bad rows');
    await ingestStored(stack, later, [makeEvent(later)]);
    const stream = await streamStoredInClear(settings, later);
    expect(await rowText(later)).toContain(SECRET_PART);

    const log = sweepLog();
    const sealed = await sealUrlsStoredInClear(stack.services.orm, settings.serverSecret, log);
    expect(sealed).toMatchObject({ failed: 1 });
    expect(await rowText(later)).not.toContain(SECRET_PART);
    // a URL stored in clear is the one delivered to, marker or not: sealed as it is
    expect(await rowText(first)).not.toContain('SECRETTOKEN');
    expect(log.lines).toHaveLength(1);
    expect(JSON.parse(log.lines[0]!)).toMatchObject({
      tenantId: first,
      streamId: broken.id,
      msg: expect.stringMatching(/could not seal a URL stored in clear/),
    });
    expect(log.lines.join()).not.toMatch(/OTHERTOKEN|SECRETTOKEN|services\/T0/);
    expect(await deliverStream(stack.services.orm, settings, later, stream.id, options)).toMatchObject({ outcome: 'caught-up', delivered: 1 });
  }, 60_000);

  it('given back as shown, edits a row stored in clear without losing the URL; a shown form is never a URL to deliver to (review F §6)', async () => {
    const { tenantId } = await stack.createTenant('Slack stream edited');
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    const settings = settingsToReceiver();
    const shown = { kind: 'WEBHOOK' as const, url: 'http://hooks.slack.com/[REDACTED]' };
    // a new stream given the shown form: nothing to deliver to, and nothing is created
    await expect(createStream(stack.services.orm, settings, tenantId, { name: 'copied', target: shown })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/is how a URL that is its own credential is shown, not one to deliver to/),
    });
    expect(await listStreams(stack.services.orm, tenantId, settings)).toEqual([]);

    const stream = await streamStoredInClear(settings, tenantId);
    // the edit dialog of a row an earlier version stored in clear sends back what it was shown
    const edited = await updateStream(stack.services.orm, settings, tenantId, { id: stream.id, name: 'renamed', target: shown });
    expect(edited.stream).toMatchObject({ name: 'renamed', target: shown });
    expect(await rowText(tenantId)).not.toContain(SECRET_PART);
    expect(await deliverStream(stack.services.orm, settings, tenantId, stream.id, options)).toMatchObject({ outcome: 'caught-up', delivered: 1 });
    expect(receiver.requests.filter((r) => r.body.includes(tenantId)).map((r) => r.path)).toEqual([SECRET_PATH]);

    // the shown form of another host is not this stream's URL: refused, the sealed URL stays
    await expect(
      updateStream(stack.services.orm, settings, tenantId, { id: stream.id, target: { kind: 'WEBHOOK', url: 'http://discord.com/[REDACTED]' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    expect(await deliverStream(stack.services.orm, settings, tenantId, stream.id, options)).toMatchObject({ outcome: 'caught-up', delivered: 1 });
    expect(receiver.requests.filter((r) => r.body.includes(tenantId)).map((r) => r.path)).toEqual([SECRET_PATH, SECRET_PATH]);
  }, 60_000);

  it("is never sealed by a CLI run without the installation's server secret: it lists redacted, and refuses to seal a new one (review F §5)", async () => {
    const { tenantId } = await stack.createTenant('Slack stream, CLI elsewhere');
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    const settings = settingsToReceiver();
    const stream = await streamStoredInClear(settings, tenantId);
    // an operator's CLI on another host (or with another DATA_DIR): the database is the installation's, the secret not
    const elsewhere = { DATA_DIR: mkdtempSync(join(tmpdir(), 'modula-cli-elsewhere-')) };
    const listed = runCli(stack, ['stream', 'list', '--tenant', tenantId], elsewhere);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain(SECRET_PART);
    expect(listed.json.items[0].target).toEqual({ kind: 'WEBHOOK', url: 'http://hooks.slack.com/[REDACTED]' });
    expect(existsSync(join(elsewhere.DATA_DIR, 'server-secret'))).toBe(false);
    // the row was left for the installation to seal: the servers still deliver to the URL
    expect(await deliverStream(stack.services.orm, settings, tenantId, stream.id, options)).toMatchObject({ outcome: 'caught-up', delivered: 1 });
    expect(receiver.requests.filter((r) => r.body.includes(tenantId)).map((r) => r.path)).toEqual([SECRET_PATH]);

    // what would be sealed there no server could open: refused, nothing created
    const created = runCli(stack, ['stream', 'create', '--tenant', tenantId, '--name', 'second', '--kind', 'webhook', '--url', HOOK_URL], elsewhere);
    expect(created.status).not.toBe(0);
    expect(created.stderr).toMatch(/no server secret here .*what this seals no server could open/);
    const added = runCli(stack, ['alert', 'webhook-add', '--tenant', tenantId, '--url', HOOK_URL], elsewhere);
    expect(added.status).not.toBe(0);
    expect(added.stderr).toMatch(/no server secret here/);
    expect(readdirSync(elsewhere.DATA_DIR)).toEqual([]);
    expect(await listStreams(stack.services.orm, tenantId)).toHaveLength(1);
    const webhooks = await queryRows(stack.databaseSuperuserUrl, 'select id from alert_webhooks where tenant_id = $1', [tenantId]);
    expect(webhooks).toEqual([]);

    // a server-secret an earlier CLI generated there is not the installation's: the database says so
    writeFileSync(join(elsewhere.DATA_DIR, 'server-secret'), randomBytes(32).toString('base64url'), { mode: 0o600 });
    const rowBefore = await rowText(tenantId);
    const stray = runCli(stack, ['stream', 'create', '--tenant', tenantId, '--name', 'second', '--kind', 'webhook', '--url', HOOK_URL], elsewhere);
    expect(stray.status).not.toBe(0);
    expect(stray.stderr).toMatch(/the server secret here \(.*server-secret\) is not the one this database is served with/);
    const strayAdd = runCli(stack, ['alert', 'webhook-add', '--tenant', tenantId, '--url', HOOK_URL], elsewhere);
    expect(strayAdd.stderr).toMatch(/is not the one this database is served with/);
    const strayList = runCli(stack, ['stream', 'list', '--tenant', tenantId], elsewhere);
    expect(strayList.status, strayList.stderr).toBe(0);
    expect(strayList.json.items.map((s: { target: unknown }) => s.target)).toEqual([{ kind: 'WEBHOOK', url: 'http://hooks.slack.com/[REDACTED]' }]);
    expect(runCli(stack, ['alert', 'webhooks', '--tenant', tenantId], elsewhere).status).toBe(0);
    // nothing was sealed under it: one stream, left as it was, and no webhook
    expect(await listStreams(stack.services.orm, tenantId)).toHaveLength(1);
    expect(await rowText(tenantId)).toBe(rowBefore);
    expect(await queryRows(stack.databaseSuperuserUrl, 'select id from alert_webhooks where tenant_id = $1', [tenantId])).toEqual([]);

    // the installation's own CLI (its DATA_DIR) seals the row in place, as the servers would
    const here = runCli(stack, ['stream', 'list', '--tenant', tenantId]);
    expect(here.status, here.stderr).toBe(0);
    expect(await rowText(tenantId)).not.toContain(SECRET_PART);
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    expect(await deliverStream(stack.services.orm, settings, tenantId, stream.id, options)).toMatchObject({ outcome: 'caught-up', delivered: 1 });
    expect(receiver.requests.filter((r) => r.body.includes(tenantId)).map((r) => r.path)).toEqual([SECRET_PATH, SECRET_PATH]);
  }, 90_000);
});
