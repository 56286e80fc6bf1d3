import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, describeInChromium, startChromiumTestBed, type ChromiumTestBed } from '../support/browser';
import { TEST_OWNER } from '../support/test-app';

/** The app's sign-in page in a real Chromium against the real backend. Screenshots land in test-artifacts/. */
describeInChromium('sign-in page in Chromium', () => {
  let bed: ChromiumTestBed;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    bed = await startChromiumTestBed();
    ({ browser, base } = bed);
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('signs in, shows who is signed in, keeps the session on reload, and signs out', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(base);
    await page.getByTestId('login-form').waitFor();

    await page.getByTestId('login-email').fill(TEST_OWNER.email);
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await page.getByText('Wrong e-mail or password').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'login-error.png') });

    await page.getByTestId('login-password').fill(TEST_OWNER.password);
    await page.getByTestId('login-password').press('Enter');
    const who = page.getByTestId('current-user');
    await who.waitFor();
    expect(await who.textContent()).toContain(TEST_OWNER.email);
    expect(await page.evaluate('localStorage.getItem("bluebird.accessToken")')).toMatch(/^ey/);
    await page.getByTestId('health-status').getByText('ok').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'login-signed-in.png') });

    await page.reload();
    await page.getByTestId('current-user').waitFor();

    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    expect(await page.evaluate('localStorage.getItem("bluebird.accessToken")')).toBeNull();
    await page.close();
  });
});
