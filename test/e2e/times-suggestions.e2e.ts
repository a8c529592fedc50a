// Message times and suggested questions in Chromium, on strict-CSP pages: the third-party page (embed.html:
// strict CSP, Trusted Types, hostile CSS) and a page under the strictest policy (a nonce, 'strict-dynamic',
// Trusted Types) whose tag sets data-suggestions.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SUBPIXEL } from '../helpers/layout';
import { API_KEY, button, chatLog, messages, openChat, poll, sendMessage, transcript, uniqueText, useStack } from './harness';

const env = useStack();

const NONCE = 'r4nd0mN0nce';

/** The strictest policy a site may send, for a page served from the plain page's origin. */
const strictCsp = (apiUrl: string) =>
  [
    "default-src 'none'",
    `script-src 'nonce-${NONCE}' 'strict-dynamic'`,
    `style-src 'nonce-${NONCE}'`,
    `connect-src ${apiUrl}`,
    "base-uri 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');

/** A page under that policy whose script tag carries a greeting, `data-suggestions` and any `extra` attributes. */
async function suggestingPage(context: BrowserContext, suggestions: string, extra = ''): Promise<string> {
  const { stack } = env;
  const url = `${new URL(stack.plainUrl).origin}/suggesting.html`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Suggesting page</title></head><body><h1>Shop</h1>
<script src="/dist/chat-sdk.js" nonce="${NONCE}" data-api-key="${API_KEY}" data-api-url="${stack.api.url}" data-title="Acme support" data-greeting="Hi! How can we help?" data-suggestions="${suggestions}"${extra} async></script></body></html>`;
  // A fulfilled document has no IP address space: allow it to call the loopback API.
  await context.grantPermissions(['local-network-access']);
  await context.route(url, (route) =>
    route
      .fulfill({ contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': strictCsp(stack.api.url) }, body: html })
      .catch(() => undefined),
  );
  return url;
}

/** Each message's <time>: its datetime and text (null where the message shows none), in order. */
const times = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelectorAll('[data-author][data-status]')].map((message) => {
      const time = message.querySelector('time');
      return time && { datetime: time.getAttribute('datetime')!, text: time.textContent! };
    }),
  );

/** The suggestion buttons' accessible names, in order. */
const suggestionNames = async (page: Page) => {
  const names: string[] = [];
  for (const suggestion of await chatLog(page).locator('.sg button').all()) names.push((await suggestion.textContent()) ?? '');
  return names;
};

describe('message times (third-party page)', () => {
  it("each message shows when it was sent, in the visitor's locale, inside it; the same after a reload", async () => {
    const { stack } = env;
    const context = await stack.context({ locale: 'en-US' });
    const page = await stack.watch(await context.newPage());
    await page.goto(stack.embedUrl);
    await openChat(page);
    const before = Date.now();
    await sendMessage(page, uniqueText('what time'));
    await poll(async () => (await transcript(page)).map((m) => `${m.author}:${m.status}`)).toEqual(['visitor:sent', 'assistant:sent']);
    const shown = await times(page);
    expect(shown).toHaveLength(2);
    for (const time of shown) {
      const at = Date.parse(time!.datetime);
      expect(at).toBeGreaterThanOrEqual(before - 60_000);
      expect(at).toBeLessThanOrEqual(Date.now() + 60_000);
      // en-US: 12 hours, as Intl in the page formats it.
      expect(time!.text).toMatch(/^\d{1,2}:\d{2}\s[AP]M$/);
      expect(time!.text).toBe(
        await page.evaluate(
          (iso) => new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' }).format(new Date(iso)),
          time!.datetime,
        ),
      );
    }
    // Once the history names them, the server's times; a reload keeps them.
    const [sessionId] = [...stack.api.state.store.messages.keys()];
    const serverTimes = stack.api.state.store.messages.get(sessionId!)!.map((message) => message.created_at);
    await poll(async () => (await times(page)).map((time) => time?.datetime)).toEqual(serverTimes);
    await page.reload();
    await openChat(page);
    await poll(async () => (await transcript(page)).length).toBe(2);
    expect((await times(page)).map((time) => time?.datetime)).toEqual(serverTimes);
    expect(await stack.problemsOf(page)).toEqual([]);
  });
});

describe('message times right to left', () => {
  it("each time sits under its own bubble, on the bubble's side: the visitor's on the left, answers' on the right", async () => {
    const { stack, page } = env;
    await page.goto(await suggestingPage(env.context, 'Track my order', ' data-locale="ar"'));
    await openChat(page);
    await sendMessage(page, uniqueText('rtl'));
    await poll(async () => (await transcript(page)).map((m) => `${m.author}:${m.status}`)).toEqual(['visitor:sent', 'assistant:sent']);
    const edges = await page.evaluate(() =>
      [...document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelectorAll('[data-author][data-status]')].map((message) => {
        const bubble = message.querySelector('.bb')!.getBoundingClientRect();
        const time = message.querySelector('time')!.getBoundingClientRect();
        return { left: time.left - bubble.left, right: bubble.right - time.right };
      }),
    );
    const [visitor, answer] = edges;
    // 4 px: the time line's inline margin.
    expect(visitor!.left).toBeGreaterThanOrEqual(0);
    expect(visitor!.left).toBeLessThanOrEqual(6);
    expect(answer!.right).toBeGreaterThanOrEqual(0);
    expect(answer!.right).toBeLessThanOrEqual(6);
    expect(await stack.problemsOf(page)).toEqual([]);
  });
});

describe('code right to left', () => {
  it('a code block reads left to right in a right-to-left window', async () => {
    const { stack, page } = env;
    await page.goto(await suggestingPage(env.context, 'Track my order', ' data-locale="ar"'));
    await openChat(page);
    await sendMessage(page, 'Show me code');
    // Once the answer is complete and its Copy code part has drawn it again.
    const code = chatLog(page).locator('[data-author="assistant"][data-status="sent"] .cb pre').first();
    await code.waitFor({ timeout: 15_000 });
    const directions = await code.evaluate((pre) => ({
      window: getComputedStyle(pre.parentElement!).direction,
      code: getComputedStyle(pre).direction,
    }));
    expect(directions).toEqual({ window: 'rtl', code: 'ltr' });
    expect(await stack.problemsOf(page)).toEqual([]);
  });
});

describe('follow-up suggestions (third-party page)', () => {
  it("the backend's follow-ups show under its answer; one picked by keyboard goes out once, as typed text would, and they go", async () => {
    const { stack, page } = env;
    await page.goto(stack.embedUrl);
    await openChat(page);
    await sendMessage(page, 'Show me some markdown');
    await poll(() => suggestionNames(page), 15_000).toEqual(['Show me code', 'Send a long answer', 'Send an emoji test']);
    const code = page.getByRole('button', { name: 'Show me code', exact: true });
    await code.focus();
    await page.keyboard.press('Enter');
    await poll(async () => (await transcript(page)).map((m) => `${m.author}:${m.status}`), 15_000).toEqual([
      'visitor:sent',
      'assistant:sent',
      'visitor:sent',
      'assistant:sent',
    ]);
    expect(stack.stored('Show me code')).toBe(1);
    // The code answer offers its own; the markdown answer's are gone.
    await poll(() => suggestionNames(page)).toEqual(['Show me Markdown', 'Send an emoji test']);
    expect(await messages(page, 'visitor').nth(1).textContent()).toContain('Show me code');
    expect(await stack.problemsOf(page)).toEqual([]);
  });
});

describe("the site's suggestions (nonce, 'strict-dynamic', Trusted Types)", () => {
  it('show under the greeting, wrap on a phone, send one on click; New chat brings them back', async () => {
    const { stack } = env;
    const context = await stack.context({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    const page = await stack.watch(await context.newPage());
    const longer = 'Where can I return a bike I bought online last month?';
    await page.goto(await suggestingPage(context, `Track my order|${longer}|Opening hours`));
    await openChat(page);
    await poll(() => suggestionNames(page)).toEqual(['Track my order', longer, 'Opening hours']);
    // Within the log's width, on more than one row.
    const boxes = await page.evaluate(() => {
      const root = document.querySelector('chat-sdk-widget')!.shadowRoot!;
      const log = root.querySelector('[role=log]')!.getBoundingClientRect();
      return {
        log: { left: log.left, right: log.right },
        buttons: [...root.querySelectorAll('.sg button')]
          .map((b) => b.getBoundingClientRect())
          .map((r) => ({ left: r.left, right: r.right, top: r.top })),
      };
    });
    for (const box of boxes.buttons) {
      expect(box.left).toBeGreaterThanOrEqual(boxes.log.left - SUBPIXEL);
      expect(box.right).toBeLessThanOrEqual(boxes.log.right + SUBPIXEL);
    }
    expect(new Set(boxes.buttons.map((box) => Math.round(box.top))).size).toBeGreaterThan(1);

    await page.getByRole('button', { name: 'Track my order', exact: true }).click();
    await poll(async () => (await transcript(page)).map((m) => `${m.author}:${m.status}`), 15_000).toEqual([
      'visitor:sent',
      'assistant:sent',
    ]);
    expect(stack.stored('Track my order')).toBe(1);
    expect(await suggestionNames(page)).toEqual([]);
    await button(page, 'New chat').click();
    await poll(() => suggestionNames(page)).toEqual(['Track my order', longer, 'Opening hours']);
    expect(await stack.problemsOf(page)).toEqual([]);
  });
});
