import { setTenantTimeZone } from '@modula/domain';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, screenshot, seriousAxeViolations } from './browser.ts';
import { seedViewerLog } from './viewer-seed.ts';

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 10_000 });

/** "1 dic 2026, 14:03:07": a medium date and time in Spanish (months as Intl abbreviates them in es). */
const SPANISH_DATE_TIME = /^\d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic) \d{4}, \d{1,2}:\d{2}:\d{2}$/;

/**
 * Issue 13, item 10 in a browser: an Admin whose browser speaks English switches the viewer to
 * Spanish in the account menu — the log's headings, an event's sentence and its dates are Spanish,
 * `<html lang>` follows, a reload keeps it — then shows times in the tenant's zone (with its
 * offset) and switches both back.
 */
describe('languages and time zones', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    const { tenantId } = await stack.createTenant('Bistro Uno');
    await seedViewerLog(stack, tenantId);
    await setTenantTimeZone(stack.services.orm, tenantId, 'America/Mexico_City');
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

  const accountMenu = () => page.getByRole('banner').getByRole('button', { name: 'Ada Admin' });
  const firstTime = () => page.getByTestId('log-row').first().locator('td').first().innerText();

  it('starts in the browser’s English', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Audit log', level: 2 }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await page.getByRole('columnheader', { name: 'Time (UTC)' }).waitFor();
    await page.getByRole('link', { name: 'Carl Cashier opened cash session Till 7 morning' }).waitFor();
  });

  it('switches to Spanish: headings, sentences and dates, kept after a reload', async () => {
    await accountMenu().click();
    await page.getByRole('menuitem', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Registro de auditoría', level: 2 }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
    for (const heading of ['Hora (UTC)', 'Autor (rol entonces)', 'Acción', 'Resultado', 'Sucursal']) {
      await page.getByRole('columnheader', { name: heading }).waitFor();
    }
    await page.getByRole('link', { name: 'Carl Cashier abrió la sesión de caja Till 7 morning' }).waitFor();
    await page.getByRole('navigation', { name: 'Pantallas' }).getByRole('link', { name: 'Accesos sospechosos' }).waitFor();
    expect(await firstTime()).toMatch(SPANISH_DATE_TIME);
    await page.getByRole('region', { name: 'Filtros' }).getByText('Esta semana').waitFor();
    await screenshot(page, 'log-spanish');
    // the Spanish page is as accessible as the English one
    expect(await seriousAxeViolations(page)).toEqual([]);

    // the entry drawer: its sections and the time with its zone
    await page.getByRole('link', { name: 'Carl Cashier abrió la sesión de caja Till 7 morning' }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText(/^Entrada del registro · n\.º \d+$/).waitFor();
    const whatWhen = drawer.getByRole('table', { name: 'Qué y cuándo' });
    await expect(whatWhen.getByRole('row', { name: /^Ocurrió/ }).innerText()).resolves.toMatch(/\d{1,2} [a-z]{3,4} \d{4}, [\d:]+ \(UTC\)/);
    await drawer.getByRole('button', { name: 'Cerrar la entrada' }).click();

    await page.reload();
    await page.getByRole('heading', { name: 'Registro de auditoría', level: 2 }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
    await poll(firstTime).toMatch(SPANISH_DATE_TIME);
    await expect(page.evaluate(() => localStorage.getItem('modula.language'))).resolves.toBe('es');
  });

  it('shows every screen of the header and the tenant’s name in Spanish, down to the narrowest desktop width', async () => {
    // 1200 px is the narrowest window with the full header (below it the screens fold into a menu)
    for (const width of [1440, 1280, 1200]) {
      await page.setViewportSize({ width, height: 900 });
      const nav = page.getByRole('navigation', { name: 'Pantallas' });
      await nav.getByRole('button', { name: 'Conexiones' }).waitFor();
      const fit = await nav.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(fit.scroll, `screens scroll sideways at ${width} px`).toBeLessThanOrEqual(fit.client);
      for (const entry of await nav.locator('a, button').all()) {
        const box = await entry.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= width, `${await entry.innerText()} within ${width} px`).toBe(true);
      }
      // and the tenant's name is shown whole, not squeezed away by them
      const title = await page
        .getByRole('banner')
        .getByRole('heading', { level: 1 })
        .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, text: el.textContent }));
      expect(title.scroll, `"${title.text}" whole at ${width} px`).toBeLessThanOrEqual(title.client);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('shows times in the tenant’s zone, with its offset, on request', async () => {
    const before = await firstTime();
    await accountMenu().click();
    await page.getByRole('menuitem', { name: /^La zona horaria del negocio \(America\/Mexico_City, GMT-6\)/ }).click();
    await page.getByRole('columnheader', { name: 'Hora (America/Mexico_City, GMT-6)' }).waitFor();
    const after = await firstTime();
    expect(after).toMatch(SPANISH_DATE_TIME);
    // six hours behind UTC (Mexico City keeps no summer time)
    const hour = (text: string) => Number(/, (\d{1,2}):/.exec(text)![1]);
    expect((hour(before) - hour(after) + 24) % 24).toBe(6);
  });

  it('switches back to English and the viewer’s own zone', async () => {
    await accountMenu().click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 2 }).waitFor();
    await accountMenu().click();
    await page.getByRole('menuitem', { name: 'My time zone (UTC)' }).click();
    await page.getByRole('columnheader', { name: 'Time (UTC)' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await page.getByRole('link', { name: 'Carl Cashier opened cash session Till 7 morning' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Audit log', level: 2 }).waitFor();
  });

  it('starts in Spanish for a browser that speaks Spanish, from the sign-in screen on', async () => {
    const context = await browser.newContext({ baseURL: stack.baseUrl, viewport: { width: 1440, height: 900 }, locale: 'es-ES', timezoneId: 'UTC' });
    context.setDefaultTimeout(10_000);
    const spanish = await context.newPage();
    await spanish.goto('/sign-in');
    await spanish.getByText('Inicia sesión para leer el registro de auditoría de tu negocio.').waitFor();
    await spanish.getByLabel('Correo electrónico').waitFor();
    await expect(spanish.locator('html').getAttribute('lang')).resolves.toBe('es');
    await spanish.getByText('English', { exact: true }).click();
    await spanish.getByText('Sign in to read your business’s audit log.').waitFor();
    await expect(spanish.locator('html').getAttribute('lang')).resolves.toBe('en');
    await context.close();
  });
});
