import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSigner } from '@modula/domain';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { checkChainAgain, launchChromium, newViewerContext } from './browser.ts';

/**
 * The chain badge warns when `signing_keys` lists a key this server never pinned (integrity.verify's
 * `notTrustedKeys`: a key a database superuser could have added): orange, and its details name the
 * keys for an operator to check. The chain itself still verifies.
 */
describe('the chain badge and keys the server does not trust', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    const { tenantId } = await stack.createTenant('Untrusted Keys Bistro');
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

  it('shows a warning naming the listed key that was never pinned', async () => {
    await page.goto('/');
    const badge = page.getByTestId('integrity-badge');
    // the first check pins this installation's keys (trust on first use): no warning
    await poll(() => badge.innerText()).toMatch(/^Chain verified · \d+ events? · checked at \d\d:\d\d$/);

    // a database superuser lists a key of their own
    const forger = loadSigner({ DATA_DIR: mkdtempSync(join(tmpdir(), 'modula-untrusted-key-')) });
    const db = new pg.Client({ connectionString: stack.databaseSuperuserUrl });
    await db.connect();
    try {
      await db.query(`insert into signing_keys (key_id, algorithm, public_key) values ($1, 'Ed25519', $2)`, [forger.keyId, forger.publicKeyPem]);
    } finally {
      await db.end();
    }

    await checkChainAgain(page);
    await poll(() => badge.innerText()).toMatch(/^Chain verified · \d+ events? · checked at \d\d:\d\d · untrusted keys$/);
    const warning = `Signed with keys this server does not trust: ${forger.keyId}; an operator must check them.`;
    await expect(badge.getAttribute('aria-label')).resolves.toContain(warning);
    await badge.click();
    await poll(() => page.getByTestId('integrity-details').innerText()).toContain(warning);
  });
});
