// When the network or the backend fails, in Firefox or WebKit: the offline outbox, a 500 with Retry and a
// stream cut mid-answer. The visitor's message is never lost or sent twice. (The plain page: no CSP.)

import { describe, expect, it } from 'vitest';
import {
  button,
  click,
  firstExchange,
  inPage,
  isShown,
  lastStatus,
  lines,
  openChat,
  poll,
  problems,
  sendMessage,
  transcript,
  uniqueText,
} from './dom';
import type { EnginePage } from './drivers';
import { ENGINE, useEngine } from './setup';
import { STREAM } from './stack';

/**
 * The QA page's network switch (demo/pages/offline-sim.js, loaded before the widget): the API's requests
 * fail as a browser's do offline, requests in flight are cut, `navigator.onLine` reads false and the
 * `offline` / `online` events fire. Neither WebKit's WebDriver nor Firefox's BiDi can take one page offline
 * the same way in both engines, so the page does it.
 */
const setOffline = (page: EnginePage, offline: boolean) =>
  inPage(
    page,
    (value: boolean) => (window as unknown as { QA_NETWORK: { setOffline(v: boolean): void } }).QA_NETWORK.setOffline(value),
    offline,
  );

/** The visitor message with this text and the message right after it. */
async function exchange(page: EnginePage, text: string) {
  const all = await transcript(page);
  const index = all.findIndex((m) => m.author === 'visitor' && m.text.includes(text));
  return { question: all[index], answer: all[index + 1]?.author === 'assistant' ? all[index + 1] : undefined };
}

describe(`${ENGINE}: network and backend failures`, () => {
  const env = useEngine();

  /** A chat with one finished exchange, so the next request a fault hits is the chat request. */
  async function warmChat(): Promise<EnginePage> {
    const { page, stack } = env;
    await page.goto(stack.tagUrl());
    await openChat(page);
    await firstExchange(page, 'warm up');
    // A stream is logged when its connection closes: wait for it, so it is not counted as a later request.
    await poll(() => env.stack.count('POST', STREAM, 200)).toBe(1);
    return page;
  }

  it('offline: messages wait as queued, then go out once each, in order, when the network is back', async () => {
    const { stack } = env;
    const page = await warmChat();
    await setOffline(page, true);
    const first = uniqueText('offline first');
    const second = uniqueText('offline second');
    await sendMessage(page, first);
    await poll(() => lastStatus(page, 'visitor')).toBe('queued');
    await sendMessage(page, second);
    await poll(async () => (await transcript(page)).filter((m) => m.author === 'visitor').map((m) => m.status)).toEqual([
      'sent',
      'queued',
      'queued',
    ]);
    // The window says so.
    expect(await inPage(page, () => document.querySelector('chat-sdk-widget')!.shadowRoot!.textContent ?? '')).toMatch(/offline/i);
    expect(stack.stored(first) + stack.stored(second)).toBe(0);

    await setOffline(page, false);
    await poll(() => lines(page), 20_000).toEqual([
      'visitor:sent',
      'assistant:sent',
      'visitor:sent',
      'assistant:sent',
      'visitor:sent',
      'assistant:sent',
    ]);
    const texts = (await transcript(page)).map((m) => m.text);
    expect(texts[2]).toContain(first);
    expect(texts[4]).toContain(second);
    expect([stack.stored(first), stack.stored(second)]).toEqual([1, 1]);
    expect(await problems(page)).toEqual([]);
  });

  it('a 500 on the chat request: the message fails with Retry; Retry delivers it once, with one answer', async () => {
    const { stack } = env;
    const page = await warmChat();
    await stack.fault('500-next');
    const since = (await stack.log()).at(-1)?.seq ?? 0;
    const text = uniqueText('five hundred');
    await sendMessage(page, text);
    await poll(() => lastStatus(page, 'visitor')).toBe('failed');
    // The reason is said next to the message.
    expect((await exchange(page, text)).question!.text.length).toBeGreaterThan(text.length);
    await click(page, button('Retry'));
    await poll(async () => {
      const { question, answer } = await exchange(page, text);
      return `${question?.status}/${answer?.status}`;
    }, 15_000).toBe('sent/sent');
    expect(await lines(page)).toEqual(['visitor:sent', 'assistant:sent', 'visitor:sent', 'assistant:sent']);
    expect(stack.stored(text)).toBe(1);
    expect(await isShown(page, button('Retry'))).toBe(false);
    // Not retried by itself (the server may have processed it): the 500, then the visitor's Retry.
    await poll(async () =>
      (await stack.log()).filter((e) => e.seq > since && e.method === 'POST' && e.path === STREAM).map((e) => e.status),
    ).toEqual([500, 200]);
    expect(await problems(page)).toEqual([]);
  });

  it('a stream cut mid-answer keeps the partial answer, marked interrupted with Retry; Retry replaces it', async () => {
    const { stack } = env;
    const page = await warmChat();
    await stack.fault('cut-stream');
    const text = uniqueText('cut me');
    await sendMessage(page, text);
    await poll(async () => (await exchange(page, text)).answer?.status, 15_000).toBe('failed');
    const { question, answer } = await exchange(page, text);
    expect(question?.status).toBe('sent');
    expect(answer!.text).toContain('Thanks for your');
    expect(answer!.text).toMatch(/interrupted/i);
    await click(page, button('Retry'));
    await poll(async () => (await exchange(page, text)).answer?.status, 15_000).toBe('sent');
    const replaced = (await exchange(page, text)).answer!;
    expect(replaced.text.split('Thanks for your question!').length - 1).toBe(1);
    expect(await lines(page)).toEqual(['visitor:sent', 'assistant:sent', 'visitor:sent', 'assistant:sent']);
    expect(stack.stored(text)).toBe(1);
    expect(await problems(page)).toEqual([]);
  });
});
