import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { loadConfig } from '@modula/config';
import { createOperator } from '@modula/domain';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, newViewerContext } from '../browser/browser.ts';

/**
 * Browser hardening, as an attacker meets it: the headers every answer carries (CSP that frames
 * nowhere and runs only the service's own scripts, nosniff), the Origin check that refuses a
 * cookie-authenticated tRPC mutation sent from another origin before it runs, and the
 * `__Host-` session cookie behind HTTPS. The viewer and the queue dashboard are opened in a real
 * Chromium to show they work under their policies.
 */

const EVIL = 'https://evil.example';

/** A raw POST as an attacker's page (or a till) would send it. */
function post(
  stack: TestStack,
  path: string,
  opts: { cookie?: string; origin?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  return fetch(`${stack.baseUrl}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(opts.body ?? {}) });
}

/** The Content-Security-Policy header as directive → sources. */
function cspOf(res: Response): Map<string, string[]> {
  const header = res.headers.get('content-security-policy');
  expect(header, `${res.url}: no Content-Security-Policy`).toBeTruthy();
  return new Map(
    header!
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...sources] = d.split(/\s+/);
        return [name!.toLowerCase(), sources];
      }),
  );
}

async function exportCount(stack: TestStack): Promise<number> {
  const client = new pg.Client({ connectionString: stack.databaseSuperuserUrl });
  await client.connect();
  try {
    return Number((await client.query('select count(*)::int as n from exports')).rows[0].n);
  } finally {
    await client.end();
  }
}

const me = (stack: TestStack, cookie: string) => trpc(stack, 'query', 'auth.me', undefined, { cookie });

describe('browser hardening (plain HTTP, the defaults)', () => {
  let stack: TestStack;
  let tenantId: string;
  let apiKey: string;

  beforeAll(async () => {
    await buildWebIfStale(); // the headers are checked on the built viewer's page
    stack = await startStack({ env: VIEWER_ENV });
    ({ tenantId, apiKey } = await stack.createTenant('Hardened Bistro'));
  });
  afterAll(async () => {
    await stack?.close();
  });

  describe('headers', () => {
    it("serves the viewer's page with a CSP that frames nowhere and runs only its own scripts, and nosniff", async () => {
      for (const path of ['/', '/?range=today&outcome=REJECTED', '/a/client/route']) {
        const res = await fetch(`${stack.baseUrl}${path}`);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
        const csp = cspOf(res);
        expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
        expect(csp.get('default-src'), path).toEqual(["'self'"]);
        expect(csp.get('script-src'), path).toEqual(["'self'"]); // no inline scripts, no eval
        expect(csp.get('script-src-attr'), path).toEqual(["'none'"]);
        expect(csp.get('object-src'), path).toEqual(["'none'"]);
        expect(csp.get('base-uri'), path).toEqual(["'none'"]);
        expect(csp.get('form-action'), path).toEqual(["'self'"]);
        expect(csp.has('upgrade-insecure-requests'), path).toBe(false); // plain HTTP: nothing to upgrade to
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(res.headers.get('x-frame-options'), path).toBe('DENY');
        // not no-referrer: with it a browser sends `Origin: null` on the viewer's own POSTs
        expect(res.headers.get('referrer-policy'), path).toBe('same-origin');
        expect(res.headers.get('strict-transport-security'), path).toBeNull();
        await res.arrayBuffer();
      }
    });

    it("serves the viewer's scripts and styles with nosniff", async () => {
      const html = await (await fetch(`${stack.baseUrl}/`)).text();
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(2);
      for (const asset of assets) {
        const res = await fetch(`${stack.baseUrl}${asset}`);
        expect(res.status, asset).toBe(200);
        expect(res.headers.get('x-content-type-options'), asset).toBe('nosniff');
        await res.arrayBuffer();
      }
    });

    it('needs no inline script in the built viewer (the policy allows none)', () => {
      const html = readFileSync(resolve(import.meta.dirname, '../../web/dist/index.html'), 'utf8');
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts) {
        expect(attrs).toMatch(/\bsrc="\//);
        expect(body!.trim()).toBe('');
      }
      expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers either
    });

    it('sends the same headers with tRPC answers (queries, mutations, errors)', async () => {
      const answers = [
        await fetch(`${stack.baseUrl}/trpc/auth.me`), // 401
        await post(stack, 'ingest.record', { apiKey, body: makeEvent(tenantId) }), // 200
        await post(stack, 'no.such.procedure', { apiKey }), // 404
      ];
      expect(answers.map((r) => r.status)).toEqual([401, 200, 404]);
      for (const res of answers) {
        expect(cspOf(res).get('frame-ancestors'), res.url).toEqual(["'none'"]);
        expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
        await res.arrayBuffer();
      }
    });
  });

  describe('cross-site mutations with the session cookie', () => {
    it("refuses auth.logout from https://evil.example with 403 before it runs: the Admin's session still works", async () => {
      const admin = await signedInAdmin(stack, tenantId);
      const res = await post(stack, 'auth.logout', { cookie: admin.cookie, origin: EVIL });
      expect(res.status).toBe(403);
      const body = (await res.json()) as any;
      expect(body.error.data.code).toBe('FORBIDDEN');
      expect(res.headers.getSetCookie()).toEqual([]); // the cookie is not cleared either
      expect((await me(stack, admin.cookie)).status).toBe(200);
    });

    it('refuses exports.create from another origin: 403 and no export recorded', async () => {
      const admin = await signedInAdmin(stack, tenantId);
      const before = await exportCount(stack);
      for (const origin of [EVIL, 'http://127.0.0.1:1', `${stack.baseUrl.replace('http:', 'https:')}`, 'null']) {
        const res = await post(stack, 'exports.create', { cookie: admin.cookie, origin, body: { format: 'csv' } });
        expect(res.status, origin).toBe(403);
        expect(((await res.json()) as any).error.data.code, origin).toBe('FORBIDDEN');
      }
      expect(await exportCount(stack)).toBe(before);
    });

    it('refuses a cookie-authenticated mutation without an Origin (browsers send one with every POST)', async () => {
      const admin = await signedInAdmin(stack, tenantId);
      const res = await post(stack, 'auth.logout', { cookie: admin.cookie });
      expect(res.status).toBe(403);
      expect((await me(stack, admin.cookie)).status).toBe(200);
    });

    it('refuses it whatever spelling of the path reaches tRPC (percent-encoded)', async () => {
      for (const path of ['/%74rpc/auth.logout', '/trpc/auth%2elogout', '/%74rpc/auth%2elogout']) {
        const admin = await signedInAdmin(stack, tenantId);
        const res = await fetch(`${stack.baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: admin.cookie, origin: EVIL },
          body: '{}',
        });
        expect(res.status, path).toBe(403);
        await res.arrayBuffer();
        expect((await me(stack, admin.cookie)).status, path).toBe(200);
      }
    });

    it('refuses a batched mutation from another origin too', async () => {
      const admin = await signedInAdmin(stack, tenantId);
      const res = await fetch(`${stack.baseUrl}/trpc/auth.logout,exports.create?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: admin.cookie, origin: EVIL },
        body: JSON.stringify({ 0: {}, 1: { format: 'csv' } }),
      });
      expect(res.status).toBe(403);
      await res.arrayBuffer();
      expect((await me(stack, admin.cookie)).status).toBe(200);
    });

    it("accepts the same mutations from the service's own origin", async () => {
      const admin = await signedInAdmin(stack, tenantId);
      const before = await exportCount(stack);
      const created = await post(stack, 'exports.create', { cookie: admin.cookie, origin: stack.baseUrl, body: { format: 'csv' } });
      expect(created.status).toBe(200);
      expect(((await created.json()) as any).result.data.exportId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await exportCount(stack)).toBe(before + 1);
      const out = await post(stack, 'auth.logout', { cookie: admin.cookie, origin: stack.baseUrl });
      expect(out.status).toBe(200);
      await out.arrayBuffer();
      expect((await me(stack, admin.cookie)).code).toBe('UNAUTHORIZED');
    });

    it('does not trust forwarded headers from a proxy that is not listed in TRUST_PROXY', async () => {
      const admin = await signedInAdmin(stack, tenantId);
      const res = await post(stack, 'auth.logout', {
        cookie: admin.cookie,
        origin: 'https://audit.example.test',
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'audit.example.test' },
      });
      expect(res.status).toBe(403);
      expect((await me(stack, admin.cookie)).status).toBe(200);
    });

    it("leaves API keys alone: a till's ingest without Origin is accepted, and so is one from the till's own web origin", async () => {
      const first = await post(stack, 'ingest.record', { apiKey, body: makeEvent(tenantId) });
      expect(first.status).toBe(200);
      expect(((await first.json()) as any).result.data.eventId).toBeTruthy();
      const fromTillPage = await post(stack, 'ingest.record', { apiKey, origin: 'https://till.example', body: makeEvent(tenantId) });
      expect(fromTillPage.status).toBe(200);
      await fromTillPage.arrayBuffer();
    });

    it('leaves the sign-in itself alone (no session cookie yet)', async () => {
      const { cookie } = await signInFirstTime(stack, (await makeUser(stack, tenantId, 'CASHIER')).email);
      expect(cookie).toMatch(/^modula_session=mas_/); // plain HTTP: the name stays modula_session
    });
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let attacker: Server;
    let attackerUrl: string;
    let attackerPage = '';

    beforeAll(async () => {
      browser = await launchChromium();
      // another origin on the same host: same-site, so SameSite=Strict still sends the cookie — only the Origin check stops it
      attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage));
      await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
      attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((r) => attacker?.close(r));
    });

    /** A browser profile holding the session cookie, and a page that records every CSP violation. */
    async function pageWithCookie(cookie: string): Promise<{ context: BrowserContext; page: Page; violations: string[] }> {
      const context = await newViewerContext(browser, stack.baseUrl);
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: stack.baseUrl, httpOnly: true, sameSite: 'Strict' }]);
      const page = await context.newPage();
      const violations: string[] = [];
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
      });
      page.on('console', (msg) => {
        if (/Content Security Policy|CSP violation/i.test(msg.text())) violations.push(msg.text());
      });
      page.on('pageerror', (err) => violations.push(`page error: ${err.message}`));
      return { context, page, violations };
    }

    it('runs the viewer under the policy without a CSP violation; its own sign-out (a POST with its Origin) is accepted', async () => {
      const admin = await signedInAdmin(stack, tenantId);
      const { context, page, violations } = await pageWithCookie(admin.cookie);
      try {
        await page.goto('/');
        await expect.poll(() => page.getByText(/Chain verified/).count(), { timeout: 15_000 }).toBeGreaterThan(0);
        await expect.poll(() => page.getByTestId('log-row').count(), { timeout: 15_000 }).toBeGreaterThan(0);
        const logout = page.waitForResponse((r) => r.url().includes('/trpc/auth.logout'));
        await page.getByRole('button', { name: 'Sign out' }).first().click();
        expect((await logout).status()).toBe(200);
        await page.waitForURL(/\/sign-in/);
        expect((await me(stack, admin.cookie)).code).toBe('UNAUTHORIZED');
        expect(violations).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('stops a page of another origin from signing the Admin out with a form post, and from framing the viewer', async () => {
      const admin = await signedInAdmin(stack, tenantId);
      const { context, page } = await pageWithCookie(admin.cookie);
      const messages: string[] = [];
      page.on('console', (msg) => messages.push(msg.text()));
      try {
        // a classic CSRF: a multipart form (no preflight) that tRPC would take as the mutation's input
        attackerPage = `<!doctype html><form id="f" method="POST" enctype="multipart/form-data" action="${stack.baseUrl}/trpc/auth.logout">
          <input name="x" value="1"></form><script>document.getElementById('f').submit()</script>`;
        const answer = page.waitForResponse((r) => r.url().includes('/trpc/auth.logout'));
        await page.goto(`${attackerUrl}/csrf`);
        const res = await answer;
        expect((await res.request().allHeaders()).cookie).toContain('modula_session='); // SameSite=Strict let it through
        expect(res.status()).toBe(403);
        expect((await me(stack, admin.cookie)).status).toBe(200);

        // clickjacking: the viewer inside another site's frame is refused by the browser
        attackerPage = `<!doctype html><iframe id="v" src="${stack.baseUrl}/" width="800" height="600"></iframe>`;
        await page.goto(`${attackerUrl}/frame`);
        await expect.poll(() => messages.some((m) => /frame-ancestors 'none'/.test(m)), { timeout: 10_000 }).toBe(true);
        const framed = page.frames().find((f) => f !== page.mainFrame());
        expect(
          (await framed
            ?.locator('#root')
            .count()
            .catch(() => 0)) ?? 0,
        ).toBe(0);
      } finally {
        await context.close();
      }
    });

    it('runs the queue dashboard under its own policy (Google Fonts allowed there only) without a CSP violation', async () => {
      const operator = await createOperator(stack.services.orm, 'csp-operator');
      const authorization = `Basic ${Buffer.from(`${operator.name}:${operator.secret}`).toString('base64')}`;
      const res = await fetch(`${stack.baseUrl}/admin/queues`, { headers: { authorization } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      const csp = cspOf(res);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toContain('https://fonts.googleapis.com');
      expect(csp.get('font-src')).toContain('https://fonts.gstatic.com');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      // and only there
      const viewer = cspOf(await fetch(`${stack.baseUrl}/`));
      expect(viewer.get('style-src')).not.toContain('https://fonts.googleapis.com');
      expect(viewer.get('font-src') ?? []).not.toContain('https://fonts.gstatic.com');

      // the operator's credential, as the browser's Basic prompt would take it: a tenant session is no way in
      const context = await browser.newContext({ baseURL: stack.baseUrl, httpCredentials: { username: operator.name, password: operator.secret } });
      const page = await context.newPage();
      const violations: string[] = [];
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
      });
      page.on('console', (msg) => {
        if (/Content Security Policy|CSP violation/i.test(msg.text())) violations.push(msg.text());
      });
      page.on('pageerror', (err) => violations.push(`page error: ${err.message}`));
      try {
        await page.goto('/admin/queues', { waitUntil: 'domcontentloaded' });
        await expect.poll(() => page.getByText('audit-ingest').count(), { timeout: 15_000 }).toBeGreaterThan(0);
        expect(violations).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});

describe('behind HTTPS: COOKIE_SECURE=true and PUBLIC_ORIGIN', () => {
  const PUBLIC = 'https://audit.example.test';
  let stack: TestStack;
  let tenantId: string;

  beforeAll(async () => {
    stack = await startStack({ worker: false, env: { ...VIEWER_ENV, COOKIE_SECURE: 'true', PUBLIC_ORIGIN: `${PUBLIC}/` } });
    ({ tenantId } = await stack.createTenant('Secure Bistro'));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('names the session cookie __Host-modula_session, with Secure, Path=/ and no Domain', async () => {
    const { email } = await makeUser(stack, tenantId, 'CASHIER');
    const res = await trpc(stack, 'mutation', 'auth.login', { email, password: PASSWORD });
    expect(res.data?.status).toBe('OK');
    // the other cookie is the known-device one (__Host-modula_device, issue 12 item 3)
    const cookie = res.setCookie.find((c) => c.startsWith('__Host-modula_session='))!;
    expect(cookie).toMatch(/^__Host-modula_session=mas_/);
    const attrs = cookie
      .split(';')
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attrs).toContain('secure');
    expect(attrs).toContain('path=/');
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=strict');
    expect(attrs.some((a) => a.startsWith('domain='))).toBe(false);
  });

  it('reads the session under that name only, and clears it under that name', async () => {
    const admin = await signedInAdmin(stack, tenantId);
    expect(admin.cookie).toMatch(/^__Host-modula_session=/);
    expect((await me(stack, admin.cookie)).status).toBe(200);
    // the same token under the plain name (as a sibling subdomain could plant it) is not a session
    expect((await me(stack, admin.cookie.replace(/^__Host-/, ''))).code).toBe('UNAUTHORIZED');
    const out = await trpc(stack, 'mutation', 'auth.logout', undefined, { cookie: admin.cookie, origin: PUBLIC });
    expect(out.status).toBe(200);
    const cleared = out.setCookie.find((c) => c.startsWith('__Host-modula_session=;'));
    expect(cleared).toMatch(/; Secure/i); // a browser ignores a __Host- cookie without Secure, so it must be cleared with it
    expect(cleared).toMatch(/; Path=\//i);
    expect((await me(stack, admin.cookie)).code).toBe('UNAUTHORIZED');
  });

  it('sends HSTS and upgrade-insecure-requests', async () => {
    const res = await fetch(`${stack.baseUrl}/`);
    await res.arrayBuffer();
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
    expect(cspOf(res).has('upgrade-insecure-requests')).toBe(true);
    expect(cspOf(res).get('frame-ancestors')).toEqual(["'none'"]);
  });

  it("takes PUBLIC_ORIGIN as the service's own origin: its Origin is accepted, the Host's is refused", async () => {
    const admin = await signedInAdmin(stack, tenantId);
    for (const origin of [stack.baseUrl, EVIL, 'http://audit.example.test']) {
      const res = await post(stack, 'auth.logout', { cookie: admin.cookie, origin });
      expect(res.status, origin).toBe(403);
      await res.arrayBuffer();
    }
    expect((await me(stack, admin.cookie)).status).toBe(200);
    const res = await post(stack, 'auth.logout', { cookie: admin.cookie, origin: PUBLIC });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect((await me(stack, admin.cookie)).code).toBe('UNAUTHORIZED');
  });
});

describe('behind a listed proxy (TRUST_PROXY): the origin it reports', () => {
  let stack: TestStack;
  let tenantId: string;

  beforeAll(async () => {
    stack = await startStack({ worker: false, env: { ...VIEWER_ENV, TRUST_PROXY: '127.0.0.1' } });
    ({ tenantId } = await stack.createTenant('Proxied Bistro'));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('accepts the Origin the proxy forwarded (X-Forwarded-Proto and -Host) and refuses others', async () => {
    const admin = await signedInAdmin(stack, tenantId);
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'audit.example.test' };
    for (const origin of [EVIL, 'http://audit.example.test', stack.baseUrl]) {
      const res = await post(stack, 'auth.logout', { cookie: admin.cookie, origin, headers: forwarded });
      expect(res.status, origin).toBe(403);
      await res.arrayBuffer();
    }
    expect((await me(stack, admin.cookie)).status).toBe(200);
    const res = await post(stack, 'auth.logout', { cookie: admin.cookie, origin: 'https://audit.example.test', headers: forwarded });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect((await me(stack, admin.cookie)).code).toBe('UNAUTHORIZED');
  });
});

describe('PUBLIC_ORIGIN validation', () => {
  const base = { DATABASE_URL: 'postgres://localhost/x', REDIS_URL: 'redis://localhost' };
  it('takes origins (scheme, host, port), normalised, and refuses anything else', () => {
    expect(loadConfig(base).PUBLIC_ORIGIN).toEqual([]);
    expect(loadConfig({ ...base, PUBLIC_ORIGIN: 'https://Audit.Example.test/, http://10.0.0.5:8080' }).PUBLIC_ORIGIN).toEqual([
      'https://audit.example.test',
      'http://10.0.0.5:8080',
    ]);
    for (const bad of [
      'audit.example.test',
      'ftp://audit.example.test',
      'https://audit.example.test/viewer',
      'https://audit.example.test?x=1',
      'https://user@audit.example.test',
      '*',
    ]) {
      expect(() => loadConfig({ ...base, PUBLIC_ORIGIN: bad }), bad).toThrow(/PUBLIC_ORIGIN/);
    }
  });
});
