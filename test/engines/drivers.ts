// Two engines behind one small interface, so every flow is written once:
// - Firefox (Debian's firefox-esr) through puppeteer-core over WebDriver BiDi;
// - WebKit (WebKitGTK's MiniBrowser, Safari's engine) through selenium-webdriver and WebKitWebDriver, which
//   scripts/engines.mjs starts on an Xvfb display and names in WEBKIT_WEBDRIVER_URL.
// No browser is ever downloaded. Clicks are real pointer input (an Actions pointer click in WebKit, where
// Element Click on an element inside a shadow root is refused as intercepted); text is typed as key presses.

import type { ElementHandle, Browser as Puppeteer, BrowserContext as PuppeteerContext, Page as PuppeteerPage } from 'puppeteer-core';
import puppeteer from 'puppeteer-core';
import { Builder, Key, type WebDriver, type WebElement } from 'selenium-webdriver';

export type EngineName = 'firefox' | 'webkit';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

export type Keys = 'Enter' | 'Escape' | 'Tab' | 'Shift+Enter';

/**
 * A function run in the page: its source is sent (with the in-page library in front, see `dom.ts`), so it
 * must use nothing from the test module but the library and its arguments, and return JSON-able data.
 */
export type InPage<A extends unknown[], T> = (...args: A) => T;

export interface EnginePage {
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Run `source` (a function expression) with `args` in the page; its result as JSON. */
  run<T>(source: string, args: unknown[]): Promise<T>;
  /** A real pointer click at the centre of the element `source(args)` returns in the page. */
  click(source: string, args: unknown[]): Promise<void>;
  /** Type into the focused element, key by key. */
  type(text: string): Promise<void>;
  press(key: Keys): Promise<void>;
  /** What the engine itself reported (Firefox: console errors and page errors over BiDi); WebKit reports nothing. */
  engineProblems(): string[];
  close(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  /** A page in a fresh profile (its own storage). */
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

/** Settle within `ms` or fail with `what`: a hung driver command must not hang the test run. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---- Firefox ----------------------------------------------------------------------------------

async function launchFirefox(): Promise<Engine> {
  const browser: Puppeteer = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    // Keep Firefox from calling home (updates, telemetry, safe browsing lists): the network is closed.
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
    },
  });
  const contexts = new Set<PuppeteerContext>();
  return {
    name: 'firefox',
    async newPage() {
      const context = await browser.createBrowserContext();
      contexts.add(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return firefoxPage(page, async () => {
        contexts.delete(context);
        await context.close();
      });
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

function firefoxPage(page: PuppeteerPage, close: () => Promise<void>): EnginePage {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error instanceof Error ? error.message : String(error)}`));
  const call = (source: string, args: unknown[]) => `(${source})(...${JSON.stringify(args)})`;
  const keys: Record<Exclude<Keys, 'Shift+Enter'>, 'Enter' | 'Escape' | 'Tab'> = { Enter: 'Enter', Escape: 'Escape', Tab: 'Tab' };
  return {
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
    },
    async reload() {
      await page.reload({ waitUntil: 'load' });
    },
    run: <T>(source: string, args: unknown[]) => page.evaluate(call(source, args)) as Promise<T>,
    async click(source, args) {
      const handle = await page.evaluateHandle(call(source, args));
      const element = handle.asElement() as ElementHandle<Element> | null;
      if (!element) {
        await handle.dispose();
        throw new Error(`nothing to click: ${JSON.stringify(args)}`);
      }
      try {
        await element.click();
      } finally {
        await element.dispose();
      }
    },
    type: (text) => page.keyboard.type(text),
    async press(key) {
      if (key !== 'Shift+Enter') return page.keyboard.press(keys[key]);
      await page.keyboard.down('Shift');
      await page.keyboard.press('Enter');
      await page.keyboard.up('Shift');
    },
    engineProblems: () => problems,
    close,
  };
}

// ---- WebKit -----------------------------------------------------------------------------------

async function connectWebKit(): Promise<Engine> {
  const server = process.env.WEBKIT_WEBDRIVER_URL;
  if (!server) throw new Error('WEBKIT_WEBDRIVER_URL is not set: run the engine tests with `npm run test:engines`.');
  const sessions = new Set<WebDriver>();
  const capabilities = {
    browserName: 'MiniBrowser',
    'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
  };
  /** A new session within `wait` ms; one that comes later is quit. */
  const startSession = async (wait: number): Promise<WebDriver> => {
    const session = new Builder().usingServer(server).withCapabilities(capabilities).build();
    try {
      return await within(session, wait, 'new WebKit session');
    } catch (error) {
      session.then((late) => late.quit()).catch(() => undefined);
      throw error;
    }
  };
  return {
    name: 'webkit',
    // One session (one MiniBrowser, an ephemeral profile) per page: about half a second. A MiniBrowser that
    // fails to start (seen once under load: "cannot open display" on a live Xvfb) leaves the request unanswered:
    // ask once more.
    async newPage() {
      const driver = await startSession(20_000).catch((error: Error) => {
        console.error(`[engines] ${error.message}; asking for another`);
        return startSession(30_000);
      });
      sessions.add(driver);
      await driver.manage().setTimeouts({ script: 15_000, pageLoad: 20_000 });
      await driver.manage().window().setRect({ width: 1280, height: 800 });
      return webkitPage(driver, async () => {
        sessions.delete(driver);
        await within(driver.quit(), 10_000, 'quit WebKit session');
      });
    },
    async close() {
      for (const driver of sessions) await within(driver.quit(), 10_000, 'quit WebKit session').catch(() => undefined);
      sessions.clear();
    },
  };
}

function webkitPage(driver: WebDriver, close: () => Promise<void>): EnginePage {
  const body = (source: string) => `return (${source}).apply(null, arguments);`;
  const keys: Record<Exclude<Keys, 'Shift+Enter'>, string> = { Enter: Key.ENTER, Escape: Key.ESCAPE, Tab: Key.TAB };
  return {
    goto: (url) => driver.get(url),
    async reload() {
      // Make sure a new document replaced the old one before going on.
      const origin = () => driver.executeScript('return performance.timeOrigin + ":" + document.readyState;') as Promise<string>;
      const before = (await origin()).split(':')[0];
      await driver.navigate().refresh();
      const end = Date.now() + 15_000;
      for (;;) {
        const [now, state] = (await origin().catch(() => ':')).split(':');
        if (now && now !== before && state === 'complete') return;
        if (Date.now() > end) throw new Error(`reload: still ${now === before ? 'the old document' : `loading (${state})`} after 15 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    run: <T>(source: string, args: unknown[]) => driver.executeScript(body(source), ...args) as Promise<T>,
    async click(source, args) {
      const element = (await driver.executeScript(body(source), ...args)) as WebElement | null;
      if (!element) throw new Error(`nothing to click: ${JSON.stringify(args)}`);
      await driver.actions({ async: true }).move({ origin: element }).click().perform();
    },
    type: (text) => driver.actions({ async: true }).sendKeys(text).perform(),
    async press(key) {
      const actions = driver.actions({ async: true });
      if (key === 'Shift+Enter') await actions.keyDown(Key.SHIFT).sendKeys(Key.ENTER).keyUp(Key.SHIFT).perform();
      else await actions.sendKeys(keys[key]).perform();
    },
    engineProblems: () => [],
    close,
  };
}

/** The engine named by the ENGINE environment variable (scripts/engines.mjs sets it). */
export function engineName(): EngineName {
  const name = process.env.ENGINE;
  if (name !== 'firefox' && name !== 'webkit') throw new Error(`ENGINE must be firefox or webkit, not ${String(name)}`);
  return name;
}

export const startEngine = (name: EngineName = engineName()): Promise<Engine> => (name === 'firefox' ? launchFirefox() : connectWebKit());
