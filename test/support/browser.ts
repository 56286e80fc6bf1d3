import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TEST_OWNER, startTestApp, type TestApp } from './test-app';
import { describeIf } from './test-database';

/** Debian's Chromium, driven by playwright-core (never `playwright install`). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export const ARTIFACTS = join(__dirname, '../../test-artifacts');

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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

/** describe() for the browser suites: skipped, saying why, where there is no Chromium. */
export const describeInChromium = describeIf(hasChromium, `browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

export interface ChromiumTestBed {
  t: TestApp;
  browser: Browser;
  /** Where the app listens, e.g. http://127.0.0.1:40123 */
  base: string;
  close(): Promise<void>;
}

/** The real backend listening on a loopback port, and Chromium to drive it. */
export async function startChromiumTestBed(): Promise<ChromiumTestBed> {
  const t = await startTestApp();
  try {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    const browser = await launchChromium();
    return {
      t,
      browser,
      base: `http://127.0.0.1:${port}`,
      async close() {
        await browser.close();
        await t.close();
      },
    };
  } catch (error) {
    await t.close();
    throw error;
  }
}

/** Opens the app and signs in as the test owner; resolves once the header shows who is signed in. */
export async function signInAsOwner(page: Page, base: string): Promise<void> {
  await page.goto(base);
  await page.getByTestId('login-email').fill(TEST_OWNER.email);
  await page.getByTestId('login-password').fill(TEST_OWNER.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
}

/** Resolves once the designer says every edit has reached the server. */
export async function allChangesSaved(page: Page): Promise<void> {
  await page.getByTestId('save-state').getByText('All changes saved').waitFor();
}
