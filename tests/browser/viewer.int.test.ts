import { totpCodeAt } from '@modula/domain';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { collectLogRows, launchChromium, newViewerContext, previousStepCode, screenshot } from './browser.ts';
import { seedViewerLog, SESSION, SUSPECT, type TViewerSeed } from './viewer-seed.ts';

/**
 * The viewer in a real headless Chromium against the real system (PostgreSQL, Redis, server,
 * worker): an Admin's first sign-in with TOTP enrolment, filters in the URL, the entry drawer,
 * a session link, suspicious sign-ins, and a Manager refused. Screenshots go to docs/screenshots.
 */
describe('the viewer in a browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seed: TViewerSeed;
  let admin: { email: string; secret?: string };
  let tenantId: string;
  let exportWorker: TExportWorker;
  let dataDir: string | undefined;

  beforeAll(async () => {
    // the server serves web/dist if it exists when it starts: build it first
    await buildWebIfStale();
    // exports are signed with a key kept in DATA_DIR: a throwaway one, never the repository's .data
    dataDir = mkdtempSync(join(tmpdir(), 'modula-viewer-'));
    stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir } });
    exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
    ({ tenantId } = await stack.createTenant('Harbour Coffee Co.'));
    seed = await seedViewerLog(stack, tenantId);
    admin = await makeUser(stack, tenantId, 'ADMIN', 'Ada Admin');
    browser = await launchChromium();
    context = await newViewerContext(browser, stack.baseUrl);
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 500 || (res.status() === 404 && !res.url().includes('/trpc/'))) pageErrors.push(`${res.status()} ${res.url()}`);
    });
  });

  const pageErrors: string[] = [];
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    // what the browser showed when a step failed, for whoever reads the failure
    const file = join(tmpdir(), `viewer-failure-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.error(`browser screenshot: ${file}; page errors: ${JSON.stringify(pageErrors)}`);
  });

  afterAll(async () => {
    await browser?.close();
    await exportWorker?.close();
    await stack?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const rows = () => page.getByTestId('log-row');
  /** Waits for what the page shows to settle (vitest's own default waits only one second). */
  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

  async function pickOption(label: string, option: string) {
    await page.getByRole('combobox', { name: label, exact: true }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
    await page.keyboard.press('Escape');
  }

  it('sends a visitor to sign-in, then enrols TOTP on the first sign-in and shows the log', async () => {
    await page.goto('/');
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await screenshot(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();

    const secretText = page.getByTestId('totp-secret');
    await secretText.waitFor();
    await poll(() => page.getByRole('img', { name: /QR code/ }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    admin.secret = (await secretText.innerText()).replace(/\s+/g, '');
    expect(admin.secret).toMatch(/^[A-Z2-7]{16,}$/);
    await screenshot(page, 'totp-enrolment');

    // the previous time-step's code: the current one stays free for the next sign-in
    await page.getByLabel('6-digit code').fill(await previousStepCode(admin.secret));
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();

    // the one-time recovery codes, shown this once: Continue waits until they are said to be stored
    const codes = page.getByTestId('recovery-codes');
    await codes.waitFor();
    expect((await codes.innerText()).split(/\s+/).filter((c) => /^[0-9a-z]{5}-[0-9a-z]{5}$/.test(c))).toHaveLength(10);
    await expect(page.getByRole('button', { name: 'Continue' }).isDisabled()).resolves.toBe(true);
    await page.getByLabel('I have stored my recovery codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await poll(() => rows().count()).toBeGreaterThan(30);
    await poll(() => page.getByTestId('integrity-badge').innerText()).toMatch(/^Chain verified · \d+ events · checked at \d\d:\d\d$/);
    // newest first: the viewer's own sign-in leads the log
    await poll(() => rows().first().innerText()).toMatch(/enabled two-factor authentication|signed in/);
    await expect(
      rows()
        .filter({ hasText: /synced \d days late/ })
        .count(),
    ).resolves.toBeGreaterThan(0);
    await expect(rows().filter({ hasText: 'Harbour Street' }).count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'log');
  });

  it('filters by outcome and a date preset through the URL, and Back undoes a filter', async () => {
    const all = await rows().count();
    await page.getByText('Today', { exact: true }).click();
    await page.waitForURL(/range=today/);
    await pickOption('Outcome', 'Rejected');
    await page.waitForURL(/outcome=REJECTED/);
    await poll(() => rows().count()).toBe(seed.todayRejected);
    for (const text of await rows().allInnerTexts()) expect(text).toContain('Rejected');
    await expect(rows().filter({ hasText: 'Permission denied' }).count()).resolves.toBe(1);
    await expect(rows().filter({ hasText: 'Branch frozen' }).count()).resolves.toBe(1);

    // the same URL in a new tab shows the same view
    const shared = await context.newPage();
    await shared.goto(page.url());
    await poll(() => shared.getByTestId('log-row').count()).toBe(seed.todayRejected);
    await shared.close();

    await page.goBack();
    await page.waitForURL((url) => !url.search.includes('outcome='));
    await poll(() => rows().count()).toBeGreaterThan(seed.todayRejected);
    await page.goBack();
    await page.waitForURL((url) => url.search === '');
    await poll(() => rows().count()).toBe(all);

    // a custom range of one day holds what Today holds
    await page.goto('/?range=today');
    await poll(() => rows().count()).toBeGreaterThan(0);
    const today = await rows().count();
    const day = new Date().toISOString().slice(0, 10);
    await page.goto(`/?range=custom&from=${day}&to=${day}`);
    await expect(page.getByRole('button', { name: 'Custom date range' }).innerText()).resolves.toMatch(/\d{1,2} \w{3} \d{4} – \d{1,2} \w{3} \d{4}/);
    await poll(() => rows().count()).toBe(today);
  });

  it('opens an entry with its field-level diff, redactions and chain position', async () => {
    await page.getByRole('link', { name: 'Ben Brook updated menu item Espresso', exact: true }).click();
    await page.waitForURL(/event=/);
    const drawer = page.getByRole('dialog');
    const diff = drawer.getByTestId('entry-diff');
    await diff.waitFor();
    const change = (path: string) => diff.getByRole('row').filter({ has: page.getByText(path, { exact: true }) });
    await expect(change('price').innerText()).resolves.toMatch(/changed\s+2.5\s+2.8/i);
    await expect(change('tax.rate').innerText()).resolves.toMatch(/changed\s+0.07\s+0.19/i);
    await expect(change('modifiers[1]').innerText()).resolves.toMatch(/added[\s\S]*oat milk/i);
    await expect(change('kitchenNote').innerText()).resolves.toMatch(/removed\s+none/i);
    await expect(change('managerPin').innerText()).resolves.toMatch(/added[\s\S]*redacted/i);
    await expect(drawer.getByTestId('redacted-paths').innerText()).resolves.toContain('managerPin');
    await expect(drawer.getByText('10.0.0.7', { exact: true }).count()).resolves.toBe(1);
    await expect(drawer.getByRole('table', { name: 'Chain position' }).innerText()).resolves.toMatch(
      /Seq\s+\d+\s+Hash\s+[0-9a-f]{8}…[0-9a-f]{4}\s+[\s\S]*Previous hash/,
    );
    await expect(drawer.getByText('event #1042 of this device').count()).resolves.toBe(1);
    await diff.scrollIntoViewIfNeeded();
    await screenshot(page, 'entry-drawer');
  });

  it('follows the session link to the whole session', async () => {
    await page.getByRole('dialog').getByTestId('session-link').click();
    await page.waitForURL((url) => url.searchParams.get('session') === SESSION && !url.searchParams.has('event'));
    await poll(() => rows().count()).toBe(seed.sessionEvents);
    await expect(page.getByTestId('scope-session').innerText()).resolves.toContain(SESSION);
    await poll(() => page.getByRole('dialog').count()).toBe(0);
  });

  it('explains an outcome the service changed because the branch was frozen', async () => {
    await page.goto('/?range=today&reason=BRANCH_FROZEN');
    // issue 13, item 6: a refused action reads as an attempt, with what became of it (and what the device claimed)
    await page
      .getByRole('link', { name: 'Carl Cashier tried to finalize sale INV-2001 — refused: branch frozen, reported as done by the device', exact: true })
      .click();
    const note = page.getByRole('dialog').getByTestId('outcome-note');
    await poll(() => note.innerText()).toContain('The device reported SUCCESS; the service recorded REJECTED because the branch was frozen at that time.');
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => !url.searchParams.has('event'));
  });

  it('lists suspicious sign-ins and links to their failures in the log', async () => {
    await page.getByRole('link', { name: 'Suspicious sign-ins' }).click();
    const table = page.getByTestId('failed-logins');
    await table.waitFor();
    const suspect = table.getByRole('row').filter({ hasText: 'mallory@example.test' });
    await expect(suspect.innerText()).resolves.toMatch(
      new RegExp(`${SUSPECT}[\\s\\S]*\\b${seed.suspectFailures}\\b[\\s\\S]*198\\.51\\.100\\.23[\\s\\S]*203\\.0\\.113\\.9`),
    );
    await screenshot(page, 'suspicious-sign-ins');
    await suspect.getByRole('link', { name: 'Show failed sign-ins' }).click();
    await page.waitForURL((url) => url.searchParams.get('actor') === SUSPECT && url.searchParams.get('action') === 'LOGIN_FAILED');
    await poll(() => rows().count()).toBe(seed.suspectFailures);
  });

  it('exports the filtered log as a signed CSV pack whose download matches its checksum', async () => {
    await page.goto('/?range=today&outcome=REJECTED');
    await poll(() => rows().count()).toBe(seed.todayRejected);
    const shown = seed.todayRejected;
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export a signed pack' });
    await expect(dialog.getByTestId('export-filter').innerText()).resolves.toMatch(/^From .+ on\s+Outcomes: Rejected$/);
    await screenshot(page, 'export-dialog');
    await dialog.getByRole('button', { name: 'Create export' }).click();
    await dialog.getByTestId('export-ready').waitFor({ timeout: 30_000 });
    await expect(dialog.getByTestId('export-rows').innerText()).resolves.toBe(String(shown));
    await expect(dialog.getByRole('status').innerText()).resolves.toBe('The CSV pack is ready.');
    // the whole checksum is on screen, for an auditor to compare by eye
    const sha256 = (await dialog.getByTestId('export-sha256').innerText()).match(/\b[0-9a-f]{64}\b/)?.[0];
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('link', { name: 'Download CSV' }).click()]);
    const bytes = readFileSync((await download.path())!);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
    // a header and one line per event shown in the log (no cell holds a line break here)
    expect(bytes.toString('utf8').trimEnd().split('\r\n')).toHaveLength(shown + 1);
    await screenshot(page, 'export-ready');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('lists the device numbers that never arrived', async () => {
    await page.getByRole('link', { name: 'Missing device events' }).click();
    await page.waitForURL((url) => url.pathname === '/device-gaps');
    const table = page.getByTestId('device-gaps');
    await table.waitFor();
    const till7 = table.getByRole('row').filter({ hasText: 'till-7' });
    await expect(till7.innerText()).resolves.toMatch(/till-7\s+1,047\s+1–1040\s+1044–1050/);
    await expect(table.getByRole('row').filter({ hasText: 'till-3' }).innerText()).resolves.toMatch(/till-3\s+87\s+1–87/);
    await screenshot(page, 'device-gaps');
    await page.getByLabel('Find a device').fill('till-3');
    await poll(() => table.getByRole('row').count()).toBe(2);
  });

  it('fetches older events by cursor when the viewer scrolls to the end of the log', async () => {
    await page.goto('/');
    await poll(() => rows().count()).toBe(50);
    // the viewer keeps scrolling to the end: each time it comes into view, one more page loads.
    // Scrolled by the page itself, not by Playwright's scrollIntoViewIfNeeded, which first waits
    // for the element to hold still (up to a second a step on a loaded machine); and waited for
    // longer than the other steps, since every page is a round trip and a render
    const end = page.getByText(/^All \d+ matching events are shown\.$/);
    await expect
      .poll(
        async () => {
          await page.getByTestId('load-more').evaluate((el) => el.scrollIntoView({ block: 'end' }));
          return end.isVisible();
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    const shown = Number((await end.innerText()).match(/\d+/)![0]);
    expect(shown).toBeGreaterThan(100);
    // no event twice across the pages (read by scrolling: only the rows near the viewport are in the page)
    const links = (await collectLogRows(page)).map((r) => r.href);
    expect(links).toHaveLength(shown);
    expect(new Set(links).size).toBe(shown);
  });

  it('signs out, and a later sign-in asks for the code and returns to the page asked for', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto('/suspicious-sign-ins');
    await page.waitForURL(/\/sign-in\?next=%2Fsuspicious-sign-ins$/);

    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.getByRole('alert').innerText()).toContain('Wrong email or password.');

    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('6-digit code').fill(totpCodeAt(admin.secret!, Date.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/suspicious-sign-ins$/);
    await page.getByTestId('failed-logins').waitFor();
  });

  it('returns to sign-in, keeping the view it showed, when the session ends in another tab', async () => {
    await page.goto('/');
    await poll(() => rows().count()).toBeGreaterThan(0);
    await page.getByText('This week', { exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('range') === 'week');
    const other = await context.newPage();
    await other.goto('/');
    await other.getByRole('button', { name: 'Sign out' }).click();
    await other.waitForURL(/\/sign-in$/);
    await other.close();
    // told by the other tab (no click, no request of its own), it goes to sign-in with its view
    await page.waitForURL((url) => url.pathname === '/sign-in' && url.searchParams.get('next') === '/?range=week');
    await page.getByLabel('Email').waitFor();
  });

  it('refuses a Manager with the no-access screen', async () => {
    const manager = await makeUser(stack, tenantId, 'MANAGER', 'Ben Brook');
    const managerContext = await newViewerContext(browser, stack.baseUrl);
    const managerPage = await managerContext.newPage();
    await managerPage.goto('/');
    await managerPage.getByLabel('Email').fill(manager.email);
    await managerPage.getByLabel(/^Password/).fill(PASSWORD);
    await managerPage.getByRole('button', { name: 'Sign in' }).click();
    const secret = (await managerPage.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
    await managerPage.getByLabel('6-digit code').fill(await previousStepCode(secret));
    await managerPage.getByRole('button', { name: 'Confirm and sign in' }).click();
    await managerPage.getByLabel('I have stored my recovery codes').check();
    await managerPage.getByRole('button', { name: 'Continue' }).click();
    await managerPage.getByRole('heading', { name: 'No access to the audit log' }).waitFor();
    await expect(managerPage.getByText(manager.email).count()).resolves.toBe(1);
    await expect(managerPage.getByTestId('log-row').count()).resolves.toBe(0);
    await screenshot(managerPage, 'no-access');
    // a direct link to a screen is refused the same way
    await managerPage.goto('/suspicious-sign-ins');
    await managerPage.getByRole('heading', { name: 'No access to the audit log' }).waitFor();
    await managerContext.close();
  });
});
