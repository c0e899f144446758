import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestStored } from '../../testing/ingest.ts';
import { provisionBoth, seedEvents } from '../../testing/read-seed.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, newViewerContext } from './browser.ts';

const SEEDED = 10_000;
const DAY = 86_400_000;
/** Far more than a screen of rows and far fewer than are loaded. */
const MAX_ROWS_IN_PAGE = 200;

const poll = <T>(fn: () => Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout });

/**
 * Issue 13, item 4: the log at any depth. With 10,000 events loaded the page holds only the rows
 * near the viewport (a window virtualiser), wherever one scrolls; a keyboard user reaches "Load
 * more" through a skip link, and moving the focus there loads nothing by itself. (Times and memory
 * are measured by `pnpm bench`, not here.)
 */
describe('the log at 10,000 rows', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let lists = 0;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    const { tenantId } = await stack.createTenant('Deep Log Bistro');
    const branches: [string, string] = [randomUUID(), randomUUID()];
    await ingestStored(stack, tenantId, provisionBoth(tenantId, branches));
    // a minute apart over the last week (seedEvents spaces five events over five minutes)
    await ingestStored(
      stack,
      tenantId,
      seedEvents(tenantId, branches, SEEDED, Date.now() - 8 * DAY).map((s) => s.input),
      { timeoutMs: 120_000 },
    );
    const admin = await signedInAdmin(stack, tenantId);
    browser = await launchChromium();
    const context = await newViewerContext(browser, stack.baseUrl);
    const [name, value] = admin.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.baseUrl }]);
    page = await context.newPage();
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/trpc/events.list') lists++;
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const rows = () => page.getByTestId('log-row');
  const loaded = () => page.getByTestId('loaded-count').innerText();

  it('the skip link moves the focus to "Load more" without loading a page; Enter loads one', async () => {
    await page.goto('/');
    // the first page of 10,000 rows and the viewer's first load: slow under a loaded suite
    await poll(() => loaded(), 30_000).toBe('50 loaded');
    const before = lists;
    const skip = page.getByRole('link', { name: 'Skip to “Load more”' });
    await skip.focus();
    // out of sight until focused, then on screen
    await expect(skip.evaluate((el) => el.getBoundingClientRect().width > 1)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    const loadMore = page.getByRole('button', { name: 'Load more' });
    await poll(() => loadMore.evaluate((el) => el === document.activeElement)).toBe(true);
    // the focus brought the end of the list into view: still nothing loads by itself
    await page.waitForTimeout(1500);
    expect(lists).toBe(before);
    await expect(loaded()).resolves.toBe('50 loaded');
    await page.keyboard.press('Enter');
    await poll(() => loaded()).toBe('100 loaded');
    expect(lists).toBe(before + 1);
    await poll(() => loadMore.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('keeps a bounded number of rows in the page with every event loaded, wherever it is scrolled', async () => {
    const end = page.getByTestId('load-more');
    // "Load more" until the end, as fast as the pages come (clicked in the page: no round trip per
    // click); a page has come when the loaded count changes, or the button gives way to the end
    await page.evaluate(async () => {
      const button = () => document.querySelector<HTMLButtonElement>('button#log-end');
      const loadedText = () => document.querySelector('[data-testid="loaded-count"]')?.textContent;
      while (button()) {
        const before = loadedText();
        button()!.click();
        for (let i = 0; i < 3000 && button() && loadedText() === before; i++) await new Promise((r) => setTimeout(r, 10));
      }
    });
    const total = await end.innerText();
    expect(Number(/All ([\d,]+) matching/.exec(total)![1]!.replaceAll(',', ''))).toBeGreaterThanOrEqual(SEEDED);
    // at the end, in the middle and at the top of 10,000 rows
    for (const at of [1, 0.5, 0]) {
      await page.evaluate((f) => window.scrollTo(0, f * document.documentElement.scrollHeight), at);
      await page.waitForTimeout(300);
      const count = await rows().count();
      expect(count).toBeGreaterThan(5);
      expect(count).toBeLessThan(MAX_ROWS_IN_PAGE);
      // the rows in the page are the ones on screen
      const onScreen = await rows().evaluateAll(
        (trs) =>
          trs.filter((tr) => {
            const r = tr.getBoundingClientRect();
            return r.bottom > 0 && r.top < window.innerHeight;
          }).length,
      );
      expect(onScreen).toBeGreaterThan(3);
    }
    // the page is as tall as all the rows together: the scrollbar tells how deep the log is
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeGreaterThan(SEEDED * 40);
  }, 120_000);
});
