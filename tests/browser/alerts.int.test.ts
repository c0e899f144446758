import { startAlertWorker, type TAlertWorker } from '@modula/worker';
import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failedSignIns, startSmtp } from '../../testing/alerts.ts';
import { connect } from '../../testing/database.ts';
import { eventually } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, screenshot, seriousAxeViolations } from './browser.ts';

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 15_000 });

/**
 * Issue 16, item 4 (alerts) in a real Chromium: the Admin's Alerts screen lists the alert the
 * worker raised (rule, subject, count, window, delivery state), links to the triggering events in
 * the log, and edits a rule's threshold — a change the service records in the log.
 */
describe('the Alerts screen', () => {
  let stack: TestStack;
  let browser: Browser;
  let worker: TAlertWorker;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let tenantId: string;
  let admin: Awaited<ReturnType<typeof signedInAdmin>>;

  beforeAll(async () => {
    await buildWebIfStale();
    smtp = await startSmtp();
    stack = await startStack({ env: VIEWER_ENV });
    worker = await startAlertWorker({ ...stack.config, SMTP_URL: smtp.url }, stack.services.orm, pino({ level: 'silent' }));
    ({ tenantId } = await stack.createTenant('Harbour Coffee Co.'));
    admin = await signedInAdmin(stack, tenantId);
    await ingestStored(stack, tenantId, failedSignIns(tenantId, 7, { account: 'cashier-ana', name: 'Ana Cashier', ip: '203.0.113.9' }));
    await eventually(async () => smtp.received.find((m) => m.rcptTo.includes(admin.email.toLowerCase())), 20_000);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await stack?.close();
    await smtp?.close();
  });

  it('shows the alert with its delivery, links to the events that triggered it, and saves a changed threshold', async () => {
    // axe is injected as a script tag: the viewer's CSP would refuse it, so this profile bypasses it
    const context = await browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1440, height: 900 },
      locale: 'en-GB',
      timezoneId: 'UTC',
      bypassCSP: true,
    });
    context.setDefaultTimeout(10_000);
    const [name, value] = admin.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.baseUrl }]);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('link', { name: 'Alerts' }).first().click();
    await page.waitForURL('**/alerts');
    const row = page.getByTestId('alerts').locator('tr[data-rule="LOGIN_FAILURES_ACCOUNT"]');
    await poll(() => row.count()).toBe(1);
    const text = await row.innerText();
    expect(text).toContain('Failed sign-ins of one account');
    expect(text).toContain('Ana Cashier');
    // raised by the 6th failure (stored in seq order with the 7th): the count when it triggered
    expect(text).toMatch(/\b6\b/);
    expect(text).toContain('more than 5');
    expect(text).toContain('60 minutes');
    expect(text).toMatch(/Sent\s*Mail: /i);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'alerts');

    const rule = page.getByTestId('alert-rules').locator('tr[data-rule="LOGIN_FAILURES_ACCOUNT"]');
    await rule.getByLabel('Failed sign-ins of one account: more than').fill('3');
    const saved = page.waitForResponse((r) => r.url().includes('/trpc/alerts.rules.update'));
    await rule.getByRole('button', { name: 'Save' }).click();
    expect((await saved).status()).toBe(200);
    await poll(() => rule.innerText()).toContain('Changed');
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const logged = await eventually(async () => {
        const { rows } = await db.query(`select before, after from audit_events where tenant_id = $1 and action = 'ALERT_RULE_UPDATED'`, [tenantId]);
        return rows[0] as { before: { threshold: number }; after: { threshold: number } } | undefined;
      });
      expect([logged.before.threshold, logged.after.threshold]).toEqual([5, 3]);
    } finally {
      await db.end();
    }

    await row.getByTestId('alert-events').click();
    await page.waitForURL(
      (url) => url.pathname === '/' && url.searchParams.get('actor') === 'cashier-ana' && url.searchParams.get('action') === 'LOGIN_FAILED',
    );
    await poll(() => page.getByTestId('log-row').count()).toBe(7);
    await context.close();
  });
});
