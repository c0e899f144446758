import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestStored } from '../../testing/ingest.ts';
import { provisionBoth, seedEvents } from '../../testing/read-seed.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, newViewerContext } from './browser.ts';

/**
 * A shared till PC: an Admin has the log open in two tabs of one browser and signs out in one. The
 * other tab must not go on showing the log to the next person at the till: it forgets what it
 * loaded and shows the sign-in screen by itself, keeping the view it showed as `next`.
 */
describe('sign-out in one tab of a browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let tenantId: string;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    ({ tenantId } = await stack.createTenant('Shared Till Bistro'));
    const branches: [string, string] = [randomUUID(), randomUUID()];
    await ingestStored(stack, tenantId, provisionBoth(tenantId, branches));
    await ingestStored(
      stack,
      tenantId,
      seedEvents(tenantId, branches, 20).map((s) => s.input),
    );
    browser = await launchChromium();
  });

  /** A fresh browser profile holding a new Admin session; returns its cookie. */
  async function signedInContext(): Promise<string> {
    const admin = await signedInAdmin(stack, tenantId);
    context = await newViewerContext(browser, stack.baseUrl);
    const [name, value] = admin.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.baseUrl }]);
    return admin.cookie;
  }

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

  async function openLog(path: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(path);
    await poll(() => page.getByTestId('log-row').count()).toBeGreaterThan(0);
    return page;
  }

  /** The tab shows the sign-in screen, not reloaded, with no row of the log left, and `next` kept. */
  async function expectSignInScreen(page: Page, next: string) {
    await poll(async () => new URL(page.url()).pathname).toBe('/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe(next);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect(page.getByTestId('log-row').count()).resolves.toBe(0);
    // the app moved itself: the page was not loaded again
    await expect(page.evaluate(() => 'notReloaded' in window)).resolves.toBe(true);
  }

  it('sends the other tab to the sign-in screen, without a click or a reload, and drops its rows', async () => {
    await signedInContext();
    const signingOut = await openLog('/');
    const other = await openLog('/?outcome=SUCCESS');
    // a mark in the page's window: a reload would lose it
    await other.evaluate(() => Object.assign(window, { notReloaded: true }));

    await signingOut.getByRole('button', { name: 'Sign out' }).click();
    await signingOut.waitForURL(/\/sign-in$/);
    await expectSignInScreen(other, '/?outcome=SUCCESS');
    await context.close();
  });

  it('does the same when a request of one tab finds the session ended', async () => {
    const cookie = await signedInContext();
    const asking = await openLog('/');
    const other = await openLog('/?outcome=SUCCESS');
    await other.evaluate(() => Object.assign(window, { notReloaded: true }));

    // the session ends elsewhere (another device, an Admin disabling the account): no tab hears of it
    await expect(trpc(stack, 'mutation', 'auth.logout', {}, { cookie }).then((r) => r.status)).resolves.toBe(200);
    await asking.getByText('Today', { exact: true }).click();

    await asking.waitForURL(/\/sign-in\?next=/);
    await expectSignInScreen(other, '/?outcome=SUCCESS');
    await context.close();
  });
});
