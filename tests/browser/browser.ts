import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); Playwright's own download does not work here. */
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

export function launchChromium(): Promise<Browser> {
  // `npm test` installs it (scripts/bootstrap.mjs); a missing browser fails the tests, it does not skip them
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_BIN`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser profile (own cookies) with a fixed size, locale and time zone, so screenshots are stable. */
export async function newViewerContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(10_000);
  return context;
}

/** Saves a screenshot of the page into docs/screenshots (committed; overwritten by each run). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

/** The sign-in page in a fresh browser profile. */
export async function openSignIn(browser: Browser, baseURL: string): Promise<Page> {
  const context = await newViewerContext(browser, baseURL);
  const page = await context.newPage();
  await page.goto('/sign-in');
  return page;
}

/** Types an email and password into the sign-in form and submits it; resolves once the service has answered. */
export async function submitPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  const answered = page.waitForResponse((r) => r.url().includes('/trpc/auth.login'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await answered;
}

/** Runs the header badge's quick chain check again ("Check again" in its details) and closes the details. */
export async function checkChainAgain(page: Page): Promise<void> {
  const again = page.getByRole('button', { name: 'Check again' });
  // details found still fading out (closed by the call before) are not opened again, and their
  // button goes ('element was detached from the DOM'): then they are opened afresh and clicked again
  for (let attempt = 1; ; attempt++) {
    if (!(await again.isVisible())) await page.getByTestId('integrity-badge').click();
    try {
      await again.click({ timeout: 3_000 });
      break;
    } catch (err) {
      if (attempt === 6) throw err;
    }
  }
  await page.keyboard.press('Escape');
}

/**
 * Every loaded row of the log, in order, as its entry link and its first cell (the time): the list
 * keeps only the rows near the viewport in the page, so this scrolls through it from the top.
 */
export async function collectLogRows(page: Page): Promise<{ href: string; time: string }[]> {
  // by the row's place in the list (the virtualiser's data-index), not by when a scroll step first
  // showed it: on a loaded machine the page can render a step late, showing a row after later ones
  const seen = new Map<string, { index: number; time: string }>();
  await page.evaluate(() => window.scrollTo(0, 0));
  for (;;) {
    const batch = await page.getByTestId('log-row').evaluateAll((trs) =>
      trs.map((tr) => ({
        href: tr.querySelector('a')?.getAttribute('href') ?? '',
        time: (tr.querySelector('td') as HTMLElement | null)?.innerText ?? '',
        index: Number(tr.closest('[data-index]')?.getAttribute('data-index') ?? Number.NaN),
      })),
    );
    for (const row of batch) if (!seen.has(row.href)) seen.set(row.href, { index: row.index, time: row.time });
    const atEnd = await page.evaluate(() => {
      const before = window.scrollY;
      window.scrollBy(0, window.innerHeight);
      return window.scrollY === before;
    });
    if (atEnd) break;
    await page.waitForTimeout(50);
  }
  const rows = [...seen].map(([href, { index, time }]) => ({ href, time, index }));
  if (rows.some((r) => !Number.isInteger(r.index))) throw new Error('a log row outside the list (no data-index)');
  return rows.sort((a, b) => a.index - b.index).map(({ href, time }) => ({ href, time }));
}

const AXE = resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js');

/** One accessibility rule that failed, with how many elements it failed on and a few of them. */
export interface TAxeViolation {
  id: string;
  impact: string;
  nodes: number;
  targets: string[];
  /** axe's reason for the first element (the colors and ratio of a contrast failure, say). */
  why?: string;
}

/**
 * axe-core's serious and critical violations of the page as it is now (WCAG 2.0/2.1 A and AA
 * rules), injected into the page from the installed package.
 */
export async function seriousAxeViolations(page: Page): Promise<TAxeViolation[]> {
  // a dialog still fading in has half-transparent text: axe measures the contrast of the colours it
  // has at that instant (white at 80 % over red read 3.09:1 on a loaded machine). Wait for finite
  // transitions and animations to end (a spinner's never does); past 5 s, check what is there.
  await page
    .waitForFunction(
      () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity),
      undefined,
      {
        timeout: 5_000,
      },
    )
    .catch(() => {});
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[]; failureSummary?: string }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.length,
        targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
        why: v.nodes[0]?.failureSummary?.replace(/\s+/g, ' ').slice(0, 300),
      }));
  });
}

export { previousStepCode } from '../../testing/totp.ts';
