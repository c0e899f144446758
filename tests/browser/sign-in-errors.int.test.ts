import { totpCodeAt } from '@modula/domain';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { buildWebIfStale } from '../../web/scripts/build-if-stale.ts';
import { launchChromium, openSignIn as openBrowserSignIn, previousStepCode, submitPassword } from './browser.ts';

/**
 * What a refused sign-in tells the person, in a real Chromium: a wrong code during enrolment, and
 * the lock after repeated wrong passwords (the service's TOO_MANY_REQUESTS).
 */
describe('sign-in refusals in the browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let tenantId: string;

  beforeAll(async () => {
    await buildWebIfStale();
    stack = await startStack({ env: VIEWER_ENV });
    ({ tenantId } = await stack.createTenant('Refusing Bistro'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const openSignIn = () => openBrowserSignIn(browser, stack.baseUrl);

  it('says a wrong enrolment code is wrong, and the right one then signs in', async () => {
    const user = await makeUser(stack, tenantId, 'ADMIN', 'Ada Admin');
    const page = await openSignIn();
    await submitPassword(page, user.email, PASSWORD);
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
    const wrong = String((Number(totpCodeAt(secret)) + 500_000) % 1_000_000).padStart(6, '0');

    await page.getByLabel('6-digit code').fill(wrong);
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 10_000 }).toContain('That code is wrong, expired or already used.');
    // still on the enrolment step: the QR code and the key stay for the next try
    await expect(page.getByTestId('totp-secret').count()).resolves.toBe(1);

    // taken only now, with 10 s of its step left: the refusal above takes a round trip and a poll, and
    // the previous step's code is refused once the server's clock enters the next step
    await page.getByLabel('6-digit code').fill(await previousStepCode(secret));
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.getByLabel('I have stored my recovery codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.context().close();
  });

  it('signs in with a recovery code in place of the app’s code, once; the same code is then refused', async () => {
    const user = await makeUser(stack, tenantId, 'ADMIN', 'Rita Recovery');
    const first = await trpc(stack, 'mutation', 'auth.login', { email: user.email, password: PASSWORD });
    const confirmed = await trpc(stack, 'mutation', 'auth.confirmTotp', {
      enrollmentToken: first.data.enrollmentToken,
      code: await previousStepCode(first.data.secret),
    });
    const code = (confirmed.data.recoveryCodes as string[])[0]!;
    const useCode = async () => {
      const page = await openSignIn();
      await submitPassword(page, user.email, PASSWORD);
      await page.getByRole('button', { name: 'Lost your phone? Use a recovery code' }).click();
      await page.getByRole('textbox', { name: 'Recovery code' }).fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      return page;
    };
    const once = await useCode();
    await once.getByRole('heading', { name: 'Audit log' }).waitFor();
    await once.context().close();
    const twice = await useCode();
    await expect.poll(() => twice.getByRole('alert').innerText(), { timeout: 10_000 }).toContain('That recovery code is wrong or has already been used.');
    await twice.context().close();
  });

  it('says "wrong email or password" without telling which, then that the account is locked', async () => {
    const user = await makeUser(stack, tenantId, 'ADMIN', 'Lee Locked');
    const page = await openSignIn();
    const alert = page.getByRole('alert');

    await submitPassword(page, `nobody-${Date.now()}@example.test`, 'not the password');
    await expect.poll(() => alert.innerText()).toContain('Wrong email or password.');

    const messages: string[] = [];
    for (let attempt = 1; attempt <= 11 && !messages.at(-1)?.includes('locked'); attempt++) {
      await submitPassword(page, user.email, `wrong password ${attempt}`);
      messages.push(await alert.innerText());
    }
    expect(messages[0]).toContain('Wrong email or password.');
    expect(messages.at(-1)).toContain('sign-in is locked for this account. Try again later.');
    // the lock holds for the right password too
    await submitPassword(page, user.email, PASSWORD);
    await expect.poll(() => alert.innerText()).toContain('locked');
    await expect(page.getByTestId('totp-secret').count()).resolves.toBe(0);
    await page.context().close();
  });
});
