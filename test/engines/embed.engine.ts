// The third-party page (demo/pages/embed.html: one script tag, the API on another origin, a strict CSP with
// Trusted Types, hostile CSS) in Firefox or WebKit: what a visitor does, through roles and names, with no
// console error and no CSP violation at any step.

import { describe, expect, it } from 'vitest';
import {
  button,
  click,
  dialog,
  firstExchange,
  focused,
  inPage,
  isShown,
  lastStatus,
  launcher,
  launcherName,
  lines,
  openChat,
  poll,
  problems,
  sendMessage,
  storedKeys,
  transcript,
  uniqueText,
  waitFor,
} from './dom';
import type { EnginePage } from './drivers';
import { ENGINE, useEngine } from './setup';
import { SESSIONS, STREAM, VISITORS } from './stack';

/** Follow the next answer in the page: the text lengths it went through while streaming, and how it ended. */
const watchNextAnswer = (page: EnginePage) =>
  inPage(page, () => {
    const root = document.querySelector('chat-sdk-widget')!.shadowRoot!;
    const before = root.querySelectorAll('[data-author="assistant"]').length;
    const seen = { lengths: [] as number[], status: '' };
    (window as unknown as { __answer: typeof seen }).__answer = seen;
    const sample = () => {
      const all = root.querySelectorAll<HTMLElement>('[data-author="assistant"][data-status]');
      const el = all.length > before ? all[all.length - 1] : undefined;
      if (!el) return;
      const length = (el.textContent ?? '').length;
      if (el.dataset.status === 'streaming' && seen.lengths[seen.lengths.length - 1] !== length) seen.lengths.push(length);
      if (el.dataset.status !== 'streaming') {
        seen.status = el.dataset.status ?? '';
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(sample);
    observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  });
const answerSeen = (page: EnginePage) =>
  inPage(page, () => (window as unknown as { __answer: { lengths: number[]; status: string } }).__answer);

describe(`${ENGINE}: the strict-CSP page`, () => {
  const env = useEngine();

  it('the launcher is styled by an adopted stylesheet; nothing is requested or stored before the visitor reaches for it', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await waitFor(page, launcher);
    expect(await launcherName(page)).toBe('Open chat');
    const look = await inPage(page, () => {
      const root = document.querySelector('chat-sdk-widget')!.shadowRoot!;
      const el = root.querySelector('[part~="launcher"]')!;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return {
        adopted: root.adoptedStyleSheets.length,
        styleElements: root.querySelectorAll('style').length,
        background: style.backgroundColor,
        fontFamily: style.fontFamily,
        size: [Math.round(box.width), Math.round(box.height)],
        inViewport: box.right <= innerWidth && box.bottom <= innerHeight && box.left >= 0 && box.top >= 0,
      };
    });
    expect(look.adopted).toBeGreaterThan(0);
    expect(look.styleElements).toBe(0);
    // The default primary colour, not the hostile page's red; not the page's Comic Sans.
    expect(look.background).toBe('rgb(37, 99, 235)');
    expect(look.fontFamily).not.toMatch(/Comic Sans/i);
    expect(look.size[0]).toBeGreaterThanOrEqual(44);
    expect(look.size[1]).toBeGreaterThanOrEqual(44);
    expect(look.inViewport).toBe(true);
    expect(await stack.count('POST', VISITORS)).toBe(0);
    expect(await storedKeys(page)).toEqual([]);
    expect(await problems(page)).toEqual([]);
  });

  it('opens with focus in "Message"; three streamed answers (emoji and Ukrainian split inside characters, a long one) end sent with no U+FFFD', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await openChat(page);
    await waitFor(page, dialog);
    await poll(() => focused(page)).toBe('Message');
    const questions = [
      { text: uniqueText('Show me emoji'), expected: '🚲✨' },
      { text: uniqueText('Can you answer in ukrainian'), expected: 'Ґудзики, їжак, євро, ї' },
      { text: uniqueText('Tell me a long story'), expected: 'Pressing Stop now' },
    ];
    for (const [index, { text, expected }] of questions.entries()) {
      await watchNextAnswer(page);
      await sendMessage(page, text);
      await poll(() => answerSeen(page).then((seen) => seen.status), 20_000).toBe('sent');
      // The long one (about 4 s) is seen growing; the short ones may arrive in a burst or two on a busy machine.
      if (index === 2) {
        const { lengths } = await answerSeen(page);
        expect(lengths.length, 'text lengths seen while the long answer streamed').toBeGreaterThanOrEqual(3);
        expect(lengths[lengths.length - 1]!).toBeGreaterThan(lengths[0]!);
      }
      await poll(() => lines(page)).toEqual(Array.from({ length: index + 1 }, () => ['visitor:sent', 'assistant:sent']).flat());
      const answer = (await transcript(page)).at(-1)!;
      expect(answer.text).toContain(expected);
      expect(answer.text).not.toContain('\uFFFD');
    }
    expect((await transcript(page)).filter((m) => m.text.includes('\uFFFD'))).toEqual([]);
    expect(await stack.count('POST', STREAM, 200)).toBeGreaterThanOrEqual(2);
    expect(await problems(page)).toEqual([]);
  });

  it('Enter sends, Shift+Enter starts a new line', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await openChat(page);
    await poll(() => focused(page)).toBe('Message');
    await page.type('line one');
    await page.press('Shift+Enter');
    await page.type('line two');
    const value = () => inPage(page, () => document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelector('textarea')!.value);
    expect(await value()).toBe('line one\nline two');
    expect(await lines(page)).toEqual([]);
    await page.press('Enter');
    await poll(() => lines(page), 15_000).toEqual(['visitor:sent', 'assistant:sent']);
    expect((await transcript(page))[0]!.text).toContain('line one\nline two');
    expect(await value()).toBe('');
    expect(await problems(page)).toEqual([]);
  });

  it('a reload restores the conversation, with no new visitor or session', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await openChat(page);
    const text = await firstExchange(page, 'before the reload');
    const before = await transcript(page);
    expect(await problems(page)).toEqual([]);
    await page.reload();
    await openChat(page);
    await poll(() => transcript(page)).toEqual(before);
    expect([await stack.count('POST', VISITORS, 201), await stack.count('POST', SESSIONS, 201)]).toEqual([1, 1]);
    const after = uniqueText('after the reload');
    await sendMessage(page, after);
    await poll(() => lines(page), 15_000).toEqual(['visitor:sent', 'assistant:sent', 'visitor:sent', 'assistant:sent']);
    expect(stack.storedIn(after)?.sessionId).toBe(stack.storedIn(text)?.sessionId);
    expect(await problems(page)).toEqual([]);
  });

  it('Stop ends a streaming answer at once and keeps its text, marked as stopped', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await openChat(page);
    const text = uniqueText('Tell me a long story');
    await sendMessage(page, text);
    await poll(async () => {
      const answer = (await transcript(page)).find((m) => m.author === 'assistant');
      return answer?.status === 'streaming' && answer.text.includes('About frame sizes');
    }).toBe(true);
    await click(page, button('Stop'));
    await poll(() => lastStatus(page, 'assistant')).toBe('sent');
    const stopped = (await transcript(page)).at(-1)!;
    expect(stopped.stopped).toBe(true);
    expect(stopped.text).toContain('About frame sizes');
    expect(stopped.text).not.toContain('About warranty');
    await poll(async () => (await stack.log()).some((e) => e.path === STREAM && /aborted by client/.test(e.note ?? ''))).toBe(true);
    // Nothing more arrives after Stop.
    expect((await transcript(page)).at(-1)!.text.length).toBe(stopped.text.length);
    expect(await isShown(page, button('Stop'))).toBe(false);
    expect(await isShown(page, button('Send'))).toBe(true);
    expect(stack.stored(text)).toBe(1);
    expect(await problems(page)).toEqual([]);
  });

  it('keyboard only: Tab reaches the launcher, Enter opens with focus in "Message", Escape closes and returns focus to the launcher', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await waitFor(page, launcher);
    // The launcher comes after the page's links, buttons and fields.
    for (let i = 0; i < 40 && (await focused(page)) !== 'Open chat'; i++) await page.press('Tab');
    expect(await focused(page)).toBe('Open chat');
    await page.press('Enter');
    await waitFor(page, dialog);
    await poll(() => focused(page)).toBe('Message');
    await page.press('Escape');
    await waitFor(page, dialog, 'hidden');
    await waitFor(page, launcher);
    await poll(() => focused(page)).toBe('Open chat');
    // And Enter on the focused launcher opens it again.
    await page.press('Enter');
    await waitFor(page, dialog);
    await poll(() => focused(page)).toBe('Message');
    expect(await problems(page)).toEqual([]);
  });

  it('an agent reply over the WebSocket while the window is closed raises "Open chat, 1 unread"', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl({ live: 'websocket' }));
    await openChat(page);
    const text = await firstExchange(page, 'hello agent');
    const { sessionId } = stack.storedIn(text)!;
    await poll(() => stack.api.socketCount(sessionId)).toBe(1);
    await click(page, button('Close chat'));
    await waitFor(page, launcher);
    const since = (await stack.log()).at(-1)?.seq ?? 0;
    const reply = uniqueText('an agent here');
    stack.api.agentReply(sessionId, reply);
    await poll(() => launcherName(page), 5_000).toBe('Open chat, 1 unread');
    // It came over the socket, not by polling the history.
    expect((await stack.log()).filter((e) => e.seq > since && e.path.startsWith(`${SESSIONS}${sessionId}/messages/`))).toEqual([]);
    await openChat(page);
    await poll(() => lines(page)).toEqual(['visitor:sent', 'assistant:sent', 'agent:sent']);
    expect((await transcript(page)).at(-1)!.text).toContain(reply);
    await click(page, button('Close chat'));
    await poll(() => launcherName(page)).toBe('Open chat');
    expect(await problems(page)).toEqual([]);
  });

  it('an answer full of HTML and javascript: links stays inert', async () => {
    const { page, stack } = env;
    await page.goto(stack.embedUrl());
    await openChat(page);
    await sendMessage(page, 'show me xss please');
    await poll(() => lastStatus(page, 'assistant'), 15_000).toBe('sent');
    const answer = (await transcript(page)).at(-1)!;
    expect(answer.text).toContain('<script>alert(1)</script>');
    const found = await inPage(page, () => {
      const root = document.querySelector('chat-sdk-widget')!.shadowRoot!;
      return {
        dangerous: root.querySelectorAll('script, iframe, object, embed, [role="log"] img, [role="log"] form, [role="log"] svg').length,
        handlers: [...root.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
        hrefs: [...root.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? ''),
        help: root.querySelector('a[href="https://example.com/help"]')?.getAttribute('rel') ?? null,
      };
    });
    expect(found.dangerous).toBe(0);
    expect(found.handlers).toBe(0);
    for (const href of found.hrefs) expect(href).toMatch(/^(https?:|mailto:|tel:)/i);
    expect(found.help).toMatch(/noopener/);
    expect(await problems(page)).toEqual([]);
  });
});
