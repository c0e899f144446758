import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAttacker } from '../../testing/integrity.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { provisionBoth, seedEvents } from '../../testing/read-seed.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { checkChainAgain, collectLogRows, launchChromium, newViewerContext } from './browser.ts';

const SEEDED = 130;
const PAGE = 50;
const DAY = 86_400_000;

/** YYYY-MM-DD of an instant in UTC, the browser's time zone in these tests. */
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first page waits for the session check and the first query: more than expect.poll's default second. */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 10_000 });

/**
 * The log beyond its first page, in a real Chromium: a custom date range from a link, the next
 * page when the end of the table scrolls into view, the rest with "Load more", newest first with
 * no row twice (read by scrolling: the list keeps only the rows near the viewport in the page); and the header's chain badge turning red when a superuser alters a stored row.
 */
describe('the log beyond one page', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let base: number;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    ({ tenantId } = await stack.createTenant('Paging Bistro'));
    const branches: [string, string] = [randomUUID(), randomUUID()];
    await ingestStored(stack, tenantId, provisionBoth(tenantId, branches));
    base = Date.now() - 4 * DAY;
    await ingestStored(
      stack,
      tenantId,
      seedEvents(tenantId, branches, SEEDED, base).map((s) => s.input),
    );
    const admin = await signedInAdmin(stack, tenantId);
    browser = await launchChromium();
    const context = await newViewerContext(browser, stack.baseUrl);
    const [name, value] = admin.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.baseUrl }]);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const rows = () => page.getByTestId('log-row');
  const loaded = () => page.getByTestId('loaded-count').innerText();

  it('pages by cursor: the next page on scroll, the rest with "Load more", newest first, no row twice', async () => {
    // the seeded events span about two hours four days ago; provisions (10 days ago) and the
    // Admin's own sign-in (today) fall outside the range
    await page.goto(`/?range=custom&from=${utcDay(base)}&to=${utcDay(base + DAY)}`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await poll(() => rows().count()).toBe(PAGE);
    await expect(page.getByRole('radio', { name: 'Custom' }).isChecked()).resolves.toBe(true);

    await page.getByTestId('load-more').scrollIntoViewIfNeeded();
    await poll(() => loaded()).toBe(`${2 * PAGE} loaded`);
    // the sentinel is now far below the viewport: no further page comes by itself
    await page.waitForTimeout(1000);
    await expect(loaded()).resolves.toBe(`${2 * PAGE} loaded`);

    await page.getByRole('button', { name: 'Load more' }).click();
    await poll(() => page.getByTestId('load-more').innerText()).toBe(`All ${SEEDED} matching events are shown.`);

    // the list keeps only the rows near the viewport in the page: read them all by scrolling
    const all = await collectLogRows(page);
    expect(all).toHaveLength(SEEDED);
    const times = all.map((r) => Date.parse(`${r.time.replace(',', '')} UTC`));
    expect(times.every((t) => Number.isFinite(t))).toBe(true);
    expect(times.every((t, i) => i === 0 || t <= times[i - 1]!)).toBe(true);
  });

  it('says when no event matches, and "Clear filters" brings the log back', async () => {
    await page.goto('/?q=no-event-says-this');
    await poll(() => page.getByText('No events match these filters').count()).toBe(1);
    await expect(rows().count()).resolves.toBe(0);
    await page.getByRole('main').getByRole('button', { name: 'Clear filters' }).last().click();
    await page.waitForURL((url) => url.search === '');
    await poll(() => rows().count()).toBe(PAGE);
  });

  it('shows "Chain broken at seq N" when a stored row was altered, and verified again once restored', async () => {
    const badge = page.getByTestId('integrity-badge');
    await poll(() => badge.innerText()).toMatch(/^Chain verified · \d+ events · checked at \d\d:\d\d$/);
    const db = new pg.Client({ connectionString: stack.databaseSuperuserUrl });
    await db.connect();
    try {
      await asAttacker(
        db,
        tenantId,
        (c) => c.query(`update audit_events set description = description || ' (edited)' where tenant_id = $1 and seq = 7`, [tenantId]).then(() => {}),
        async () => {
          await checkChainAgain(page);
          await poll(() => badge.innerText()).toBe('Chain broken at seq 7');
        },
      );
    } finally {
      await db.end();
    }
    await checkChainAgain(page);
    await poll(() => badge.innerText()).toMatch(/^Chain verified/);
  });
});
