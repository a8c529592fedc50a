// What a visitor reads and reaches for, in Firefox or WebKit against the reference backend: the chat inline
// in the page's element, the teaser, tables and Copy code, each message's time, a chat an agent ended, and
// the site's suggested questions. The third-party page (strict CSP, Trusted Types, hostile CSS) where the
// stack offers it; the init page where the option has no `data-*` form used here.

import { describe, expect, it } from 'vitest';
import { SUBPIXEL } from '../helpers/layout';
import {
  button,
  click,
  composer,
  dialog,
  firstExchange,
  firstSeenAt,
  focused,
  inPage,
  isShown,
  lastStatus,
  launcher,
  lines,
  openChat,
  poll,
  problems,
  sendMessage,
  transcript,
  uniqueText,
  waitFor,
} from './dom';
import type { EnginePage } from './drivers';
import { ENGINE, useEngine } from './setup';
import { SESSIONS, STREAM, VISITORS } from './stack';

const TEASER = 'Need help choosing a bike?';
const ENDED = 'This chat has ended';
const COPY_FAILED = 'Could not copy: select the code and copy it yourself.';

const teaser = { role: 'button' as const, name: TEASER };
const region = { role: 'region' as const, name: 'Acme support' };

/** The element's box in the page (inside the widget's shadow root), once its entrance animation has ended. */
const box = (page: EnginePage, selector: string) =>
  inPage(
    page,
    async (css: string) => {
      const element = document.querySelector('chat-sdk-widget')?.shadowRoot?.querySelector(css);
      if (!element) return null;
      await Promise.all(element.getAnimations().map((animation) => animation.finished));
      const rect = element.getBoundingClientRect();
      return { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom };
    },
    selector,
  );

/** Each message's <time>: its datetime attribute (null where the message shows none), in order. */
const times = (page: EnginePage) =>
  inPage(page, () =>
    [...(document.querySelector('chat-sdk-widget')?.shadowRoot?.querySelectorAll('[data-author][data-status]') ?? [])].map(
      (message) => message.querySelector('time')?.getAttribute('datetime') ?? null,
    ),
  );

/** The page's clock moves on `ms`: a wait for the teaser's delay to pass without it. */
const pass = (page: EnginePage, ms: number) =>
  page.run<null>('function (ms) { return new Promise(function (done) { setTimeout(function () { done(null); }, ms); }); }', [ms]);

describe(`${ENGINE}: inline mode, the teaser, tables and Copy code, times, an ended chat, suggestions`, () => {
  const env = useEngine();
  const apiRequests = async () => (await env.stack.log()).filter((entry) => entry.path.startsWith('/api/'));

  it('inline: the chat is a region in the page’s element with no launcher, asks nothing until the composer is focused, then answers', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl({ target: '#support-chat' }));
    await waitFor(page, composer);
    expect(await isShown(page, region)).toBe(true);
    expect(await inPage(page, () => document.querySelector('#support-chat chat-sdk-widget') !== null)).toBe(true);
    expect(await isShown(page, dialog)).toBe(false);
    expect(await isShown(page, launcher)).toBe(false);
    expect(
      await inPage(page, () => document.querySelector('chat-sdk-widget')?.shadowRoot?.querySelector('[part~="launcher"]') !== null),
    ).toBe(false);
    expect(await apiRequests()).toEqual([]);

    // The element is below the fold: the visitor scrolls to it (WebKit's pointer does not scroll for them).
    await inPage(page, () => document.querySelector('#support-chat')!.scrollIntoView({ block: 'center' }));
    expect(await apiRequests()).toEqual([]);
    await click(page, composer);
    await poll(() => stack.count('POST', VISITORS)).toBe(1);
    const text = await firstExchange(page, 'inline');
    expect(await isShown(page, region)).toBe(true);
    expect(stack.stored(text)).toBe(1);
    expect(await problems(page)).toEqual([]);
  });

  it('teaser: beside the launcher after its delay; a click opens the chat in Message; after Dismiss a reload shows none', async () => {
    const { page, stack } = env;
    await page.goto(stack.initUrl({ teaser: { text: TEASER, delay: 1 } }));
    // 5 ms: the engines round the page's clock.
    expect(await firstSeenAt(page, teaser)).toBeGreaterThanOrEqual(1000 - 5);
    await waitFor(page, teaser, 'visible', 5_000);
    const [tease, bubble] = [await box(page, '[part~="teaser"]'), await box(page, '[part~="launcher"]')];
    expect(tease!.right).toBeLessThan(bubble!.left);
    expect(tease!.bottom).toBeLessThanOrEqual(bubble!.bottom + SUBPIXEL);
    expect(await apiRequests()).toEqual([]);

    await click(page, teaser);
    await waitFor(page, dialog);
    await poll(() => focused(page)).toBe('Message');
    expect(await isShown(page, teaser)).toBe(false);

    // Opened without a word sent: the next page view invites again, until the visitor dismisses it.
    await page.reload();
    await waitFor(page, teaser, 'visible', 5_000);
    await click(page, { ...button('Dismiss'), within: '[part~="teaser"]' });
    await waitFor(page, teaser, 'hidden');
    const dismissed = () => inPage(page, () => Object.keys(sessionStorage).filter((key) => key.startsWith('chatsdk:teaser:')));
    expect(await dismissed()).toHaveLength(1);
    await page.reload();
    await waitFor(page, launcher);
    await pass(page, 1_500);
    expect(await isShown(page, teaser)).toBe(false);
    expect(await dismissed()).toHaveLength(1);
    expect(await problems(page)).toEqual([]);
  });

  it('a "table" answer shows real tables with column headers, and every code block has a Copy code button that answers', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await openChat(page);
    await sendMessage(page, 'Can I see a table of your bikes?');
    await poll(() => lastStatus(page, 'assistant'), 15_000).toBe('sent');
    const answer = () =>
      inPage(page, () => {
        const all = document.querySelector('chat-sdk-widget')?.shadowRoot?.querySelectorAll('[data-author="assistant"]') ?? [];
        const last = all[all.length - 1];
        const first = last?.querySelector('table');
        return {
          tables: last?.querySelectorAll('table').length ?? 0,
          headers: [...(first?.querySelectorAll('thead th') ?? [])].map((th) => `${th.textContent}:${th.getAttribute('scope')}`),
          codeBlocks: last?.querySelectorAll('pre').length ?? 0,
          copyButtons: [...(last?.querySelectorAll('.cb') ?? [])].filter((block) =>
            [...block.querySelectorAll('button')].some((b) => b.textContent === 'Copy code' && b.getClientRects().length > 0),
          ).length,
        };
      });
    await poll(async () => (await answer()).tables).toBe(2);
    const shown = await answer();
    expect(shown.headers).toEqual(['Model:col', 'Best for:col', 'Sizes:col', 'Price:col']);
    expect(shown.codeBlocks).toBeGreaterThan(0);
    expect(shown.copyButtons).toBe(shown.codeBlocks);

    // The clipboard is not readable here; what the button says is (both engines copy: the line that it
    // could not would be shown where the Clipboard API is missing or refuses).
    await click(page, { ...button('Copy code'), last: true });
    const response = () =>
      inPage(
        page,
        (failed: string) => {
          const all = document.querySelector('chat-sdk-widget')?.shadowRoot?.querySelectorAll('[data-author="assistant"]') ?? [];
          const last = all[all.length - 1];
          if ([...(last?.querySelectorAll('button') ?? [])].some((b) => b.textContent === 'Copied')) return 'Copied';
          const status = [...(last?.querySelectorAll('[role="status"]') ?? [])].find((s) => s.textContent === failed);
          return status && status.getClientRects().length > 0 ? failed : null;
        },
        COPY_FAILED,
      );
    await poll(response).toBe('Copied');
    expect(await problems(page)).toEqual([]);
  });

  it('each message has a <time datetime> that parses as now; a reload shows the same times', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await openChat(page);
    const before = Date.now();
    const text = await firstExchange(page, 'what time');
    const shown = await times(page);
    expect(shown).toHaveLength(2);
    for (const datetime of shown) {
      const at = Date.parse(datetime ?? '');
      expect(at).toBeGreaterThanOrEqual(before - 60_000);
      expect(at).toBeLessThanOrEqual(Date.now() + 60_000);
    }
    // Once the history names them, the backend's times; a reload shows the same.
    const { sessionId } = stack.storedIn(text)!;
    const stored = stack.api.state.store.messages.get(sessionId)!.map((message) => message.created_at);
    await poll(() => times(page)).toEqual(stored);
    await page.reload();
    await openChat(page);
    await poll(async () => (await transcript(page)).length).toBe(2);
    expect(await times(page)).toEqual(stored);
    expect(await problems(page)).toEqual([]);
  });

  it('a chat the agent ended says so, and the next message starts a new session with one chat request and no 404', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await openChat(page);
    const text = await firstExchange(page, 'ended chat');
    const { sessionId } = stack.storedIn(text)!;

    stack.api.endChat(sessionId);
    const endedLines = async () => (await transcript(page)).filter((m) => m.author === 'system' && m.text.includes(ENDED)).length;
    await poll(endedLines, 20_000).toBe(1);
    const seq = (await stack.log()).at(-1)?.seq ?? 0;
    const next = uniqueText('after the end');
    await sendMessage(page, next);
    await poll(async () => (await lines(page)).slice(-3), 15_000).toEqual(['system:sent', 'visitor:sent', 'assistant:sent']);
    const requests = (await stack.log()).filter((entry) => entry.seq > seq);
    expect(requests.filter((entry) => entry.status === 404)).toEqual([]);
    expect(requests.filter((entry) => entry.method === 'POST' && entry.path === STREAM).map((entry) => entry.status)).toEqual([200]);
    expect(requests.filter((entry) => entry.method === 'POST' && entry.path === SESSIONS).map((entry) => entry.status)).toEqual([201]);
    expect(stack.stored(next)).toBe(1);
    expect(stack.storedIn(next)!.sessionId).not.toBe(sessionId);
    expect(await endedLines()).toBe(1);
    expect(await problems(page)).toEqual([]);
  });

  it('a suggested question under the greeting goes out as the visitor’s message, once, and the suggestions go', async () => {
    const { page, stack } = env;
    await page.goto(stack.initUrl({ greeting: 'Hi! How can we help?', suggestions: ['Track my order', 'Opening hours'] }));
    await openChat(page);
    const suggestion = (name: string) => ({ ...button(name), within: '[role="log"]' });
    await waitFor(page, suggestion('Opening hours'));
    await click(page, suggestion('Track my order'));
    await poll(() => lines(page), 15_000).toEqual(['visitor:sent', 'assistant:sent']);
    expect((await transcript(page))[0]!.text).toContain('Track my order');
    expect(stack.stored('Track my order')).toBe(1);
    expect(await isShown(page, suggestion('Opening hours'))).toBe(false);
    expect(await problems(page)).toEqual([]);
  });
});
