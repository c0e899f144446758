import { startExportWorker, type TExportWorker } from '@modula/worker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiEvents } from '../../testing/ai-seed.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signInFirstTime, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, previousStepCode, screenshot } from './browser.ts';
import { AxeReport } from './axe.ts';
import { seedViewerLog } from './viewer-seed.ts';

const WIDTHS = {
  desktop: { viewport: { width: 1440, height: 900 }, isMobile: false },
  '390 px': { viewport: { width: 390, height: 844 }, isMobile: true },
} as const;
type TWidth = keyof typeof WIDTHS;

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 10_000 });

/**
 * Issue 13, item 9: axe-core (WCAG 2.0/2.1 A and AA rules) finds no serious or critical violation
 * on any screen of the viewer, at desktop width and at 390 px: sign-in, two-factor enrolment and
 * the recovery codes, the TOTP prompt, the log, an entry, the export dialog and its ready state,
 * suspicious sign-ins, device gaps, AI actions, log streams and the new stream dialog, the chain
 * badge's details, the password change, saving a view, and the no-access screen. The enrolment shows the whole setup key, the one in the
 * otpauth URL, on screen and in the clipboard.
 */
describe('accessibility of every screen', () => {
  let stack: TestStack;
  let browser: Browser;
  let tenantId: string;
  let exportWorker: TExportWorker;
  let dataDir: string;
  const report = new AxeReport();

  beforeAll(async () => {
    await buildWebIfStale();
    dataDir = mkdtempSync(join(tmpdir(), 'modula-a11y-'));
    stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir } });
    exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
    ({ tenantId } = await stack.createTenant('Harbour Coffee Co.'));
    await seedViewerLog(stack, tenantId);
    await ingestStored(stack, tenantId, aiEvents(tenantId));
    browser = await launchChromium();
  });

  afterAll(async () => {
    const failures = report.failures();
    console.log(
      `axe-core, serious and critical rules failed per screen:\n${report.table(Object.keys(WIDTHS))}${failures.length ? `\n${failures.join('\n')}` : ''}`,
    );
    await browser?.close();
    await exportWorker?.close();
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function openContext(width: TWidth): Promise<BrowserContext> {
    const { viewport, isMobile } = WIDTHS[width];
    const context = await browser.newContext({
      baseURL: stack.baseUrl,
      viewport,
      isMobile,
      hasTouch: isMobile,
      // axe-core is injected as a script: the viewer's CSP (script-src 'self') would refuse it
      bypassCSP: true,
      locale: 'en-GB',
      timezoneId: 'UTC',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    context.setDefaultTimeout(10_000);
    return context;
  }

  /** The header's menu at 390 px holds the screens, the badge and the account; on a desktop they are in the header. */
  async function openMenu(page: Page, width: TWidth) {
    if (width === 'desktop') return;
    await page.getByRole('button', { name: 'Open the menu' }).click();
  }

  /** The enrolment's setup key: all of it visible (not cut or scrolled away), equal to the otpauth URL's secret and to what "Copy key" copies. */
  async function expectWholeSetupKey(page: Page, secret: string) {
    const key = page.getByTestId('totp-secret');
    await expect(key.innerText().then((t) => t.replace(/\s+/g, ''))).resolves.toBe(secret);
    const fits = await key.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { overflow: el.scrollWidth - el.clientWidth, left: r.left, right: r.right, viewport: window.innerWidth };
    });
    expect(fits.overflow).toBeLessThanOrEqual(0);
    expect(fits.left).toBeGreaterThanOrEqual(0);
    expect(fits.right).toBeLessThanOrEqual(fits.viewport);
    await page.getByRole('button', { name: 'Copy key' }).click();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(secret);
  }

  async function walk(width: TWidth) {
    const context = await openContext(width);
    const page = await context.newPage();
    const check = (screen: string) => report.check(page, screen, width);
    const adminName = `Ada Admin ${width}`;
    const admin = await makeUser(stack, tenantId, 'ADMIN', adminName);

    await page.goto('/sign-in');
    await page.getByLabel('Email').waitFor();
    await check('sign-in');

    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    const answered = page.waitForResponse((r) => r.url().includes('/trpc/auth.login'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const body = (await (await answered).json()) as unknown;
    const login = (Array.isArray(body) ? body[0] : body) as { result: { data: { otpauthUrl: string } } };
    const secret = new URL(login.result.data.otpauthUrl).searchParams.get('secret')!;
    await page.getByTestId('totp-secret').waitFor();
    await poll(() => page.getByRole('img', { name: /QR code/ }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await expectWholeSetupKey(page, secret);
    if (width === '390 px') await screenshot(page, 'phone-totp-enrolment');
    await check('two-factor enrolment');

    await page.getByLabel('6-digit code').fill(await previousStepCode(secret));
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    await check('recovery codes');
    await page.getByLabel('I have stored my recovery codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await poll(() => page.getByTestId('log-row').count()).toBeGreaterThan(10);
    await check('log');

    await page.getByRole('link', { name: 'Ben Brook updated menu item Espresso', exact: true }).click();
    await page.getByRole('dialog').getByTestId('entry-diff').waitFor();
    await check('entry drawer');
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => !url.searchParams.has('event'));

    await page.getByRole('button', { name: 'Views' }).click();
    await page.getByRole('menuitem', { name: 'Save the current view…' }).waitFor();
    await check('views menu');
    await page.getByRole('menuitem', { name: 'Save the current view…' }).click();
    await page.getByRole('menu').waitFor({ state: 'hidden' });
    await page.getByRole('dialog', { name: 'Save the current view' }).waitFor();
    await check('save a view');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Export…' }).click();
    const exportDialog = page.getByRole('dialog', { name: 'Export a signed pack' });
    await exportDialog.getByRole('button', { name: 'Create export' }).waitFor();
    await check('export dialog');
    await exportDialog.getByRole('button', { name: 'Create export' }).click();
    await exportDialog.getByTestId('export-ready').waitFor({ timeout: 30_000 });
    await check('export ready');
    await exportDialog.getByRole('button', { name: 'Close', exact: true }).click();
    await exportDialog.waitFor({ state: 'hidden' });

    await page.goto('/suspicious-sign-ins');
    await page.getByTestId('failed-logins').waitFor();
    await check('suspicious sign-ins');

    await page.goto('/device-gaps');
    await page.getByTestId('device-gaps').waitFor();
    await check('device gaps');

    await page.goto('/ai-actions');
    await poll(() => page.getByTestId('ai-action').count()).toBeGreaterThan(0);
    await check('AI actions');

    await page.goto('/log-streams');
    await page.getByText('No log streams yet').waitFor();
    await check('log streams');
    await page.getByRole('button', { name: 'New log stream' }).click();
    await page
      .getByRole('dialog', { name: 'New log stream' })
      .getByLabel(/^Webhook URL/)
      .waitFor();
    await check('new log stream');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    await openMenu(page, width);
    if (width === '390 px') await check('menu (390 px)');
    await page.getByTestId('integrity-badge').click();
    await page.getByRole('button', { name: 'Check again' }).waitFor();
    await check('badge details');
    await page.getByTestId('integrity-badge').click();
    await page.getByRole('button', { name: 'Check again' }).waitFor({ state: 'hidden' });

    if (width === 'desktop') {
      await page.getByRole('button', { name: adminName, exact: true }).click();
      await page.getByRole('menuitem', { name: 'Change password…' }).click();
      await page.getByRole('menu').waitFor({ state: 'hidden' });
    } else {
      if (!(await page.getByRole('button', { name: 'Change password…' }).isVisible())) await openMenu(page, width);
      await page.getByRole('button', { name: 'Change password…' }).click();
    }
    await page.getByRole('dialog', { name: 'Change your password' }).waitFor();
    await check('password change');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Change your password' }).waitFor({ state: 'hidden' });

    // a later sign-in: the authenticator's code
    await context.clearCookies();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('6-digit code').waitFor();
    await check('TOTP prompt');
    await context.close();

    // a Manager is refused with the no-access screen
    const manager = await makeUser(stack, tenantId, 'MANAGER', `Ben Manager ${width}`);
    const { cookie } = await signInFirstTime(stack, manager.email);
    const managerContext = await openContext(width);
    const [name, value] = cookie.split('=') as [string, string];
    await managerContext.addCookies([{ name, value, url: stack.baseUrl }]);
    const managerPage = await managerContext.newPage();
    await managerPage.goto('/');
    await managerPage.getByRole('heading', { name: 'No access to the audit log' }).waitFor();
    await report.check(managerPage, 'no access', width);
    await managerContext.close();
  }

  // one walk signs in twice and visits every screen: on a loaded 2-core machine that is more than a minute
  it.each(Object.keys(WIDTHS) as TWidth[])(
    'finds no serious or critical violation on any screen at %s',
    async (width) => {
      await walk(width);
      const failures = report.failures().filter((line) => line.includes(`@ ${width}:`));
      expect(failures, failures.join('\n')).toEqual([]);
    },
    240_000,
  );
});
