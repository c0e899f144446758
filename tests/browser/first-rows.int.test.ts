import { randomUUID } from 'node:crypto';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestStored } from '../../testing/ingest.ts';
import { provisionBoth, seedEvents } from '../../testing/read-seed.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, newViewerContext } from './browser.ts';

/**
 * How long the test holds every chain check: far longer than the first rows may take, even with the
 * whole suite loading this 2-core machine (6 s was not: the rows took 6.3 s and 8.2 s in two runs).
 */
const HELD_MS = 15_000;

const poll = <T>(fn: () => Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout });

/**
 * Issue 13, item 5: the log's first rows never wait for integrity work. The browser holds every
 * `integrity.verify` request for seconds; the first page of events.list still arrives and shows at
 * once, because it travels alone (never in a tRPC batch with the chain check). The badge then reads
 * the latest signed checkpoint and the events after it, says when it was checked, and runs a full
 * check from event 1 on demand.
 */
describe('first rows first', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let checkpointSeq: number;
  const requests: { path: string; search: string; at: number }[] = [];

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    const { tenantId } = await stack.createTenant('First Rows Bistro');
    const branches: [string, string] = [randomUUID(), randomUUID()];
    await ingestStored(stack, tenantId, provisionBoth(tenantId, branches));
    await ingestStored(
      stack,
      tenantId,
      seedEvents(tenantId, branches, 120).map((s) => s.input),
    );
    const admin = await signedInAdmin(stack, tenantId);
    // a signed checkpoint, so the badge's quick check starts from it
    const checkpoint = await trpc(stack, 'mutation', 'integrity.checkpoint', {}, { cookie: admin.cookie });
    checkpointSeq = checkpoint.data.seq;
    expect(checkpointSeq).toBeGreaterThan(100);
    browser = await launchChromium();
    const context = await newViewerContext(browser, stack.baseUrl);
    const [name, value] = admin.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.baseUrl }]);
    page = await context.newPage();
    const started = Date.now();
    page.on('request', (r: Request) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/trpc/')) requests.push({ path: url.pathname, search: url.search, at: Date.now() - started });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const rows = () => page.getByTestId('log-row');
  const badge = () => page.getByTestId('integrity-badge');

  it('shows the first page while every chain check is held, each on its own request', async () => {
    let held = 0;
    // the same function to route and unroute: Playwright removes a route by its matcher (a new arrow
    // function matched nothing, and the full check of the next test was held too)
    const isCheck = (url: URL) => url.pathname.includes('integrity.verify');
    await page.route(isCheck, async (route) => {
      held++;
      await new Promise((r) => setTimeout(r, HELD_MS));
      await route.continue();
    });
    const opened = Date.now();
    await page.goto('/');
    await poll(() => rows().count(), HELD_MS - 1000).toBe(50);
    const firstRowsMs = Date.now() - opened;
    // the badge is still waiting for its check: the rows did not wait for it
    await expect(badge().innerText()).resolves.toBe('Checking the chain…');
    expect(held).toBe(1);
    expect(firstRowsMs).toBeLessThan(HELD_MS);

    const list = requests.filter((r) => r.path.includes('events.list'));
    const checks = requests.filter((r) => r.path.includes('integrity.verify'));
    // alone: not `/trpc/auth.me,integrity.verify,events.list?batch=1`
    expect(list.map((r) => r.path)).toEqual(['/trpc/events.list']);
    expect(checks.map((r) => r.path)).toEqual(['/trpc/integrity.verify']);
    expect(list[0]!.search).not.toContain('batch=');

    await poll(() => badge().innerText(), HELD_MS + 5000).toMatch(/^Chain verified · \d+ events · checked at \d\d:\d\d$/);
    await page.unroute(isCheck);
  });

  it('says when and from where the chain was checked, and runs a full check from event 1 on demand', async () => {
    await badge().click();
    const details = page.getByTestId('integrity-details');
    const checkedAt = page.getByTestId('integrity-checked-at');
    await poll(() => checkedAt.innerText()).toMatch(/^Checked from the latest signed checkpoint at /);
    const when = await checkedAt.locator('time').getAttribute('datetime');
    expect(Math.abs(Date.now() - Date.parse(when!))).toBeLessThan(60_000);
    await expect(details.innerText()).resolves.toContain(`Latest signed checkpoint: seq ${checkpointSeq}`);

    const full = page.waitForRequest((r) => r.url().includes('/trpc/integrity.verify') && decodeURIComponent(r.url()).includes('"full":true'));
    await page.getByRole('button', { name: 'Full check from event 1' }).click();
    await full;
    await poll(() => checkedAt.innerText()).toMatch(/^Checked from event 1 at /);
    const after = await checkedAt.locator('time').getAttribute('datetime');
    expect(Date.parse(after!)).toBeGreaterThanOrEqual(Date.parse(when!));
    await expect(badge().innerText()).resolves.toMatch(/^Chain verified · \d+ events · checked at \d\d:\d\d$/);
  });
});
