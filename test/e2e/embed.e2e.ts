// The third-party page (embed.html: one script tag, strict CSP + Trusted Types, hostile CSS), keyboard-only
// use, a phone viewport, and a hostile answer that must stay inert.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBPIXEL } from '../helpers/layout';
import {
  button,
  chatLog,
  composer,
  countMessages,
  dialog,
  lastStatus,
  launcher,
  messages,
  openChat,
  poll,
  recordAnswerGrowth,
  STREAM,
  type Stack,
  sendMessage,
  startStack,
  uniqueText,
  VISITORS,
} from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function newPage(options?: Parameters<Stack['context']>[0]): Promise<Page> {
  const context = await stack.context(options);
  return await stack.watch(await context.newPage());
}

/** Computed styles of the widget's parts, read inside its shadow root. */
async function widgetStyles(page: Page) {
  return page.evaluate(() => {
    const root = document.querySelector('chat-sdk-widget')!.shadowRoot!;
    const pick = (el: Element | null, props: string[]) => {
      if (!el) return null;
      const cs = getComputedStyle(el);
      return Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
    };
    const text = [
      'font-family',
      'font-size',
      'line-height',
      'letter-spacing',
      'text-transform',
      'font-style',
      'color',
      'word-spacing',
      'text-align',
      'text-shadow',
    ];
    const box = [
      'padding-top',
      'padding-left',
      'background-color',
      'border-top-style',
      'border-top-width',
      'border-radius',
      'width',
      'height',
      'transform',
      'box-sizing',
      'min-width',
    ];
    return {
      launcher: pick(root.querySelector('[part~="launcher"]'), [...text, ...box]),
      window: pick(root.querySelector('[role="dialog"]'), ['display', 'width', 'height', 'box-sizing']),
      log: pick(root.querySelector('[role="log"]'), ['visibility', 'display']),
      textarea: pick(root.querySelector('textarea'), [...text, ...box]),
      send: pick(root.querySelector('[part~="composer"] button[type="submit"]'), [...box]),
      messageText: pick(root.querySelector('[data-author] .bb'), text),
    };
  });
}

/** Computed styles of host-page elements of embed.html. */
async function pageStyles(page: Page) {
  return page.evaluate(() => {
    const props = [
      'font-family',
      'font-size',
      'line-height',
      'color',
      'background-color',
      'padding-top',
      'margin-top',
      'box-sizing',
      'border-top-style',
      'display',
      'visibility',
      'outline-style',
      'text-transform',
      'width',
    ];
    const read = (sel: string) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const cs = getComputedStyle(el);
      return Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
    };
    return {
      html: read('html'),
      body: read('body'),
      h1: read('h1'),
      paragraph: read('.hero p'),
      cta: read('.cta'),
      productButton: read('.product button'),
      textarea: read('.newsletter textarea'),
      link: read('nav a'),
      footer: read('.site-footer'),
    };
  });
}

describe('third-party embed page (strict CSP, Trusted Types, hostile CSS)', () => {
  it('auto-inits from the script tag, opens, streams an answer that grows and ends, with no CSP violation or page error', async () => {
    const page = await newPage();
    // The chat comes from a second file, fetched with import() when the visitor reaches for it.
    const scripts: string[] = [];
    page.on('requestfinished', (request) => void (/\/chat-sdk[^/]*\.js$/.test(request.url()) && scripts.push(request.url())));
    const script = (file: string) => new URL(`/dist/${file}`, stack.embedUrl).href;
    await page.goto(stack.embedUrl);
    // Loading the script makes no request: nothing reaches the API before the visitor opens the chat.
    await launcher(page).waitFor();
    expect(await stack.count('POST', VISITORS)).toBe(0);
    // A page view where nobody reaches for the chat loads only chat-sdk.js.
    await page.evaluate(() => new Promise((done) => requestIdleCallback(done)));
    expect(scripts, 'the chat is not fetched before the visitor reaches for it').toEqual([script('chat-sdk.js')]);

    await openChat(page);
    await dialog(page).waitFor({ state: 'visible' });
    expect(scripts).toEqual([script('chat-sdk.js'), script('chat-sdk-app.js')]);
    // Opening moves focus to the composer.
    await poll(() => composer(page).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);

    const text = uniqueText('Tell me a long story');
    await sendMessage(page, text);
    const growth = recordAnswerGrowth(page);
    await poll(() => countMessages(page, 'visitor', text)).toBe(1);
    const { lengths, status } = await growth;
    expect(status).toBe('sent');
    // Seen at least three growing lengths while streaming, then the final one.
    expect(lengths.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < lengths.length; i++) expect(lengths[i]!).toBeGreaterThanOrEqual(lengths[i - 1]!);
    expect(lengths[lengths.length - 1]!).toBeGreaterThan(lengths[0]!);
    await poll(() => lastStatus(page, 'assistant')).toBe('sent');
    await poll(() => lastStatus(page, 'visitor')).toBe('sent');
    expect(await messages(page, 'assistant').last().innerText()).toContain('Pressing Stop now');
    expect(await stack.count('POST', STREAM, 200)).toBeGreaterThanOrEqual(1);
    // A screen reader hears the finished answer, once, from the polite region beside the log (not live itself).
    await poll(() => page.locator('chat-sdk-widget [aria-live="polite"]').textContent()).toMatch(/^Assistant: .*Pressing Stop now/);
    expect(await chatLog(page).getAttribute('aria-live')).toBe('off');

    // Live updates start: the session's history is polled.
    await poll(
      async () => (await stack.log()).some((e) => e.method === 'GET' && /\/messages\/$/.test(e.path) && e.status === 200),
      10_000,
    ).toBe(true);
    // English, one chat, no optional feature, polling: no part of the app is fetched on demand.
    expect(scripts).toEqual([script('chat-sdk.js'), script('chat-sdk-app.js')]);

    expect(await stack.problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('hostile page CSS does not reach the widget (same computed styles as on a plain page)', async () => {
    const hostile = await newPage();
    const plain = await newPage();
    await hostile.goto(stack.embedUrl);
    await plain.goto(stack.plainUrl);
    for (const page of [hostile, plain]) {
      await openChat(page);
      await sendMessage(page, uniqueText('style check'));
      await poll(() => lastStatus(page, 'assistant')).toBe('sent');
    }
    const [a, b] = [await widgetStyles(hostile), await widgetStyles(plain)];
    expect(a.window?.display).not.toBe('none');
    expect(a.log?.visibility).toBe('visible');
    expect(a.textarea).toEqual(b.textarea);
    expect(a.send).toEqual(b.send);
    expect(a.window).toEqual(b.window);
    expect(a.log).toEqual(b.log);
    expect(a.messageText).toEqual(b.messageText);
    // The launcher is hidden while open: compare it closed.
    for (const page of [hostile, plain]) {
      await button(page, 'Close chat').click();
      await launcher(page).waitFor({ state: 'visible' });
    }
    const [c, d] = [await widgetStyles(hostile), await widgetStyles(plain)];
    expect(c.launcher).toEqual(d.launcher);
    expect(c.launcher?.['font-family']).not.toMatch(/Comic Sans/i);
    expect(c.launcher?.['background-color']).not.toBe('rgb(255, 0, 0)');
    expect(c.launcher?.['padding-top']).not.toBe('40px');
    expect(c.textarea?.['font-family']).not.toMatch(/Comic Sans/i);
    expect(await stack.problemsOf(hostile)).toEqual([]);
    await hostile.context().close();
    await plain.context().close();
  });

  it("the widget's CSS does not leak into the host page", async () => {
    const page = await newPage();
    // The page without the widget: the script request is refused.
    await page.route('**/dist/chat-sdk.js', (route) => route.abort());
    await page.goto(stack.embedUrl);
    const before = await pageStyles(page);
    await page.unroute('**/dist/chat-sdk.js');
    await page.reload();
    await launcher(page).waitFor();
    expect(await pageStyles(page)).toEqual(before);
    await openChat(page);
    await sendMessage(page, uniqueText('leak check'));
    await poll(() => lastStatus(page, 'assistant')).toBe('sent');
    expect(await pageStyles(page)).toEqual(before);
    await page.context().close();
  });

  it('an answer full of HTML and javascript: links stays inert', async () => {
    const page = await newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(stack.embedUrl);
    await openChat(page);
    await sendMessage(page, 'show me xss please');
    await poll(() => lastStatus(page, 'assistant')).toBe('sent');
    const answer = messages(page, 'assistant').last();
    // The raw HTML is shown as text.
    await poll(() => answer.innerText()).toContain('<script>alert(1)</script>');
    expect(await answer.innerText()).toContain('<img src=x onerror=alert(1)>');
    const found = await page.evaluate(() => {
      const root = document.querySelector('chat-sdk-widget')!.shadowRoot!;
      const hrefs = [...root.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? '');
      return {
        dangerous: root.querySelectorAll('script, img, iframe, object, embed, [role="log"] form, [role="log"] input, [role="log"] svg')
          .length,
        withHandlers: [...root.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
        hrefs,
        jsLinks: root.querySelectorAll('a[href^="javascript:" i], a[href^="data:" i], a[href^="vbscript:" i]').length,
        safeLinkRel: root.querySelector('a[href="https://example.com/help"]')?.getAttribute('rel') ?? null,
        safeLinkTarget: root.querySelector('a[href="https://example.com/help"]')?.getAttribute('target') ?? null,
      };
    });
    expect(found.dangerous).toBe(0);
    expect(found.withHandlers).toBe(0);
    expect(found.jsLinks).toBe(0);
    for (const href of found.hrefs) expect(href).toMatch(/^(https?:|mailto:)/i);
    expect(found.safeLinkRel).toMatch(/noopener/);
    expect(found.safeLinkTarget).toBe('_blank');
    // Clicking the would-be links does nothing dangerous.
    const click = answer.getByText('click', { exact: true });
    if (await click.count()) await click.first().click();
    expect(dialogs).toEqual([]);
    expect(await stack.problemsOf(page)).toEqual([]);
    await page.context().close();
  });
});

describe('the chat file (chat-sdk-app.js) does not load', () => {
  it('a click logs one error naming the file and marks nothing broken on the page; a later click loads it and opens the chat', async () => {
    const page = await newPage();
    const logged: { type: string; text: string }[] = [];
    page.on('console', (m) => logged.push({ type: m.type(), text: m.text() }));
    let blocked = true;
    await page.route('**/chat-sdk-app.js', (route) => (blocked ? route.abort() : route.continue()));
    await page.goto(stack.plainUrl);
    await launcher(page).click();
    await poll(() => logged.filter((m) => m.type === 'error' && m.text.includes('chat-sdk-app.js')).length).toBe(1);
    // No window, the launcher still there and no longer busy, nothing thrown into the page.
    expect(await dialog(page).count()).toBe(0);
    await poll(() => launcher(page).getAttribute('aria-busy')).toBe(null);
    expect(await stack.problemsOf(page)).toEqual([]);

    blocked = false;
    await launcher(page).click();
    await dialog(page).waitFor({ state: 'visible' });
    const text = uniqueText('after the file came back');
    await sendMessage(page, text);
    await poll(() => lastStatus(page, 'assistant')).toBe('sent');
    expect(logged.filter((m) => m.text.includes('[ChatSDK]')).map((m) => m.type)).toEqual(['error']);
    await page.context().close();
  });
});

describe('keyboard only', () => {
  it('Tab to the launcher, Enter opens, type + Enter sends, Shift+Enter is a newline, Escape closes and returns focus', async () => {
    const page = await newPage();
    await page.goto(stack.plainUrl);
    await launcher(page).waitFor();
    // Tab until the launcher has focus (it is the last focusable element on the page).
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await launcher(page).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement);
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await dialog(page).waitFor({ state: 'visible' });
    await poll(() => composer(page).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);

    const first = uniqueText('keyboard one');
    await page.keyboard.type(first);
    await page.keyboard.press('Enter');
    await poll(() => countMessages(page, 'visitor', first)).toBe(1);
    await expect(composer(page).inputValue()).resolves.toBe('');
    await poll(() => lastStatus(page, 'assistant')).toBe('sent');

    await page.keyboard.type('line one');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('line two');
    expect(await composer(page).inputValue()).toBe('line one\nline two');
    expect(await messages(page, 'visitor').count()).toBe(1); // Shift+Enter did not send
    await page.keyboard.press('Enter');
    await poll(() => countMessages(page, 'visitor')).toBe(2);
    expect(await messages(page, 'visitor').last().innerText()).toContain('line one\nline two');
    await poll(() => lastStatus(page, 'assistant')).toBe('sent');

    await page.keyboard.press('Escape');
    await launcher(page).waitFor({ state: 'visible' });
    expect(await dialog(page).isVisible()).toBe(false);
    await poll(() => launcher(page).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    // And it opens again from the keyboard.
    await page.keyboard.press('Enter');
    await dialog(page).waitFor({ state: 'visible' });
    expect(await stack.problemsOf(page)).toEqual([]);
    await page.context().close();
  });
});

describe('phone viewport 375x667', () => {
  const phone = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

  it('the open window fills the viewport and the composer font is at least 16px', async () => {
    const page = await newPage(phone);
    await page.goto(stack.plainUrl);
    await launcher(page).tap();
    await dialog(page).waitFor({ state: 'visible' });
    // The window slides in: wait for its final place.
    await poll(async () => {
      const box = await dialog(page).boundingBox();
      return box && [Math.round(box.x), Math.round(box.y), Math.round(box.width), Math.round(box.height)];
    }).toEqual([0, 0, 375, 667]);
    const fontSize = await composer(page).evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(16);
    // Usable: send a message by tapping Send; the composer stays on screen.
    const text = uniqueText('from a phone');
    await composer(page).fill(text);
    await button(page, 'Send').tap();
    await poll(() => lastStatus(page, 'assistant')).toBe('sent');
    const composerBox = await composer(page).boundingBox();
    expect(composerBox!.y + composerBox!.height).toBeLessThanOrEqual(667);
    expect(await chatLog(page).isVisible()).toBe(true);
    expect(await stack.problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('on the hostile embed page the launcher is on screen and the open window covers the visible viewport', async () => {
    // embed.html's hostile CSS makes the page wider than the phone (buttons with min-width: 300px and
    // 40px padding), so Chromium's layout viewport is wider than the 375px the visitor sees.
    const page = await newPage(phone);
    await page.goto(stack.embedUrl);
    await launcher(page).waitFor();
    const seen = await page.evaluate(() => ({ width: visualViewport!.width, height: visualViewport!.height }));
    // The launcher is placed in the visible viewport in an animation frame after it appears: wait for that.
    await poll(async () => {
      const box = await launcher(page).boundingBox();
      return box && { right: box.x + box.width <= seen.width + SUBPIXEL, bottom: box.y + box.height <= seen.height + SUBPIXEL };
    }).toEqual({ right: true, bottom: true });
    await launcher(page).tap();
    await dialog(page).waitFor({ state: 'visible' });
    await poll(async () => {
      const b = await dialog(page).boundingBox();
      return b && b.x <= 0 && b.y <= 0 && b.x + b.width >= seen.width - 1 && b.y + b.height >= seen.height - 1;
    }).toBe(true);
    expect(await stack.problemsOf(page)).toEqual([]);
    await page.context().close();
  });
});
