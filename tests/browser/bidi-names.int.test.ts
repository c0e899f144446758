import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, provisionBranch, sale } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, newViewerContext } from './browser.ts';

const RLO = '\u202E';
const ZWSP = '\u200B';
/** "abcexe.pdf" on screen if shown as sent: a right-to-left override spoofing a file's extension. */
const SPOOF = `abc${RLO}fdp.exe`;
/** An account whose failed sign-ins the suspicious sign-ins screen lists. */
const ACCOUNT = `mallory${RLO}@example.test`;

/**
 * Names and labels a device sent are stored as sent, bidi overrides and invisible characters
 * included; the viewer must not let them reorder what follows them on screen, and shows the
 * investigator where they are.
 */
describe('bidi overrides and invisible characters in names and labels', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    const { tenantId } = await stack.createTenant('Spoofed Names Bistro');
    const branchId = randomUUID();
    await ingestStored(stack, tenantId, [provisionBranch(tenantId, branchId)]);
    const event = sale(tenantId, branchId, new Date().toISOString(), {
      actor: { type: 'USER', id: 'cashier-rlo', role: 'CASHIER', name: SPOOF },
      entity: { type: 'INVOICE', id: 'inv-zwsp', label: `INV-${ZWSP}1042` },
    });
    const failures = Array.from({ length: 6 }, (_, i) =>
      makeEvent(tenantId, {
        action: 'LOGIN_FAILED',
        outcome: 'FAILED',
        occurredAt: new Date(Date.now() - 60 * 60_000 + i * 4 * 60_000).toISOString(),
        actor: { type: 'USER', id: 'mallory-rlo', name: ACCOUNT },
        entity: { type: 'USER', id: 'mallory-rlo', label: ACCOUNT },
        context: { ip: '203.0.113.9' },
      }),
    );
    // no summary: the page says it with the log's sentence, the actor's name in it
    const recommendation = makeEvent(tenantId, {
      action: 'AI_RECOMMENDATION_ACCEPTED',
      actor: { type: 'USER', id: 'cashier-rlo', role: 'CASHIER', name: SPOOF },
      entity: { type: 'AI_RECOMMENDATION', id: 'rec-rlo', label: `Happy hour ${RLO}tsrif` },
      metadata: { trigger: 'Quiet afternoon', confidence: 0.7, riskLevel: 'LOW', approvedBy: { id: 'cashier-rlo', name: SPOOF, role: 'CASHIER' } },
    });
    await ingestStored(stack, tenantId, [event, ...failures, recommendation]);
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

  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });
  const saleRow = () => page.getByTestId('log-row').filter({ hasText: 'finalized sale' });

  /**
   * Where the word's first and last letters are drawn, left to right: innerText is in logical
   * order whatever the screen shows, so this measures the glyphs.
   */
  function letterPositions(within: Locator, word: string): Promise<{ first: number; last: number }> {
    return within.evaluate((root, w) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent?.indexOf(w) ?? -1;
        if (at < 0) continue;
        const left = (i: number) => {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          return range.getBoundingClientRect().left;
        };
        return { first: left(at), last: left(at + w.length - 1) };
      }
      throw new Error(`no text "${w}"`);
    }, word);
  }

  /** Whether the element whose text holds the value is isolated from the text around it. */
  function isolatedHolder(within: Locator, text: string): Promise<boolean> {
    return within.evaluate((root, t) => {
      const holders = [...root.querySelectorAll('*')].filter((el) => el.textContent?.includes(t) && ![...el.children].some((c) => c.textContent?.includes(t)));
      if (holders.length === 0) throw new Error(`no element holds "${t}"`);
      return holders.every((el) => getComputedStyle(el).unicodeBidi === 'isolate');
    }, text);
  }

  it('keeps the words after a name in their order, the name isolated', async () => {
    await page.goto('/');
    await poll(() => saleRow().count()).toBe(1);
    const sentence = saleRow().getByRole('link');
    // "finalized" reads left to right: its "f" is drawn left of its "d"
    const finalized = await letterPositions(sentence, 'finalized');
    expect(finalized.first).toBeLessThan(finalized.last);
    await expect(saleRow().innerText()).resolves.toMatch(/finalized sale INV-/);
    await expect(isolatedHolder(sentence, 'fdp.exe')).resolves.toBe(true);
    await expect(isolatedHolder(saleRow().locator('td').nth(1), 'fdp.exe')).resolves.toBe(true);
  });

  it('shows the invisible characters as markers in the entry', async () => {
    await saleRow().getByRole('link').click();
    const drawer = page.getByRole('dialog');
    await poll(() => drawer.getByRole('table', { name: 'Who' }).innerText()).toContain('abc⟨U+202E⟩fdp.exe');
    await expect(drawer.getByRole('table', { name: 'Target' }).innerText()).resolves.toContain('INV-⟨U+200B⟩1042');
    await expect(drawer.innerText()).resolves.not.toContain(RLO);
  });

  it('shows an account with its markers, isolated, on the suspicious sign-ins screen', async () => {
    await page.goto('/suspicious-sign-ins');
    const row = page.getByTestId('failed-logins').getByRole('row').filter({ hasText: 'mallory-rlo' });
    await poll(() => row.count()).toBe(1);
    await expect(row.innerText()).resolves.toContain('mallory⟨U+202E⟩@example.test');
    await expect(row.innerText()).resolves.not.toContain(RLO);
    await expect(isolatedHolder(row, '@example.test')).resolves.toBe(true);
  });

  it('shows the names on the AI actions screen with their markers, isolated', async () => {
    await page.goto('/ai-actions');
    const line = page.getByTestId('ai-action');
    await poll(() => line.count()).toBe(1);
    // the sentence, the decision and the recorder all name the actor
    await expect(line.getByRole('link').innerText()).resolves.toContain('abc⟨U+202E⟩fdp.exe accepted AI recommendation Happy hour ⟨U+202E⟩tsrif');
    await expect(line.getByTestId('ai-decision').innerText()).resolves.toBe('Approved by abc⟨U+202E⟩fdp.exe (Cashier)');
    await expect(line.innerText()).resolves.not.toContain(RLO);
    await expect(isolatedHolder(line, 'fdp.exe')).resolves.toBe(true);
    await expect(isolatedHolder(line, 'tsrif')).resolves.toBe(true);
  });
});
