/**
 * The viewer's figures for `pnpm bench` (issue 13): an Admin's browser (the real headless
 * Chromium of the browser tests) against the bench's own server, on one tenant holding `events`
 * events seeded as the worker stores them (every trigger and index fed: search, counts, actors)
 * with a signed checkpoint at its head, as a live log has. Measured: the time from navigation to
 * the first rows of the log; then "Load more" clicked 200 times (50 rows a page, 10,000 rows), with
 * the time of each page (click → the loaded count moves on) and the page's JS heap after the 1st
 * and the 200th page (CDP Performance.getMetrics JSHeapUsedSize, after a forced garbage collection).
 */
import type { Orm } from '@modula/db';
import { createCheckpoint, createUser, loadSigner, totpCodeAt } from '@modula/domain';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../tests/browser/browser.ts';
import { buildWebIfStale } from '../web/scripts/build-if-stale.ts';
import { seedTenant } from './reads.ts';
import { repeat, summary, type TMinMedianMax } from './stats.ts';

const PAGES = 200;
const PASSWORD = 'bench viewer password 4821 of some length';

export interface TViewerFigures {
  events: number;
  seedSeconds: number;
  /** Navigation to the first row of the log on screen, ms, over `runs` page loads. */
  firstRowsMs: TMinMedianMax;
  /** "Load more": the 1st and the 200th page, and the median of pages 191–200, ms. */
  page1Ms: number;
  page200Ms: number;
  pages191to200MedianMs: number;
  /** JS heap used by the page after a forced GC, MiB: with the first 50 rows, after page 1, after page 200. */
  heapFirstRowsMiB: number;
  heapPage1MiB: number;
  heapPage200MiB: number;
  rowsLoaded: number;
}

export interface TViewerBenchOptions {
  orm: Orm;
  /** The owner's URL (seeding feeds the triggers as the owner). */
  url: string;
  baseUrl: string;
  /** The server's DATA_DIR: its signing key signs the checkpoint the badge's quick check starts from. */
  dataDir: string;
  events: number;
  runs: number;
  log?: (m: string) => void;
}

/** Builds the viewer into web/dist if it is older than its sources: call before the server starts (it serves web/dist if present then). */
export const prepareViewerBuild = (log: (m: string) => void) => buildWebIfStale(log);

/** A tRPC mutation over HTTP, as the viewer's sign-in sends it; returns the data and the session cookie. */
async function mutate(baseUrl: string, path: string, input: unknown): Promise<{ data: any; cookie: string | undefined }> {
  const res = await fetch(`${baseUrl}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await res.json()) as any;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => /^((?:__Host-)?modula_session=[^;]*)/.exec(c)?.[1])
    .find(Boolean);
  return { data: body.result.data, cookie };
}

/** An Admin of the tenant, enrolled in TOTP and signed in: the session cookie. */
async function signedInAdmin(o: TViewerBenchOptions, tenantId: string): Promise<string> {
  const email = `bench-admin-${Date.now().toString(36)}@example.test`;
  await createUser(o.orm, { tenantId, email, password: PASSWORD, role: 'ADMIN', name: 'Bench Admin' });
  const first = await mutate(o.baseUrl, 'auth.login', { email, password: PASSWORD });
  const secret = first.data.secret as string;
  const confirmed = await mutate(o.baseUrl, 'auth.confirmTotp', { enrollmentToken: first.data.enrollmentToken, code: totpCodeAt(secret, Date.now() - 30_000) });
  if (!confirmed.cookie) throw new Error('sign-in gave no session cookie');
  return confirmed.cookie;
}

async function heapMiB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN) / 2 ** 20;
}

/**
 * Clicks "Load more" `pages` times in the page, each time waiting until the loaded count moves on
 * and the next frame is painted; returns each page's ms. The script is a string: tsx (esbuild
 * keepNames) would wrap a function's inner arrows in a `__name` helper the page does not have.
 */
const LOAD_PAGES = `async (n) => {
  const button = () => document.querySelector('button#log-end');
  const loaded = () => document.querySelector('[data-testid="loaded-count"]')?.textContent;
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  const times = [];
  for (let i = 0; i < n && button(); i++) {
    const before = loaded();
    const t = performance.now();
    button().click();
    while (button() && loaded() === before) await frame();
    await frame();
    times.push(performance.now() - t);
  }
  return times;
}`;
const loadPages = (page: Page, pages: number): Promise<number[]> => page.evaluate(`(${LOAD_PAGES})(${pages})`);

export async function measureViewerFigures(o: TViewerBenchOptions): Promise<TViewerFigures> {
  const log = o.log ?? (() => {});
  log(`viewer: seeding ${o.events} events into one tenant (every trigger fed), then its first checkpoint`);
  let t = performance.now();
  const tenantId = await seedTenant(o.orm, o.url, o.events);
  await createCheckpoint(o.orm, loadSigner({ DATA_DIR: o.dataDir }), tenantId);
  const seedSeconds = (performance.now() - t) / 1000;
  const cookie = await signedInAdmin(o, tenantId);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({ baseURL: o.baseUrl, viewport: { width: 1440, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    context.setDefaultTimeout(120_000);
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: o.baseUrl }]);
    const page = await context.newPage();
    const firstRows = async () => {
      t = performance.now();
      await page.goto('/');
      await page.getByTestId('log-row').first().waitFor();
      return performance.now() - t;
    };
    log(`viewer: first rows × ${o.runs} (after one warm-up load)`);
    await firstRows();
    const firstRowsMs = summary(await repeat(o.runs, firstRows));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heapFirstRowsMiB = await heapMiB(cdp);
    log(`viewer: "Load more" × ${PAGES}`);
    const [page1Ms] = await loadPages(page, 1);
    const heapPage1MiB = await heapMiB(cdp);
    const rest = await loadPages(page, PAGES - 1);
    const heapPage200MiB = await heapMiB(cdp);
    const times = [page1Ms!, ...rest];
    const last10 = times.slice(-10).sort((a, b) => a - b);
    const loadedText = ((await page.getByTestId('load-more').textContent()) ?? '').replaceAll(',', '');
    return {
      events: o.events,
      seedSeconds,
      firstRowsMs,
      page1Ms: page1Ms!,
      page200Ms: times.at(-1)!,
      pages191to200MedianMs: last10[Math.floor(last10.length / 2)]!,
      heapFirstRowsMiB,
      heapPage1MiB,
      heapPage200MiB,
      rowsLoaded: Number(/(\d+)/.exec(loadedText)?.[1] ?? Number.NaN),
    };
  } finally {
    await browser?.close();
  }
}

/** The bench table's rows for the viewer. */
export function viewerRows(v: TViewerFigures): [string, string, string][] {
  const n = v.events.toLocaleString('en');
  const f = (m: TMinMedianMax) => `${m.min.toFixed(0)} / ${m.median.toFixed(0)} / ${m.max.toFixed(0)}`;
  return [
    [`6. viewer at ${n} events: navigation to the first rows (Chromium)`, 'ms', f(v.firstRowsMs)],
    [`   "Load more", page 1 (rows 51–100); browser JS heap after it`, 'ms; MiB', `${v.page1Ms.toFixed(0)}; ${v.heapPage1MiB.toFixed(1)}`],
    [
      `   "Load more", page 200 (${v.rowsLoaded.toLocaleString('en')} rows loaded); median of pages 191–200; JS heap`,
      'ms; ms; MiB',
      `${v.page200Ms.toFixed(0)}; ${v.pages191to200MedianMs.toFixed(0)}; ${v.heapPage200MiB.toFixed(1)}`,
    ],
    [
      `   JS heap with the first 50 rows; seeding ${n} events (triggers fed) and their first checkpoint`,
      'MiB; s',
      `${v.heapFirstRowsMiB.toFixed(1)}; ${v.seedSeconds.toFixed(0)}`,
    ],
  ];
}
