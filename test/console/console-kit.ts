// What the console's browser tests share: Debian's Chromium driven by puppeteer-core (never a downloaded
// browser), a page that records the errors its scripts threw, screenshots kept as test artifacts, and a
// coordinator with a runner (the workflow tests' stack: scripted, shell and test executors).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ROOT } from '../helpers/fixtures.js';
import type { RunnerKit } from '../runner/runner-kit.js';

/** The browser's globals, in functions that run in the page (this program has no DOM types). */
declare const document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };

/** The Chromium the tests drive: CHROMIUM_PATH, else Debian's package (.ci/run installs it). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Whether a browser is here; the browser tests are skipped (saying so) without one. */
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Firefox (ESR from Debian), driven over WebDriver BiDi: FIREFOX_PATH, else Debian's package. */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const HAVE_FIREFOX = existsSync(FIREFOX);
/** Where screenshots go (git ignores it; CI keeps it as an artifact). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

/** Close `browser` when the kit cleans up, and kill its process group (no browser process outlives a test). */
function closedOnCleanup(kit: RunnerKit, browser: Browser): Browser {
  const pid = browser.process()?.pid;
  kit.afterCleanup(async () => {
    await browser.close().catch(() => undefined);
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // its group is gone already
      }
    }
  });
  return browser;
}

/** Launch Chromium headless; closed (and its processes gone) when the kit cleans up, even after a failure. */
export async function launchBrowser(kit: RunnerKit): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Tests run as root in CI (no sandbox there); no GPU; /dev/shm may be small in containers.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
    protocolTimeout: 60_000,
  });
  return closedOnCleanup(kit, browser);
}

/** Launch Firefox headless (WebDriver BiDi); closed when the kit cleans up, even after a failure. */
export async function launchFirefox(kit: RunnerKit): Promise<Browser> {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, protocolTimeout: 90_000 });
  return closedOnCleanup(kit, browser);
}

/** A page that keeps what went wrong in it: uncaught script errors and failed requests for our own assets. */
export interface WatchedPage {
  page: Page;
  errors: string[];
}

/** A new tab, `width` wide (phone width is 390), recording script errors. */
export async function openPage(browser: Browser, width = 1280): Promise<WatchedPage> {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900 });
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${(error as Error).message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { page, errors };
}

/** Save a screenshot of the whole page as test-artifacts/console/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) as `${string}.png`, fullPage: true });
}

/** The text of the first element `selector` matches, once some element matches it. */
export async function textOf(page: Page, selector: string): Promise<string> {
  await page.waitForSelector(selector);
  return page.$eval(selector, (el: { textContent: string | null }) => el.textContent ?? '');
}

/** Wait until the element `selector` matches holds `text` (the page updated itself). */
/**
 * Click what `selector` matches at the moment of the click. A live page replaces its parts as the state
 * changes (a run's header and its buttons), and puppeteer's page.click finds the element first and clicks
 * it after scrolling: a part replaced in between is "detached from document", which a busy machine makes
 * likely. This finds and clicks in one step in the page.
 */
export async function clickLive(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(selector);
  await page.$eval(selector, (element) => (element as unknown as { click(): void }).click());
}

export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    (sel: string, wanted: string) => Array.from(document.querySelectorAll(sel)).some((el) => (el.textContent ?? '').includes(wanted)),
    {},
    selector,
    text,
  );
}
