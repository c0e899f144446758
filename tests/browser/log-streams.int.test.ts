import { startStreamWorker, type TStreamWorker } from '@modula/worker';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startReceiver, verifyWebhookSignature, type TReceiver } from '../../testing/receivers.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, screenshot, seriousAxeViolations } from './browser.ts';

/** Longer than the screen's 10 s refresh: what the worker changes shows without a reload. */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 500 });

const PAUSE_AFTER = 3;
/** As tests/streams/log-streams: the receiver is on 127.0.0.1 over http, which only a test installation allows. */
const STREAM_ENV = {
  ...VIEWER_ENV,
  STREAM_ALLOW_HTTP: 'true',
  STREAM_ALLOW_PRIVATE_ADDRESSES: 'true',
  STREAM_POLL_MS: '200',
  STREAM_BACKOFF_MS: '100',
  STREAM_BACKOFF_MAX_MS: '400',
  STREAM_PAUSE_AFTER_FAILURES: String(PAUSE_AFTER),
  STREAM_TIMEOUT_MS: '2000',
};

/**
 * Issue 16, item 4 (log streams) in a real Chromium, delivered by the real stream worker to a real
 * receiver: an Admin creates a webhook stream on the "Log streams" screen (a refused URL is said in
 * the dialog; the signing secret is shown once and signs the deliveries), watches it catch up
 * ("0 events behind", a last delivery) without reloading, sees a receiver outage as a last error
 * and a pause after 3 failures, resumes, pauses and resumes it, sends a test (delivered, then
 * failed), and deletes it after a confirmation; edits a stream's name and URL in a dialog (in the
 * log as STREAM_UPDATED), where a Splunk stream moved to another host without its token is refused
 * and stays as it was. Each change is in the log; axe-core finds no serious violation on the screen
 * or in its dialogs.
 */
describe('the log streams screen', () => {
  let stack: TestStack;
  let browser: Browser;
  let worker: TStreamWorker;
  let hook: TReceiver;
  let tenantId: string;
  let cookie: string;
  let failing = false;

  beforeAll(async () => {
    await buildWebIfStale();
    hook = await startReceiver(() => (failing ? { status: 500, body: '{"error":"receiver down"}' } : { status: 204 }));
    stack = await startStack({ env: STREAM_ENV });
    worker = await startStreamWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
    ({ tenantId } = await stack.createTenant('Harbour Coffee Co.'));
    ({ cookie } = await signedInAdmin(stack, tenantId));
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await stack?.close();
    await hook?.close();
  });

  /** The seqs the receiver accepted. */
  const deliveredSeqs = () =>
    hook.requests.filter((r) => r.status === 204).flatMap((r) => (JSON.parse(r.body) as { events: { seq: number }[] }).events.map((e) => e.seq));
  const noSeriousViolations = async (page: Page) => expect(await seriousAxeViolations(page)).toEqual([]);

  /** The signed-in Admin's "Log streams" screen, reached from the header's "Connections" menu, in a fresh profile. */
  const openLogStreams = async () => {
    // bypassCSP: axe-core is injected as an inline script, which the viewer's policy refuses
    const context = await browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1440, height: 900 },
      locale: 'en-GB',
      timezoneId: 'UTC',
      bypassCSP: true,
    });
    context.setDefaultTimeout(10_000);
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.baseUrl }]);
    const page = await context.newPage();
    await page.goto('/');
    // the header groups the machine-facing screens under one menu
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Connections' }).click();
    await page.getByRole('menuitem', { name: 'Log streams' }).click();
    await page.waitForURL('**/log-streams');
    return { context, page };
  };

  it('creates a webhook stream, shows it keeping up, failing, paused and resumed, tests it and deletes it', async () => {
    const { context, page } = await openLogStreams();
    await page.getByText('No log streams yet').waitFor();
    await noSeriousViolations(page);

    // the dialog: a URL the contract refuses is said in words, in the dialog
    await page.getByRole('button', { name: 'New log stream' }).click();
    const form = page.getByRole('dialog', { name: 'New log stream' });
    await form.getByLabel(/^Name/).fill('SIEM webhook');
    await expect(form.getByRole('radio', { name: 'Webhook' }).isChecked()).resolves.toBe(true);
    await form.getByLabel(/^Webhook URL/).fill('ftp://siem.example.com/audit');
    await form.getByRole('button', { name: 'Create stream' }).click();
    const refusal = form.getByTestId('stream-create-error');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/The stream was not created\s+URL: must be an https:\/\/ URL/);
    // each kind asks for its own fields, as ZStreamCreateInput takes them
    await form.getByRole('radio', { name: 'Amazon S3' }).check();
    for (const field of [/^Endpoint/, /^Bucket/, /^Region/, /^Key prefix/, /^Access key ID/, /^Secret access key/]) await form.getByLabel(field).waitFor();
    await noSeriousViolations(page);
    await form.getByRole('radio', { name: 'Splunk HEC' }).check();
    for (const field of [/^HEC URL/, /^HEC token/, /^Index/]) await form.getByLabel(field).waitFor();
    await form.getByRole('radio', { name: 'Datadog' }).check();
    await expect(form.getByLabel(/^Logs intake URL/).inputValue()).resolves.toBe('https://http-intake.logs.datadoghq.com');
    await form.getByLabel(/^API key/).waitFor();
    await form.getByRole('radio', { name: 'Webhook' }).check();
    await form.getByLabel(/^Webhook URL/).fill(`${hook.url}/audit`);
    const created = page.waitForResponse((r) => r.url().includes('/trpc/streams.create'));
    await form.getByRole('button', { name: 'Create stream' }).click();
    expect((await created).status()).toBe(200);

    // the signing secret, this once, with a copy button
    const shown = page.getByRole('dialog', { name: 'Your webhook’s signing secret' });
    const secret = (await shown.getByTestId('new-signing-secret').innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    await expect(shown.getByRole('button', { name: 'Copy the signing secret' }).isVisible()).resolves.toBe(true);
    await expect(shown.getByText('This is the only time the signing secret is shown').isVisible()).resolves.toBe(true);
    await noSeriousViolations(page);
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });

    const row = page.getByTestId('log-streams').getByRole('row', { name: /SIEM webhook/ });
    const cell = (id: string) => row.getByTestId(id).innerText();
    await row.waitFor();
    // its path may be its credential: listed by its host alone
    expect((await row.innerText()).replace(/\s+/g, ' ')).toContain(`SIEM webhook Webhook ${hook.url}/[REDACTED]`);
    expect(await page.content()).not.toContain(`${hook.url}/audit`);
    expect((await cell('stream-state')).toLowerCase()).toBe('active');
    // shown once: neither the list nor a reload brings it back
    expect(await page.content()).not.toContain(secret.slice(6));
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(secret.slice(6));

    // it keeps up: the screen, left open, reads the list again by itself and shows the lag gone
    const stored = await ingestStored(
      stack,
      tenantId,
      Array.from({ length: 25 }, () => makeEvent(tenantId)),
    );
    const head = Math.max(...stored.map((s) => s.seq ?? 0));
    await eventually(async () => (deliveredSeqs().includes(head) ? true : undefined), 30_000);
    await page.waitForResponse((r) => r.url().includes('/trpc/streams.list'), { timeout: 15_000 });
    await poll(() => cell('stream-lag')).toBe('0 events behind');
    expect(await cell('stream-last-delivery')).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2}$/);
    expect(await cell('stream-failures')).toBe('0');
    // the secret shown is the one that signs the deliveries
    const now = Math.floor(Date.now() / 1000);
    expect(hook.requests.every((r) => verifyWebhookSignature(secret, r.headers['modula-signature'] as string, r.body, now))).toBe(true);
    await noSeriousViolations(page);

    // the receiver fails: its error is shown, then the stream pauses itself
    failing = true;
    const outage = Array.from({ length: 5 }, () => makeEvent(tenantId));
    await ingestStored(stack, tenantId, outage);
    await poll(async () => (await cell('stream-state')).toLowerCase()).toBe(`paused after ${PAUSE_AFTER} failed deliveries`);
    const error = await cell('stream-last-error');
    expect(error).toContain('answered 500: {"error":"receiver down"}');
    expect(error).toMatch(/at \d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2}/);
    expect(await cell('stream-failures')).toBe(String(PAUSE_AFTER));
    expect(await cell('stream-lag')).toMatch(/^\d+ events? · \d+ (s|min) behind$/);

    // resumed once the receiver is back, it catches up from where it stopped
    failing = false;
    const resumed = page.waitForResponse((r) => r.url().includes('/trpc/streams.resume'));
    await row.getByRole('button', { name: 'Resume SIEM webhook' }).click();
    expect((await resumed).status()).toBe(200);
    await poll(async () => (await cell('stream-state')).toLowerCase()).toBe('active');
    await poll(() => cell('stream-lag')).toBe('0 events behind');
    expect(await cell('stream-failures')).toBe('0');
    const after = await stack.caller.ingest.status({ tenantId, eventIds: [outage.at(-1)!.eventId] });
    expect(deliveredSeqs()).toContain(after.statuses[0]!.seq);
    // the last error stays in view after the recovery, with its time
    expect(await cell('stream-last-error')).toContain('answered 500');
    await screenshot(page, 'log-streams');

    // paused and resumed by the Admin
    await row.getByRole('button', { name: 'Pause SIEM webhook' }).click();
    await poll(async () => (await cell('stream-state')).toLowerCase()).toBe('paused by an admin');
    await row.getByRole('button', { name: 'Resume SIEM webhook' }).click();
    await poll(async () => (await cell('stream-state')).toLowerCase()).toBe('active');

    // a test delivery: what the receiver answered, delivered or not
    const testResult = row.getByTestId('stream-test-result');
    await row.getByRole('button', { name: 'Send test to SIEM webhook' }).click();
    await poll(() => testResult.innerText()).toMatch(/^Test delivered \(HTTP 204, \d+ ms\)$/);
    expect(JSON.parse(hook.requests.at(-1)!.body)).toMatchObject({ test: true, events: [] });
    failing = true;
    await row.getByRole('button', { name: 'Send test to SIEM webhook' }).click();
    await poll(() => testResult.innerText()).toContain('Test failed: HTTP 500 — ');
    failing = false;
    expect(await testResult.innerText()).toContain('answered 500');

    // deleted after a confirmation; cancelling keeps it
    await row.getByRole('button', { name: 'Delete SIEM webhook' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this log stream?' });
    await confirm.getByText('“SIEM webhook” stops receiving the log at once').waitFor();
    await noSeriousViolations(page);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: 'Delete SIEM webhook' }).click();
    const deleted = page.waitForResponse((r) => r.url().includes('/trpc/streams.delete'));
    await confirm.getByRole('button', { name: 'Delete stream' }).click();
    expect((await deleted).status()).toBe(200);
    await confirm.waitFor({ state: 'hidden' });
    await page.getByText('No log streams yet').waitFor();

    // each change is in the log: the Admin's, and the pause the stream made itself
    const actions = ['STREAM_CREATED', 'STREAM_PAUSED_BY_FAILURES', 'STREAM_RESUMED', 'STREAM_PAUSED', 'STREAM_DELETED'];
    const changes = await eventually(async () => {
      const r = await trpc(stack, 'query', 'events.list', { actions }, { cookie });
      return r.data.items.length === 6 ? r.data.items : undefined;
    });
    expect(changes.map((e: { description: string }) => e.description).reverse()).toEqual([
      'Ada Admin created the log stream SIEM webhook',
      'The log stream SIEM webhook paused itself after repeated failed deliveries',
      'Ada Admin resumed the log stream SIEM webhook',
      'Ada Admin paused the log stream SIEM webhook',
      'Ada Admin resumed the log stream SIEM webhook',
      'Ada Admin deleted the log stream SIEM webhook',
    ]);
    await context.close();
  }, 240_000);

  it('edits a stream’s name and target in a dialog (recorded as STREAM_UPDATED); a Splunk stream moved to another host without its token is refused and stays as it was, and so is an edit from a version another Admin changed since', async () => {
    const api = (kind: 'query' | 'mutation', path: string, input?: unknown) => trpc(stack, kind, path, input, { cookie });
    const webhook = await api('mutation', 'streams.create', { name: 'Ops webhook', target: { kind: 'WEBHOOK', url: `${hook.url}/ops` } });
    const splunk = await api('mutation', 'streams.create', {
      name: 'Splunk HEC',
      target: { kind: 'SPLUNK', url: hook.url, index: 'audit' },
      secret: 'hec-token-0001',
    });
    expect([webhook.status, splunk.status]).toEqual([200, 200]);
    const webhookId: string = webhook.data.stream.id;
    const splunkId: string = splunk.data.stream.id;
    // kept off the worker: only its settings matter here
    expect((await api('mutation', 'streams.pause', { id: splunkId })).status).toBe(200);

    const { context, page } = await openLogStreams();
    const rowOf = (id: string) => page.getByTestId('log-streams').locator(`tr[data-stream-id="${id}"]`);
    const webhookRow = rowOf(webhookId);
    await webhookRow.waitFor();

    // the dialog starts from the stream's settings; the kind is shown, not chosen; the name has the focus
    await webhookRow.getByRole('button', { name: 'Edit Ops webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit log stream' });
    const nameField = dialog.getByLabel(/^Name/);
    await expect(nameField.inputValue()).resolves.toBe('Ops webhook');
    // its path may be its credential: shown by its host alone, and the field says how to keep or replace it
    const shown = `${hook.url}/[REDACTED]`;
    await expect(dialog.getByLabel(/^Webhook URL/).inputValue()).resolves.toBe(shown);
    await dialog.getByText('The rest of this URL is kept sealed: leave it as it is to keep it, or type the whole new URL').waitFor();
    const kind = dialog.getByLabel(/^Kind/);
    await expect(kind.inputValue()).resolves.toBe('Webhook');
    await expect(kind.getAttribute('readonly')).resolves.not.toBeNull();
    expect(await dialog.getByRole('radio').count()).toBe(0);
    await poll(() => nameField.evaluate((el) => el === document.activeElement)).toBe(true);
    await noSeriousViolations(page);

    // typed and sent from the keyboard (Enter submits)
    await nameField.fill('Ops webhook (EU)');
    await dialog.getByLabel(/^Webhook URL/).fill(`${hook.url}/ops-eu`);
    const updated = page.waitForResponse((r) => r.url().includes('/trpc/streams.update'));
    await dialog.getByLabel(/^Webhook URL/).press('Enter');
    expect((await updated).status()).toBe(200);
    await dialog.waitFor({ state: 'hidden' });
    await poll(async () => (await webhookRow.innerText()).replace(/\s+/g, ' ')).toContain(`Ops webhook (EU) Webhook ${shown}`);

    // the log holds the change: who, which stream, before and after, that the credential stayed and the URL did not
    const updates = await eventually(async () => {
      const r = await api('query', 'events.list', { actions: ['STREAM_UPDATED'] });
      return r.data.items.length > 0 ? r.data.items : undefined;
    });
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      action: 'STREAM_UPDATED',
      description: 'Ada Admin changed the log stream Ops webhook (EU)',
      entity: { type: 'LOG_STREAM', id: webhookId, label: 'Ops webhook (EU)' },
      before: { name: 'Ops webhook', target: { kind: 'WEBHOOK', url: shown } },
      after: { name: 'Ops webhook (EU)', target: { kind: 'WEBHOOK', url: shown } },
      metadata: { credentialChanged: false, urlChanged: true },
    });

    // Splunk's token travels to the HEC host: moved elsewhere without it, the service refuses
    const splunkRow = rowOf(splunkId);
    await splunkRow.getByRole('button', { name: 'Edit Splunk HEC' }).click();
    await expect(dialog.getByLabel(/^HEC token/).inputValue()).resolves.toBe('');
    await dialog.getByText('Leave blank to keep the current one').waitFor();
    await dialog.getByLabel(/^HEC URL/).fill('https://collector.example.net:8088');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    const refusal = dialog.getByTestId('stream-edit-error');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/The changes were not saved\s+the stream's credential is sent to its host: give it again \(secret\)/);
    // nothing typed is lost, and the dialog stays open to fix it
    await expect(dialog.getByLabel(/^HEC URL/).inputValue()).resolves.toBe('https://collector.example.net:8088');
    await expect(dialog.getByLabel(/^Index/).inputValue()).resolves.toBe('audit');
    await expect(dialog.getByLabel(/^Name/).inputValue()).resolves.toBe('Splunk HEC');
    await noSeriousViolations(page);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    // unchanged: on the screen, in the service, and no change in the log
    expect((await splunkRow.innerText()).replace(/\s+/g, ' ')).toContain(`Splunk HEC Splunk HEC ${hook.url} · index audit`);
    const listed = (await api('query', 'streams.list')).data.items.find((s: { id: string }) => s.id === splunkId);
    expect(listed).toMatchObject({ name: 'Splunk HEC', target: { kind: 'SPLUNK', url: hook.url, index: 'audit' } });
    // a later change as a marker: once it is stored, whatever was recorded before it is too (rule 0)
    expect((await api('mutation', 'streams.pause', { id: webhookId })).status).toBe(200);
    await eventually(async () => ((await api('query', 'events.list', { actions: ['STREAM_PAUSED'] })).data.items.length > 0 ? true : undefined));
    const after = (await api('query', 'events.list', { actions: ['STREAM_UPDATED'] })).data.items;
    expect(after.map((e: { entity: { id: string } }) => e.entity.id)).toEqual([webhookId]);

    // another Admin renames the webhook while this one's dialog is open: saving is refused, theirs stays
    await webhookRow.getByRole('button', { name: 'Edit Ops webhook (EU)' }).click();
    await expect(dialog.getByLabel(/^Name/).inputValue()).resolves.toBe('Ops webhook (EU)');
    expect((await api('mutation', 'streams.update', { id: webhookId, name: 'Ops webhook (theirs)' })).status).toBe(200);
    await dialog.getByLabel(/^Name/).fill('Ops webhook (mine)');
    const stale = page.waitForResponse((r) => r.url().includes('/trpc/streams.update'));
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    expect((await stale).status()).toBe(412);
    expect(await dialog.getByTestId('stream-edit-error').innerText()).toMatch(
      /The changes were not saved\s+Someone changed this log stream after you opened it\. Close this dialog and open it again/,
    );
    await expect(dialog.getByLabel(/^Name/).inputValue()).resolves.toBe('Ops webhook (mine)');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    const theirs = (await api('query', 'streams.list')).data.items.find((s: { id: string }) => s.id === webhookId);
    expect(theirs).toMatchObject({ name: 'Ops webhook (theirs)' });
    await context.close();
  }, 240_000);
});
