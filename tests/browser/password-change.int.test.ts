import { totpCodeAt } from '@modula/domain';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, openSignIn as openBrowserSignIn, screenshot, submitPassword } from './browser.ts';

/**
 * The signed-in user's own password change, in a real Chromium: from the header's account menu
 * (an Admin) and from the "no access" screen (a Cashier). The service's refusals are shown in its
 * words, the other sessions are signed out, and the new password signs in.
 */
describe('changing one’s own password in the browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let tenantId: string;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    ({ tenantId } = await stack.createTenant('Password Bistro'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const openSignIn = () => openBrowserSignIn(browser, stack.baseUrl);

  /** Fills the dialog and sends it; returns once the service answered. */
  async function changeTo(page: Page, current: string, next: string, confirmation = next) {
    const dialog = page.getByRole('dialog', { name: 'Change your password' });
    // Mantine puts the required mark after the label's words
    await dialog.getByLabel(/^Current password/).fill(current);
    await dialog.getByLabel(/^New password/).fill(next);
    await dialog.getByLabel(/^Confirm new password/).fill(confirmation);
    const answered = confirmation === next ? page.waitForResponse((r) => r.url().includes('/trpc/auth.changePassword')) : undefined;
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await answered;
    return dialog;
  }

  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

  it('an Admin changes it from the account menu: refusals in the service’s words, then the other session ends and the new password signs in', async () => {
    const admin = await makeUser(stack, tenantId, 'ADMIN', 'Pat Password');
    // enrolled (and signed in elsewhere) through the API: that session is the "other" one
    const elsewhere = await signInFirstTime(stack, admin.email);
    const secret = elsewhere.secret!;
    const page = await openSignIn();
    await submitPassword(page, admin.email, PASSWORD);
    await page.getByLabel('6-digit code').fill(totpCodeAt(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();

    await page.getByRole('button', { name: 'Pat Password', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Change password…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change your password' });
    await expect(dialog.getByText(/At least 12 characters with letters and digits/).count()).resolves.toBe(1);
    const alert = dialog.getByRole('alert');

    await changeTo(page, 'not the password 1', 'plum Vivid 87 harbor');
    await poll(() => alert.innerText()).toContain('The current password is wrong.');
    await changeTo(page, PASSWORD, 'password1234');
    await poll(() => alert.innerText()).toMatch(/Password is too easy to guess/);
    await changeTo(page, PASSWORD, PASSWORD);
    await poll(() => alert.innerText()).toContain('The new password must differ from the current one.');
    // the confirmation is checked before anything is sent
    await changeTo(page, PASSWORD, 'plum Vivid 87 harbor', 'plum Vivid 87 harbour');
    await poll(() => dialog.getByText('The two new passwords differ. Type the same password twice.').count()).toBe(1);

    await changeTo(page, PASSWORD, 'plum Vivid 87 harbor');
    const done = dialog.getByRole('status');
    await poll(() => done.innerText()).toContain('1 other session was signed out; this one stays signed in.');
    await dialog.getByRole('button', { name: 'Done' }).click();
    // the session the API opened is over; this one is not
    expect((await trpc(stack, 'query', 'auth.me', undefined, { cookie: elsewhere.cookie })).code).toBe('UNAUTHORIZED');
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();

    // the old password is now one of the last four: refused with the history rule
    await page.getByRole('button', { name: 'Pat Password', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Change password…' }).click();
    await changeTo(page, 'plum Vivid 87 harbor', PASSWORD);
    await poll(() => alert.innerText()).toContain('The new password must differ from your last 4 passwords');
    await screenshot(page, 'password-change');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await submitPassword(page, admin.email, PASSWORD);
    await poll(() => page.getByRole('alert').innerText()).toContain('Wrong email or password.');
    await submitPassword(page, admin.email, 'plum Vivid 87 harbor');
    // a code of the next time-step: the one used above may not be replayed
    await page.getByLabel('6-digit code').fill(totpCodeAt(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.context().close();
  });

  it('a Cashier, who cannot read the log, changes it from the "no access" screen and signs in with the new one', async () => {
    const cashier = await makeUser(stack, tenantId, 'CASHIER', 'Cass Cashier');
    const page = await openSignIn();
    await submitPassword(page, cashier.email, PASSWORD);
    await page.getByRole('heading', { name: 'No access to the audit log' }).waitFor();
    await page.getByRole('button', { name: 'Change password…' }).click();
    const dialog = await changeTo(page, PASSWORD, 'copper Lantern 52 meadow');
    await poll(() => dialog.getByRole('status').innerText()).toContain('You had no other session open');
    await dialog.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await submitPassword(page, cashier.email, 'copper Lantern 52 meadow');
    await page.getByRole('heading', { name: 'No access to the audit log' }).waitFor();
    await page.context().close();
  });
});
