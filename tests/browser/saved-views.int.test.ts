import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium } from './browser.ts';
import { seedViewerLog, type TViewerSeed } from './viewer-seed.ts';

const WIDTHS = {
  desktop: { viewport: { width: 1440, height: 900 }, isMobile: false },
  '390 px': { viewport: { width: 390, height: 844 }, isMobile: true },
} as const;

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 10_000 });

/**
 * Issue 13, item 3 in a real Chromium: an Admin saves the current filter as a view, finds it in the
 * Views menu after a reload, opens it (the filter comes back, in the URL and in the rows) and
 * deletes it; at desktop width and at 390 px.
 */
describe('saved views in the browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let seed: TViewerSeed;
  let cookie: string;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    const { tenantId } = await stack.createTenant('Harbour Coffee Co.');
    seed = await seedViewerLog(stack, tenantId);
    ({ cookie } = await signedInAdmin(stack, tenantId));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function openContext(width: keyof typeof WIDTHS): Promise<BrowserContext> {
    const { viewport, isMobile } = WIDTHS[width];
    const context = await browser.newContext({ baseURL: stack.baseUrl, viewport, isMobile, hasTouch: isMobile, locale: 'en-GB', timezoneId: 'UTC' });
    context.setDefaultTimeout(10_000);
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.baseUrl }]);
    return context;
  }

  it.each(Object.keys(WIDTHS) as (keyof typeof WIDTHS)[])('saves the filter as a view, opens it after a reload, and deletes it, at %s', async (width) => {
    const context = await openContext(width);
    const page = await context.newPage();
    const rows = () => page.getByTestId('log-row');
    const viewName = `Today's refusals (${width})`;

    await page.goto('/?range=today&outcome=REJECTED');
    await poll(() => rows().count()).toBe(seed.todayRejected);
    await page.getByRole('button', { name: /^Views/ }).click();
    await page.getByRole('menuitem', { name: 'Save the current view…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save the current view' });
    await dialog.getByLabel(/^Name/).fill(viewName);
    const saved = page.waitForResponse((r) => r.url().includes('/trpc/savedViews.save'));
    await dialog.getByRole('button', { name: 'Save' }).click();
    expect((await saved).status()).toBe(200);
    await dialog.waitFor({ state: 'hidden' });

    // a fresh start on the unfiltered log: the view is kept by the service, not by the page
    await page.goto('/');
    await poll(() => rows().count()).toBeGreaterThan(seed.todayRejected);
    await page.reload();
    await poll(() => rows().count()).toBeGreaterThan(seed.todayRejected);
    await page.getByRole('button', { name: 'Views (1)' }).click();
    await page.getByRole('menuitem', { name: viewName, exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('outcome') === 'REJECTED' && url.searchParams.get('range') === 'today');
    await poll(() => rows().count()).toBe(seed.todayRejected);
    for (const text of await rows().allInnerTexts()) expect(text).toContain('Rejected');

    await page.getByRole('button', { name: 'Views (1)' }).click();
    const deleted = page.waitForResponse((r) => r.url().includes('/trpc/savedViews.delete'));
    await page.getByRole('menuitem', { name: `Delete view ${viewName}` }).click();
    expect((await deleted).status()).toBe(200);
    await page.getByText('None yet').waitFor();
    await page.keyboard.press('Escape');
    await page.reload();
    await poll(() => rows().count()).toBe(seed.todayRejected);
    await page.getByRole('button', { name: 'Views', exact: true }).click();
    await page.getByText('None yet').waitFor();
    await expect(page.getByRole('menuitem', { name: viewName }).count()).resolves.toBe(0);
    await context.close();
  });
});
