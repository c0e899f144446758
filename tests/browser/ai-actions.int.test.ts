import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiEvents, storeLegacyAiEvent } from '../../testing/ai-seed.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, screenshot, seriousAxeViolations } from './browser.ts';

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 10_000 });

/**
 * Issue 13, item 8 in a browser: the AI actions screen lists what the AI did or recommended, its
 * trigger, confidence and risk level, and who approved or rejected it; an event stored before
 * those fields were required still shows; a line opens its entry in the log.
 */
describe('the AI actions screen', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    const { tenantId } = await stack.createTenant('Harbour Coffee Co.');
    await storeLegacyAiEvent(stack, tenantId);
    await ingestStored(stack, tenantId, aiEvents(tenantId));
    const admin = await signedInAdmin(stack, tenantId);
    browser = await launchChromium();
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
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const lines = () => page.getByTestId('ai-action');

  it('shows what the AI did, its trigger, confidence, risk and who decided, newest first', async () => {
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'AI actions' }).click();
    await page.getByRole('heading', { name: 'AI actions', level: 2 }).waitFor();
    await poll(() => lines().count()).toBe(5);
    const texts = await lines().allInnerTexts();
    expect(texts[0]).toMatch(
      /Reordered 24 l of oat milk from Dairy Co\.[\s\S]*Oat milk below par level[\s\S]*88 %[\s\S]*Medium risk[\s\S]*Approved by Ben Brook \(Manager\)/,
    );
    expect(texts[1]).toMatch(
      /Cut Sunday's shift to two cashiers[\s\S]*Forecast: quiet Sunday[\s\S]*62 %[\s\S]*Medium risk[\s\S]*Rejected by Ben Brook \(Manager\)/,
    );
    expect(texts[2]).toMatch(
      /Raise espresso prices by 15 %[\s\S]*Supplier price list changed[\s\S]*81 %[\s\S]*High risk[\s\S]*Approved by Ana Álvarez \(Admin\)/,
    );
    expect(texts[3]).toMatch(/Sent a low-stock notice to the manager[\s\S]*97 %[\s\S]*Low risk[\s\S]*No human approval \(automatic\)/);
    // stored before the AI's fields were required: shown, with what is missing said so
    expect(texts[4]).toMatch(/accepted AI recommendation Happy hour[\s\S]*—[\s\S]*Not recorded/);
    await screenshot(page, 'ai-actions');
    const axe = await seriousAxeViolations(page);
    console.log(`axe on the AI actions screen (desktop): ${JSON.stringify(axe)}`);
    // none, on the whole screen (the header's included)
    expect(axe).toEqual([]);
  });

  it('narrows to one kind of action', async () => {
    await page.getByText('Rejected', { exact: true }).click();
    await poll(() => lines().count()).toBe(1);
    await expect(lines().first().getByTestId('ai-decision').innerText()).resolves.toBe('Rejected by Ben Brook (Manager)');
    await page.getByText('All', { exact: true }).click();
    await poll(() => lines().count()).toBe(5);
  });

  it('opens a line’s entry in the log', async () => {
    await lines().nth(2).getByRole('link').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/Audit entry · seq \d+/).waitFor();
    await poll(() => dialog.innerText()).toContain('Supplier price list changed');
  });
});
