import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, screenshot, seriousAxeViolations } from './browser.ts';
import { seedViewerLog } from './viewer-seed.ts';

const PHONE = { width: 390, height: 844 };
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 10_000 });

/**
 * Issue 13, item 1: the viewer on a phone (390 px wide, touch). Every control is within reach: the
 * header folds its screens, chain badge, account and sign-out into a menu; no page scrolls sideways;
 * the log is a list of cards; the entry fills the screen; the filters fold behind a
 * "Filters (N)" button. axe-core finds no serious or critical violation on the log at either width.
 */
describe('the viewer on a phone', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    const { tenantId } = await stack.createTenant('Harbour Coffee Co.');
    await seedViewerLog(stack, tenantId);
    const admin = await signedInAdmin(stack, tenantId);
    browser = await launchChromium();
    context = await browser.newContext({
      baseURL: stack.baseUrl,
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      // axe-core is injected as a script: the viewer's CSP (script-src 'self') would refuse it
      bypassCSP: true,
      locale: 'en-GB',
      timezoneId: 'UTC',
    });
    context.setDefaultTimeout(10_000);
    const [name, value] = admin.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.baseUrl }]);
    page = await context.newPage();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const file = join(tmpdir(), `phone-failure-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`);
    await page.screenshot({ path: file }).catch(() => {});
    console.error(`browser screenshot: ${file}`);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** How far the page is wider than the screen (0: it never scrolls sideways). */
  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  /** Whether the element lies wholly within the screen's width. */
  const withinWidth = (locator: ReturnType<Page['getByRole']>) =>
    locator.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.left >= 0 && r.right <= window.innerWidth && r.width > 0;
    });
  const menuButton = () => page.getByRole('button', { name: 'Open the menu' });

  it('shows the log as cards, without sideways scrolling', async () => {
    await page.goto('/');
    const rows = page.getByTestId('log-row');
    await poll(() => rows.count()).toBeGreaterThan(10);
    await expect(sideways()).resolves.toBe(0);
    // the filters are folded: the first card is whole on the first screen, without scrolling
    await expect(page.getByRole('button', { name: 'Filters (0)', exact: true }).getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(page.evaluate(() => window.scrollY)).resolves.toBe(0);
    const card = (await rows.first().boundingBox())!;
    expect(card.y).toBeGreaterThan(0);
    expect(card.y + card.height).toBeLessThanOrEqual(PHONE.height);
    // a card: the row is a box of its own, its cells flowing inside the screen
    await expect(rows.first().evaluate((tr) => getComputedStyle(tr).display)).resolves.toBe('flex');
    await expect(withinWidth(page.getByTestId('log-row').first())).resolves.toBe(true);
    // the column headers are there for screen readers only
    await expect(page.locator('thead').evaluate((el) => el.getBoundingClientRect().height)).resolves.toBeLessThanOrEqual(1);
    // the header holds the name and the menu button only
    await expect(withinWidth(menuButton())).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);
    await rows.first().scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -80));
    await screenshot(page, 'phone-log');
  });

  it('unfolds the filters behind “Filters (N)”, N the active ones', async () => {
    await page.goto('/?outcome=REJECTED&range=7d');
    await page.getByTestId('log-row').first().waitFor();
    const toggle = page.getByRole('button', { name: 'Filters (2)', exact: true });
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(page.getByLabel('Outcome', { exact: true }).count()).resolves.toBe(0);
    await expect(withinWidth(page.getByRole('button', { name: 'Clear filters (2)' }))).resolves.toBe(true);
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    const fields = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    for (const label of ['Branch', 'People', 'Outcome', 'IP address', 'Not these people']) {
      await expect(withinWidth(fields.getByLabel(label, { exact: true }))).resolves.toBe(true);
    }
    await expect(sideways()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Clear filters (2)' }).count()).resolves.toBe(1);
    await toggle.click();
    await poll(() => fields.count()).toBe(0);
  });

  it('reaches every screen, the chain badge, the account and sign-out through the menu', async () => {
    for (const [screen, heading] of [
      ['Suspicious sign-ins', /Suspicious sign-ins/],
      ['Missing device events', /Missing device events/],
      ['AI actions', /AI actions/],
      ['Audit log', /Audit log/],
    ] as const) {
      await menuButton().click();
      const menu = page.getByRole('navigation', { name: 'Screens' });
      const link = menu.getByRole('link', { name: screen });
      await expect(withinWidth(link)).resolves.toBe(true);
      await link.click();
      await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
      // choosing a screen closes the menu
      await poll(() => menu.count()).toBe(0);
      await expect(sideways()).resolves.toBe(0);
    }
    await menuButton().click();
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
    for (const control of [
      page.getByTestId('integrity-badge'),
      page.getByRole('button', { name: 'Change password…' }),
      page.getByRole('button', { name: 'Sign out' }),
      page.getByRole('button', { name: 'Close the menu' }),
    ]) {
      await expect(withinWidth(control as ReturnType<Page['getByRole']>)).resolves.toBe(true);
    }
    await poll(() => page.getByTestId('integrity-badge').innerText()).toMatch(/^Chain verified/);
    await screenshot(page, 'phone-menu');
    await page.getByRole('button', { name: 'Close the menu' }).click();
  });

  it('opens an entry over the whole screen', async () => {
    await page.goto('/');
    const first = page.getByTestId('log-row').first();
    await first.waitFor();
    await first.getByRole('link').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/Audit entry · seq \d+/).waitFor();
    // once the drawer has slid in (its transition may still run when the text shows)
    await poll(async () => (await dialog.boundingBox())!.x).toBe(0);
    expect(Math.round((await dialog.boundingBox())!.width)).toBe(PHONE.width);
    await expect(sideways()).resolves.toBe(0);
    await screenshot(page, 'phone-entry');
    await page.getByRole('button', { name: 'Close the entry' }).click();
    await page.waitForURL((url) => !url.searchParams.has('event'));
  });

  it('finds no serious or critical axe-core violation on the log, at 390 px (filters folded and unfolded) and on a desktop', async () => {
    await page.goto('/');
    await page.getByTestId('log-row').first().waitFor();
    const phone = await seriousAxeViolations(page);
    await page.getByTestId('filters-toggle').click();
    const phoneFilters = await seriousAxeViolations(page);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByTestId('log-row').first().waitFor();
    const desktop = await seriousAxeViolations(page);
    console.log(
      `axe on the log: 390 px ${JSON.stringify(phone)}; 390 px, filters unfolded ${JSON.stringify(phoneFilters)}; desktop ${JSON.stringify(desktop)}`,
    );
    // no rule is allowed: contrast, the menu, the list, the badge and the click-to-filter buttons' names (label in name) pass
    expect(phone).toEqual([]);
    expect(phoneFilters).toEqual([]);
    expect(desktop).toEqual([]);
    await page.setViewportSize(PHONE);
  });

  it('signs out from the menu', async () => {
    await menuButton().click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
  });
});
