import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, hasChromium, launchChromium } from '../support/browser';
import { TEST_OWNER, startTestApp, type TestApp } from '../support/test-app';
import { describeIf } from '../support/test-database';

/** The app's sign-in page in a real Chromium against the real backend. Screenshots land in test-artifacts/. */
describeIf(hasChromium, 'browser tests need Chromium at /usr/bin/chromium (apt-get install -y chromium)')('sign-in page in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
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
