import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, seriousAxeViolations } from './browser.ts';

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 10_000 });

/**
 * Issue 16, item 4 (read tokens) in a real Chromium: an Admin makes a token on the "Read tokens"
 * screen, sees it once (with a copy button), finds it listed without it, and revokes it after a
 * confirmation; the token reads until then and is refused after; both changes are in the log.
 */
describe('the read tokens screen', () => {
  let stack: TestStack;
  let browser: Browser;
  let cookie: string;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    const { tenantId } = await stack.createTenant('Harbour Coffee Co.');
    ({ cookie } = await signedInAdmin(stack, tenantId));
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('creates a token shown once, lists it without the token, and revokes it after confirming', async () => {
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
    await page.getByRole('menuitem', { name: 'Read tokens' }).click();
    await page.waitForURL('**/read-tokens');
    await page.getByText('No read tokens yet').waitFor();

    await page.getByRole('button', { name: 'New read token' }).click();
    const form = page.getByRole('dialog', { name: 'New read token' });
    await form.getByLabel(/^Name/).fill('Splunk pull');
    await form.getByLabel(/^Expires after/).fill('30');
    const created = page.waitForResponse((r) => r.url().includes('/trpc/readTokens.create'));
    await form.getByRole('button', { name: 'Create token' }).click();
    expect((await created).status()).toBe(200);

    const shown = page.getByRole('dialog', { name: 'Your new read token' });
    const token = (await shown.getByTestId('new-read-token').innerText()).trim();
    expect(token).toMatch(/^mrt_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    await expect(shown.getByRole('button', { name: 'Copy the token' }).isVisible()).resolves.toBe(true);
    await expect(shown.getByText('This is the only time the token is shown').isVisible()).resolves.toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    // the token reads the log
    expect((await trpc(stack, 'query', 'events.list', { limit: 1 }, { apiKey: token })).status).toBe(200);

    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });
    const row = page.getByTestId('read-tokens').getByRole('row', { name: /Splunk pull/ });
    await poll(() => row.innerText()).toContain('Ada Admin');
    // badges are set in capitals by the theme: compare the words
    expect((await row.innerText()).toLowerCase()).toContain('active');
    // shown once: neither the list nor a reload brings it back
    expect(await page.content()).not.toContain(token.slice(-43));
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(token.slice(-43));
    // it has read once since it was made: its last use is shown
    expect(await row.innerText()).not.toContain('Never');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await row.getByRole('button', { name: 'Revoke Splunk pull' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this read token?' });
    await confirm.getByText('Anything that reads with “Splunk pull” is refused').waitFor();
    // cancelling changes nothing
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect((await trpc(stack, 'query', 'events.list', { limit: 1 }, { apiKey: token })).status).toBe(200);

    await row.getByRole('button', { name: 'Revoke Splunk pull' }).click();
    const revoked = page.waitForResponse((r) => r.url().includes('/trpc/readTokens.revoke'));
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    expect((await revoked).status()).toBe(200);
    await confirm.waitFor({ state: 'hidden' });
    await poll(async () => (await row.innerText()).toLowerCase()).toContain('revoked');
    expect(await row.getByRole('button', { name: 'Revoke Splunk pull' }).count()).toBe(0);
    expect((await trpc(stack, 'query', 'events.list', { limit: 1 }, { apiKey: token })).code).toBe('UNAUTHORIZED');

    // each change is in the log, by the Admin
    const changes = await eventually(async () => {
      const r = await trpc(stack, 'query', 'events.list', { actions: ['READ_TOKEN_CREATED', 'READ_TOKEN_REVOKED'] }, { cookie });
      return r.data.items.length === 2 ? r.data.items : undefined;
    });
    expect(changes.map((e: any) => e.description).sort()).toEqual(['Ada Admin created read token Splunk pull', 'Ada Admin revoked read token Splunk pull']);
    await context.close();
  }, 120_000);

  it('reaches the Connections screens from the keyboard alone; the open one is marked', async () => {
    const context = await browser.newContext({ baseURL: stack.baseUrl, viewport: { width: 1440, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    context.setDefaultTimeout(10_000);
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.baseUrl }]);
    const page = await context.newPage();
    await page.goto('/read-tokens');
    await page.getByRole('heading', { name: 'Read tokens', level: 2 }).waitFor();
    const connections = page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Connections' });

    // Enter opens the menu; the screen that is open is marked for screen readers, the other is not
    await connections.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('menuitem', { name: 'Read tokens' }).getAttribute('aria-current')).resolves.toBe('page');
    await expect(page.getByRole('menuitem', { name: 'Log streams' }).getAttribute('aria-current')).resolves.toBeNull();
    // Escape closes it and gives the focus back to the button
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'hidden' });
    await expect(connections.evaluate((el) => el === document.activeElement)).resolves.toBe(true);

    // arrows move between the screens and Enter opens one (once the menu is there: keys pressed
    // while it still opens go to the button, on a loaded machine)
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    const focusedItem = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    for (let i = 0; i < 3 && (await focusedItem()) !== 'Log streams'; i++) await page.keyboard.press('ArrowDown');
    expect(await focusedItem()).toBe('Log streams');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/log-streams');
    await page.getByRole('heading', { name: 'Log streams', level: 2 }).waitFor();
    await connections.click();
    await expect(page.getByRole('menuitem', { name: 'Log streams' }).getAttribute('aria-current')).resolves.toBe('page');
    await context.close();
  }, 60_000);
});
