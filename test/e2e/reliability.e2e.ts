// Cases from the reliability audit that need a real browser: a tab duplicated while a message waits, and
// the strictest CSP a site may send (nonce + 'strict-dynamic' + Trusted Types), with and without
// constructable stylesheets (Safari 16.3 and older have none).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { API_KEY, launcher, openChat, poll, STREAM, sendMessage, transcript, uniqueText, useStack } from './harness';

const env = useStack();

describe('a tab duplicated while a message waits', () => {
  it('the message is delivered once, by the tab that wrote it; the copy shows the conversation', async () => {
    const { stack, page, context } = env;
    await page.goto(stack.plainUrl);
    await openChat(page);
    await sendMessage(page, uniqueText('first'));
    await poll(async () => (await transcript(page)).map((m) => m.status)).toEqual(['sent', 'sent']);
    // The API drops every connection for a few seconds: the next message waits, retried with backoff.
    await stack.fault('unreachable', { seconds: 4 });
    const text = uniqueText('typed while unreachable');
    await sendMessage(page, text);
    await poll(async () => (await transcript(page)).at(-1)?.status).toBe('queued');
    // window.open copies this tab's sessionStorage (its transcript and outbox) into the new tab.
    const [copy] = await Promise.all([context.waitForEvent('page'), page.evaluate(() => void window.open(location.href))]);
    await stack.watch(copy);
    await copy.waitForLoadState();
    await openChat(copy);
    await poll(async () => (await transcript(copy)).map((m) => m.text.includes(text) && m.author)).toContain('visitor');
    await poll(async () => (await transcript(page)).slice(-2).map((m) => `${m.author}:${m.status}`), 20_000).toEqual([
      'visitor:sent',
      'assistant:sent',
    ]);
    const streams = (await stack.log()).filter((e) => e.method === 'POST' && e.path === STREAM && e.status === 200);
    expect(streams).toHaveLength(2); // the first message and this one, each once: the copy sent nothing
    expect(stack.stored(text)).toBe(1);
    expect(await stack.problemsOf(page)).toEqual([]);
    expect(await stack.problemsOf(copy)).toEqual([]);
  });
});

/** The plain page under `csp`, its script tag carrying `nonce` when given; the page's own origin serves it. */
async function strictPage(context: BrowserContext, csp: string, nonce?: string): Promise<string> {
  const { stack } = env;
  const url = `${new URL(stack.plainUrl).origin}/strict.html`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict page</title></head><body><h1>Strict</h1>
<script src="/dist/chat-sdk.js"${nonce ? ` nonce="${nonce}"` : ''} data-api-key="${API_KEY}" data-api-url="${stack.api.url}" data-title="Acme support" async></script></body></html>`;
  // A fulfilled document has no IP address space: allow it to call the loopback API.
  await context.grantPermissions(['local-network-access']);
  await context.route(url, (route) =>
    // A request still open when the test's browser closes fails quietly.
    route
      .fulfill({ contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': csp }, body: html })
      .catch(() => undefined),
  );
  return url;
}

const NONCE = 'r4nd0mN0nce';
const strictCsp = (apiUrl: string, styles: string) =>
  [
    "default-src 'none'",
    `script-src 'nonce-${NONCE}' 'strict-dynamic'`,
    `style-src ${styles}`,
    `connect-src ${apiUrl}`,
    "base-uri 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');

/** Without constructable stylesheets, as in Safari 16.3 and older (set before any script of the page). */
const withoutConstructableSheets = (page: Page) =>
  page.addInitScript(() => {
    Object.defineProperty(window, 'CSSStyleSheet', { value: undefined });
  });

const launcherWidth = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelector('[part~="launcher"]')!).width);

describe("the strictest CSP: a nonce, 'strict-dynamic', Trusted Types", () => {
  for (const sheets of [true, false]) {
    it(`styled, opens, streams an answer, with no violation (${sheets ? 'constructable stylesheets' : 'the <style> fallback with the nonce'})`, async () => {
      const { stack, page, context } = env;
      if (!sheets) await withoutConstructableSheets(page);
      await page.goto(await strictPage(context, strictCsp(stack.api.url, `'nonce-${NONCE}'`), NONCE));
      await launcher(page).waitFor();
      expect(await launcherWidth(page)).toBe('56px');
      await openChat(page);
      await sendMessage(page, uniqueText('strict'));
      await poll(async () => (await transcript(page)).map((m) => `${m.author}:${m.status}`)).toEqual(['visitor:sent', 'assistant:sent']);
      expect((await transcript(page))[1]!.text).not.toContain('\uFFFD');
      expect(await stack.problemsOf(page)).toEqual([]);
    });
  }

  it('no nonce and no constructable stylesheets: unstyled but usable, nothing thrown, the console says once that a nonce is needed', async () => {
    const { stack, page, context } = env;
    await withoutConstructableSheets(page);
    const warnings: string[] = [];
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
    const csp = strictCsp(stack.api.url, "'self'").replace(`'nonce-${NONCE}' 'strict-dynamic'`, "'self'");
    await page.goto(await strictPage(context, csp));
    await launcher(page).waitFor();
    await openChat(page);
    await sendMessage(page, uniqueText('unstyled'));
    await poll(async () => (await transcript(page)).map((m) => `${m.author}:${m.status}`)).toEqual(['visitor:sent', 'assistant:sent']);
    expect(warnings.filter((text) => text.includes('needs a nonce on the script tag'))).toHaveLength(1);
    // The page's CSP blocks the styles (its violations are expected here); nothing is thrown into the page.
    expect((await stack.problemsOf(page)).filter((problem) => problem.startsWith('pageerror'))).toEqual([]);
  });
});

describe('the back/forward cache', () => {
  it('a page restored from it fetches what arrived meanwhile; the same site’s next page in the tab did not evict it', async () => {
    const { stack } = env;
    // Playwright turns the cache off by default; a visitor's browser has it on.
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_FLAGS,
      ignoreDefaultArgs: ['--disable-back-forward-cache'],
    });
    try {
      const context = await browser.newContext();
      // Two pages of one site with the widget, served cacheable (the test servers say no-store, which keeps a page out of the cache).
      const origin = new URL(stack.plainUrl).origin;
      const sitePage = (title: string) =>
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>
<script src="/dist/chat-sdk.js" data-api-key="${API_KEY}" data-api-url="${stack.api.url}" data-title="Acme support" async></script></body></html>`;
      await context.grantPermissions(['local-network-access']);
      for (const name of ['first', 'second']) {
        await context.route(`${origin}/${name}.html`, (route) =>
          route.fulfill({ contentType: 'text/html; charset=utf-8', body: sitePage(name) }).catch(() => undefined),
        );
      }
      const page = await stack.watch(await context.newPage());
      await page.addInitScript(() => {
        addEventListener('pageshow', (event) => {
          (window as unknown as { restored?: boolean }).restored = event.persisted;
        });
      });
      await page.goto(`${origin}/first.html`);
      await openChat(page);
      const text = uniqueText('before leaving');
      await sendMessage(page, text);
      await poll(async () => (await transcript(page)).map((m) => m.status)).toEqual(['sent', 'sent']);
      const { sessionId } = stack.storedIn(text)!;
      // The site's next page in the same tab, with the widget too: it takes the tab's id.
      await page.goto(`${origin}/second.html`);
      await openChat(page);
      const reply = uniqueText('while the page was away');
      stack.api.agentReply(sessionId, reply);
      await page.goBack({ waitUntil: 'commit' });
      await poll(() => page.evaluate(() => (window as unknown as { restored?: boolean }).restored)).toBe(true);
      await poll(async () => (await transcript(page)).filter((m) => m.text.includes(reply)).length, 8_000).toBe(1);
      expect(await stack.problemsOf(page)).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('the built files a page loads (dist/)', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));

  it('hold no eval, Function, document.write or HTML-string sink; innerHTML only in Preact’s dangerouslySetInnerHTML branch, which the source never uses', () => {
    const built = files('dist').filter((name) => /\.m?js$/.test(name));
    expect(built.length).toBeGreaterThan(5);
    for (const file of built) {
      const code = readFileSync(file, 'utf8');
      expect(
        code.match(/outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(\s*[`'"]on|srcdoc/)?.[0],
        file,
      ).toBeUndefined();
      // Every innerHTML sits next to Preact's `__html` (the dangerouslySetInnerHTML prop).
      for (const match of code.matchAll(/innerHTML/g)) {
        expect(code.slice(Math.max(0, match.index - 120), match.index + 40), file).toContain('__html');
      }
    }
  });
});
