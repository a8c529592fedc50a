// @vitest-environment happy-dom
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageError } from '../../src/core/types';
import { onColor } from '../../src/ui/launcher';
import { loadStrings, type Strings } from '../../src/ui/strings';
import { reason } from '../../src/ui/window/common';
import type { WidgetInstance, WidgetOptions } from '../../src/widget';
import { createFakeClient, type FakeClient, msg } from './fake-client';
import {
  alertText,
  announced,
  button,
  buttons,
  compileWindowParts,
  dialog,
  host,
  hoverLauncher,
  key,
  log,
  messages,
  openChat,
  settle,
  shadow,
  startChat,
  textbox,
  textOf,
  type,
} from './helpers';

let client: FakeClient;
let chat: WidgetInstance | undefined;

const mount = (options: Partial<WidgetOptions> = {}) => (chat = startChat(client, options));
const open = () => openChat(chat!);
/** The log's layout, which happy-dom does not compute: scrolled `fromEnd` px up from its end. */
const scrolledUp = (fromEnd: number) => {
  let top = 0;
  Object.defineProperty(log(), 'scrollHeight', { configurable: true, get: () => 1000 });
  Object.defineProperty(log(), 'clientHeight', { configurable: true, get: () => 100 });
  Object.defineProperty(log(), 'scrollTop', { configurable: true, get: () => top, set: (value) => (top = value) });
  top = 900 - fromEnd;
  return { top: () => top };
};
const lastOf = (author: string) =>
  messages()
    .filter((m) => m.dataset.author === author)
    .pop()!;

beforeAll(() => compileWindowParts());

beforeEach(() => {
  client = createFakeClient(50);
});
afterEach(() => {
  chat?.destroy();
  chat = undefined;
});

describe('launcher and window', () => {
  it('draws only the launcher and reads nothing until opened', async () => {
    mount();
    expect(button('Open chat')).not.toBeNull();
    expect(dialog()).toBeUndefined();
    expect(shadow().querySelector('[role=dialog]')).toBeNull(); // the window tree is built lazily
    expect(client.calls.getState + client.calls.connect).toBe(0);
  });

  it('opens a dialog named by the title, focuses the composer, Escape closes and returns focus', async () => {
    const toggles: string[] = [];
    mount({ title: 'Support' });
    chat!.on('open', () => toggles.push('open'));
    chat!.on('close', () => toggles.push('close'));
    await hoverLauncher(); // the app is here: the click opens at once
    button('Open chat')!.click();
    const d = dialog()!;
    expect(d).toBeDefined();
    expect(shadow().getElementById(d.getAttribute('aria-labelledby')!)!.textContent).toBe('Support');
    expect(shadow().activeElement).toBe(textbox());
    expect(textbox().getAttribute('aria-label')).toBe('Message');
    expect(button('Open chat')).toBeNull(); // launcher hidden while open
    expect(log().getAttribute('aria-live')).toBe('off'); // a polite region beside it announces (see "announces")
    expect(client.calls.connect).toBe(0); // the visitor check waits for the window's first frame
    for (const name of ['Send', 'New chat', 'Close chat']) expect(button(name), name).not.toBeNull();

    key(textbox(), 'Escape');
    expect(dialog()).toBeUndefined();
    expect(shadow().activeElement).toBe(button('Open chat'));
    expect(toggles).toEqual(['open', 'close']);

    chat!.toggle();
    button('Close chat')!.click();
    expect(dialog()).toBeUndefined();
    await vi.waitFor(() => expect(client.calls.connect).toBe(1)); // one check for opens within a frame
  });

  it('the visitor check: after the first frame in a visible tab, at once in a hidden one (no frames), never after destroy()', async () => {
    mount();
    await hoverLauncher();
    chat!.open();
    chat!.destroy();
    chat = undefined;
    await settle();
    expect(client.calls.connect).toBe(0);

    const hidden = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    try {
      mount();
      await hoverLauncher();
      chat!.open();
      expect(client.calls.connect).toBe(1);
    } finally {
      hidden.mockRestore();
    }
  });

  it('shows a greeting in an empty chat without counting it as a message', async () => {
    mount({ greeting: 'Hi! How can we help?' });
    await open();
    expect(log().textContent).toContain('Hi! How can we help?');
    expect(messages()).toHaveLength(0);
  });

  it('New chat asks the client for a new chat', async () => {
    mount();
    await open();
    button('New chat')!.click();
    expect(client.calls.newChat).toBe(1);
  });
});

describe('composer', () => {
  it('disables Send for blank text; Enter sends, Shift+Enter does not', async () => {
    mount();
    await open();
    expect(button('Send')!.disabled).toBe(true);
    type('   ');
    await vi.waitFor(() => expect(textbox().value).toBe('   '));
    expect(button('Send')!.disabled).toBe(true);
    type('hello');
    await vi.waitFor(() => expect(button('Send')!.disabled).toBe(false));
    key(textbox(), 'Enter', { shiftKey: true });
    await settle();
    expect(client.calls.send).toEqual([]);
    key(textbox(), 'Enter');
    expect(client.calls.send).toEqual(['hello']);
    await vi.waitFor(() => expect(textbox().value).toBe(''));
  });

  it('refuses text over the limit with a message naming it', async () => {
    mount({ maxMessageLength: 5 });
    await open();
    type('123456');
    await vi.waitFor(() => expect(alertText()).toContain('5 characters'));
    expect(button('Send')!.disabled).toBe(true);
    key(textbox(), 'Enter');
    expect(client.calls.send).toEqual([]);
  });
});

describe('messages', () => {
  it('shows the visitor message at once, a typing indicator, streamed text, and Stop while streaming', async () => {
    mount();
    await open();
    type('Hi there');
    key(textbox(), 'Enter');
    await vi.waitFor(() => expect(lastOf('assistant')).toBeDefined());
    const v = lastOf('visitor');
    expect(v.dataset.status).toBe('sent');
    expect(v.textContent).toContain('Hi there');
    expect(lastOf('assistant').dataset.status).toBe('streaming');
    expect(lastOf('assistant').textContent).toContain('Typing…');
    expect(button('Stop')).not.toBeNull();

    client.chunk('Hel');
    await vi.waitFor(() => expect(lastOf('assistant').textContent).toContain('Hel'));
    expect(lastOf('assistant').textContent).not.toContain('Typing…');
    client.chunk('lo, ');
    client.chunk('world');
    await vi.waitFor(() => expect(lastOf('assistant').textContent).toContain('Hello, world'));
    client.finish();
    await vi.waitFor(() => expect(lastOf('assistant').dataset.status).toBe('sent'));
    expect(button('Stop')).toBeNull();
  });

  it('coalesces many chunks into few renders', async () => {
    mount();
    await open();
    await client.send('q');
    await vi.waitFor(() => expect(lastOf('assistant')).toBeDefined());
    const el = log();
    let mutations = 0;
    const mo = new MutationObserver((r) => (mutations += r.length));
    mo.observe(el, { subtree: true, childList: true, characterData: true });
    for (let i = 0; i < 200; i++) client.chunk('x');
    await vi.waitFor(() => expect(lastOf('assistant').textContent).toContain('x'.repeat(200)));
    mo.disconnect();
    expect(mutations).toBeLessThan(20);
  });

  it('while an answer streams, draws at most every 50 ms; its end, and anything else, at the next frame', async () => {
    mount();
    await open();
    await client.send('q');
    client.chunk('a');
    await vi.waitFor(() => expect(lastOf('assistant').textContent).toContain('a'));
    const drawn: number[] = [];
    const mo = new MutationObserver(() => drawn.push(lastOf('assistant').textContent!.length));
    mo.observe(log(), { subtree: true, childList: true, characterData: true });
    const started = performance.now();
    // A chunk every 4 ms for about 200 ms (the stream's pace, not a wait for the widget).
    while (performance.now() - started < 200) {
      client.chunk('x');
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
    const elapsed = performance.now() - started;
    mo.disconnect();
    expect(new Set(drawn).size).toBeGreaterThan(0);
    expect(new Set(drawn).size).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 1);
    client.finish();
    await vi.waitFor(() => expect(lastOf('assistant').dataset.status).toBe('sent'));
  });

  it('one message however it is sent twice: two Enters in one task, a held Enter, a double click on Send', async () => {
    mount();
    await open();
    type('once by Enter');
    key(textbox(), 'Enter');
    key(textbox(), 'Enter');
    type('once by a held Enter');
    key(textbox(), 'Enter');
    key(textbox(), 'Enter', { repeat: true });
    key(textbox(), 'Enter', { repeat: true });
    await settle();
    type('once by a double click');
    await settle();
    const send = button('Send')!;
    send.click();
    send.click();
    await settle();
    expect(client.calls.send).toEqual(['once by Enter', 'once by a held Enter', 'once by a double click']);
    expect(textbox().value).toBe('');
  });

  it('Stop keeps the partial answer and marks it stopped', async () => {
    mount();
    await open();
    await client.send('q');
    client.chunk('partial');
    await vi.waitFor(() => expect(button('Stop')).not.toBeNull());
    button('Stop')!.click();
    expect(client.calls.stop).toBe(1);
    await vi.waitFor(() => expect(lastOf('assistant').textContent).toContain('Stopped'));
    expect(lastOf('assistant').textContent).toContain('partial');
  });

  it('a failed message says why and Retry resends it', async () => {
    client.mode = 'fail';
    mount();
    await open();
    type('will fail');
    key(textbox(), 'Enter');
    await vi.waitFor(() => expect(lastOf('visitor').dataset.status).toBe('failed'));
    // A localized reason by error code, never the core's developer message.
    expect(lastOf('visitor').textContent).toContain('Not sent. The server could not answer.');
    expect(lastOf('visitor').textContent).not.toContain('Server error (500)');
    const id = client.getState().messages[0]!.id;
    button('Retry')!.click();
    expect(client.calls.retry).toEqual([id]);
    await vi.waitFor(() => expect(lastOf('visitor').dataset.status).toBe('sent'));
    expect(button('Retry')).toBeNull();
  });

  it('an interrupted answer keeps its text and offers Retry', async () => {
    mount();
    await open();
    const a = msg('assistant', 'half an ans', 'failed', { error: { code: 'interrupted', message: 'cut', retryable: true } });
    client.setMessages([msg('visitor', 'q'), a]);
    await vi.waitFor(() => expect(lastOf('assistant').dataset.status).toBe('failed'));
    expect(lastOf('assistant').textContent).toContain('half an ans');
    expect(lastOf('assistant').textContent).toContain('The answer was interrupted.');
    expect(lastOf('assistant').textContent).not.toContain('cut');
    button('Retry')!.click();
    expect(client.calls.retry).toEqual([a.id]);
  });

  it('a message waiting out a busy server says why and that it goes again by itself, not that it waits for a connection', async () => {
    mount();
    await open();
    client.setMessages([
      msg('visitor', 'rate limited', 'queued', { error: { code: 'http', status: 429, message: 'Too many requests', retryable: true } }),
      msg('visitor', 'timed out', 'queued', { error: { code: 'timeout', message: 'slow', retryable: true } }),
      msg('visitor', 'offline', 'queued'),
    ]);
    await settle();
    expect(messages().map((m) => m.querySelector('.meta')?.textContent ?? m.textContent)).toEqual([
      expect.stringContaining('The server is busy. Trying again shortly…'),
      expect.stringContaining('The server took too long. Trying again shortly…'),
      expect.stringContaining('Queued, will send when online'),
    ]);
  });

  it('shows queued messages as queued', async () => {
    client.mode = 'queued';
    mount();
    await open();
    type('offline msg');
    key(textbox(), 'Enter');
    await vi.waitFor(() => expect(lastOf('visitor').dataset.status).toBe('queued'));
    expect(lastOf('visitor').textContent).toContain('Queued');
  });

  it('visitor text is plain text, never markup', async () => {
    mount();
    await open();
    client.setMessages([msg('visitor', '<b>hi</b> **x**')]);
    await vi.waitFor(() => expect(messages()).toHaveLength(1));
    expect(lastOf('visitor').querySelector('b,strong')).toBeNull();
    expect(lastOf('visitor').textContent).toContain('<b>hi</b> **x**');
  });

  it('assistant markup stays inert: no script, no onerror image, no javascript: link', async () => {
    mount();
    await open();
    const evil =
      '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> [click](javascript:window.__pwned=1) <svg onload=alert(1)>';
    client.setMessages([msg('assistant', evil)]);
    await vi.waitFor(() => expect(messages()).toHaveLength(1));
    const root = shadow();
    expect(root.querySelector('script,img,iframe,[onerror],[onload]')).toBeNull();
    for (const a of root.querySelectorAll('a')) expect(a.getAttribute('href') ?? '').not.toMatch(/javascript/i);
    expect((window as any).__pwned).toBeUndefined();
  });

  it('assistant Markdown renders as elements, with safe links opening in a new tab', async () => {
    mount();
    await open();
    client.setMessages([msg('assistant', 'Hi **there**, see [docs](https://example.com/a) and `x()`')]);
    await vi.waitFor(() => expect(shadow().querySelector('strong')?.textContent).toBe('there'));
    const a = shadow().querySelector('a')!;
    expect(a.getAttribute('href')).toBe('https://example.com/a');
    expect(a.getAttribute('target')).toBe('_blank');
    expect(a.getAttribute('rel')).toContain('noopener');
    expect(shadow().querySelector('code')?.textContent).toBe('x()');
  });

  it('errors not tied to a message show in the alert area', async () => {
    mount();
    await open();
    client.setState({ error: { code: 'network', message: 'Failed to fetch', retryable: true } });
    await vi.waitFor(() => expect(alertText()).toBe('No connection.'));
    client.setState({ error: { code: 'storage', message: 'quota', retryable: false } });
    await vi.waitFor(() => expect(alertText()).toBe('Something went wrong. Please try again.'));
    client.setState({ error: null });
    await vi.waitFor(() => expect(alertText()).toBe(''));
  });

  it('announces offline status', async () => {
    mount();
    await open();
    client.setState({ status: 'offline' });
    await vi.waitFor(() => expect(shadow().querySelector('[role=status]')?.textContent).toContain('offline'));
  });
});

describe('scrolling', () => {
  it('follows new text at the bottom; shows a "new messages" pill when scrolled up', async () => {
    mount();
    await open();
    await client.send('q');
    client.chunk('a');
    await vi.waitFor(() => expect(lastOf('assistant').textContent).toContain('a'));
    expect(button('New messages ↓')).toBeNull();

    const layout = scrolledUp(300); // the visitor scrolls up to read
    log().dispatchEvent(new Event('scroll'));
    client.chunk('b');
    await vi.waitFor(() => expect(button('New messages ↓')).not.toBeNull());

    button('New messages ↓')!.click();
    expect(layout.top()).toBe(1000); // to the end
    await vi.waitFor(() => expect(button('New messages ↓')).toBeNull());
  });
});

describe('long conversations', () => {
  const transcript = (n: number) => Array.from({ length: n }, (_, i) => msg(i % 2 ? 'assistant' : 'visitor', `m${i}`));
  const texts = () => messages().map((m) => textOf(m).replace(/^(You|Assistant): /, ''));

  it('render the newest 20 messages; "Show earlier messages" reveals older pages of 60, then the greeting', async () => {
    client.setMessages(transcript(150));
    mount({ greeting: 'Hello' });
    await open();
    await settle();
    expect(messages()).toHaveLength(20);
    expect(texts()[0]).toBe('m130');
    expect(texts().at(-1)).toBe('m149');
    expect(log().textContent).not.toContain('Hello');
    button('Show earlier messages')!.click();
    await settle();
    expect(messages()).toHaveLength(80);
    expect(texts()[0]).toBe('m70');
    button('Show earlier messages')!.click();
    await settle();
    expect(messages()).toHaveLength(140);
    button('Show earlier messages')!.click();
    await settle();
    expect(messages()).toHaveLength(150);
    expect(button('Show earlier messages')).toBeNull();
    expect(shadow().activeElement).toBe(log()); // focus stays in the log when the button goes
    expect(log().textContent).toContain('Hello');
  });

  it('scrolling within a screen of the top reveals older messages and keeps the view where it was', async () => {
    client.setMessages(transcript(100));
    mount();
    await open();
    await settle();
    let top = 700;
    const el = log();
    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => messages().length * 50 });
    Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => 600 });
    Object.defineProperty(el, 'scrollTop', { configurable: true, get: () => top, set: (v) => (top = v) });
    el.dispatchEvent(new Event('scroll'));
    await settle();
    expect(messages()).toHaveLength(20); // not near the top yet
    // Ten at a time while scrolling (a short frame each), the same messages staying in view.
    for (const shown of [30, 40, 50, 60, 70, 80, 90, 100]) {
      top = 100;
      el.dispatchEvent(new Event('scroll'));
      await settle();
      expect(messages()).toHaveLength(shown);
      expect(top).toBe(100 + 10 * 50);
    }
    el.dispatchEvent(new Event('scroll'));
    await settle();
    expect(messages()).toHaveLength(100);
  });

  it('while following the end, the rendered part stays short as messages arrive', async () => {
    client.setMessages(transcript(100));
    mount();
    await open();
    await settle();
    client.setMessages(transcript(200));
    await settle();
    expect(messages()).toHaveLength(20);
    expect(texts().at(-1)).toBe(`m199`);
  });

  it('the words announced leave the region 7 s later; the message stays in the log', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      /** Frames and zero-delay tasks run; fake time stands still. */
      const frames = async () => {
        for (let i = 0; i < 3; i++) {
          await new Promise((r) => requestAnimationFrame(r));
          await vi.advanceTimersByTimeAsync(0);
        }
      };
      mount();
      await open();
      await frames();
      client.arrive(msg('agent', 'Hello there', 'sent', { agent: { name: 'Olena' } }));
      await frames();
      expect(announced()).toBe('Olena: Hello there');
      await vi.advanceTimersByTimeAsync(6_900);
      await frames();
      expect(announced()).toBe('Olena: Hello there');
      await vi.advanceTimersByTimeAsync(100);
      await frames();
      expect(announced()).toBe('');
      expect(messages().at(-1)!.textContent).toContain('Olena: Hello there');
    } finally {
      vi.useRealTimers();
    }
  });

  it('announces what arrives, once settled; not the history a chat is shown with, older messages revealed, nor streamed chunks', async () => {
    client.setMessages(transcript(100));
    mount({ greeting: 'Hello' });
    await open();
    await settle();
    expect(announced()).toBe('');
    button('Show earlier messages')!.click();
    await settle();
    expect(messages()).toHaveLength(80);
    expect(announced()).toBe('');

    client.arrive(msg('agent', 'A **person** here', 'sent', { agent: { name: 'Olena' } }));
    await settle();
    expect(announced()).toBe('Olena: A person here'); // as shown: no Markdown marks, no avatar initial

    // The visitor's own message is not read back; the answer is read once, when it has all its text.
    type('Thanks');
    key(textbox(), 'Enter');
    await settle();
    const answer = messages().at(-1)!;
    expect(answer.dataset.status).toBe('streaming');
    expect(announced()).toBe('Olena: A person here');
    client.patch(client.getState().messages.at(-1)!.id, { text: 'You are welcome' });
    await settle();
    expect(announced()).toBe('Olena: A person here');
    client.patch(client.getState().messages.at(-1)!.id, { status: 'sent' });
    await settle();
    expect(announced()).toBe('Assistant: You are welcome');

    // Another chat from the list: its messages are history, and the last chat's words are not left behind.
    client.setState({ currentChatId: 'c2', messages: transcript(5) });
    await settle();
    expect(messages()).toHaveLength(5);
    expect(announced()).toBe('');
    // An answer inserted before the last message (history merged by time) is news all the same.
    const [first, ...rest] = client.getState().messages;
    client.setMessages([first!, msg('agent', 'Seen your question', 'sent', { agent: { name: 'Ivan' } }), ...rest]);
    await settle();
    expect(announced()).toBe('Ivan: Seen your question');
  });

  it('announces a failed visitor message with the reason, and a retried answer again when it settles', async () => {
    mount();
    await open();
    await settle();
    client.setMessages([msg('visitor', 'hi', 'failed', { error: { code: 'network', message: 'x', retryable: true } })]);
    await settle();
    expect(announced()).toBe('You: hi Not sent. No connection.');
    const a = msg('assistant', 'part', 'failed', { error: { code: 'interrupted', message: 'x', retryable: true } });
    client.setMessages([msg('visitor', 'q', 'sent'), a]);
    await settle();
    expect(announced()).toContain('Assistant: part');
    client.patch(a.id, { status: 'streaming', error: undefined, text: '' });
    await settle();
    client.patch(a.id, { status: 'sent', text: 'whole answer' });
    await settle();
    expect(announced()).toBe('Assistant: whole answer');
    // Settled to settled, with no frame in between (a history sync completing a cut answer, a fast retry).
    const b = msg('assistant', 'half', 'failed', { error: { code: 'interrupted', message: 'x', retryable: true } });
    client.setMessages([...client.getState().messages, b]);
    await settle();
    client.patch(b.id, { status: 'sent', error: undefined, text: 'half and the rest' });
    await settle();
    expect(announced()).toBe('Assistant: half and the rest');
  });

  it('behind the conversation list: what settled meanwhile is announced on the way back, a typing agent not again', async () => {
    mount();
    await open();
    await settle();
    client.setState({ agentTyping: { name: 'Olena' } });
    await settle();
    expect(announced()).toBe('Olena is typing…');
    button('Chats')!.click();
    await settle();
    client.arrive(msg('agent', 'Here is the link', 'sent', { agent: { name: 'Olena' } }));
    await settle();
    key(shadow().activeElement!, 'Escape');
    await settle();
    expect(announced()).toBe('Olena: Here is the link');
  });

  it('a new chat shows from its first message', async () => {
    client.setMessages(transcript(100));
    mount();
    await open();
    await settle();
    button('New chat')!.click();
    await settle();
    client.setMessages(transcript(3));
    await settle();
    expect(messages()).toHaveLength(3);
    expect(button('Show earlier messages')).toBeNull();
  });
});

describe('unread badge', () => {
  it('counts answers completed while closed in the launcher name, and clears on open', async () => {
    mount();
    await open();
    await client.send('q');
    chat!.close();
    client.chunk('answer');
    client.finish();
    await vi.waitFor(() => expect(button('Open chat, 1 unread')).not.toBeNull());
    expect(shadow().querySelector('.b')!.textContent).toBe('1');
    await open();
    chat!.close();
    expect(button('Open chat')).not.toBeNull();
  });
});

describe('host element, styles, theming', () => {
  it('renders into one open shadow root with constructable stylesheets (launcher, window) and no style elements', async () => {
    mount({ primaryColor: '#ffcc00', zIndex: 5, position: 'left', theme: 'dark' });
    expect(document.querySelectorAll('chat-sdk-widget')).toHaveLength(1);
    const h = host()!;
    expect(h.shadowRoot!.adoptedStyleSheets).toHaveLength(1); // the launcher's; the window's comes with the app
    expect(h.shadowRoot!.querySelector('style')).toBeNull();
    expect(h.style.getPropertyValue('--chat-primary')).toBe('#ffcc00');
    expect(h.style.getPropertyValue('--chat-on-primary')).toBe('#111');
    expect(h.style.getPropertyValue('--chat-z')).toBe('5');
    expect(h.dataset.position).toBe('left');
    expect(h.dataset.theme).toBe('dark');
    expect(shadow().querySelector('[part=launcher]')).not.toBeNull();
    await open();
    expect(h.shadowRoot!.adoptedStyleSheets).toHaveLength(2);
    expect(h.shadowRoot!.querySelector('style')).toBeNull();
    for (const p of ['window', 'header', 'messages', 'composer']) expect(shadow().querySelector(`[part=${p}]`), p).not.toBeNull();
    expect(shadow().querySelector('[style]:not(textarea)')).toBeNull();
  });

  it('falls back to a <style> with the nonce (set before it joins the tree) where constructable stylesheets are missing', async () => {
    const orig = globalThis.CSSStyleSheet;
    (globalThis as any).CSSStyleSheet = () => {
      throw new TypeError('Illegal constructor');
    };
    const appended: { nonce: string; text: string }[] = [];
    const append = ShadowRoot.prototype.appendChild;
    vi.spyOn(ShadowRoot.prototype, 'appendChild').mockImplementation(function (this: ShadowRoot, node) {
      if (node instanceof HTMLStyleElement) appended.push({ nonce: node.nonce, text: node.textContent ?? '' });
      return append.call(this, node) as never;
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      mount({ nonce: 'abc123' });
    } finally {
      globalThis.CSSStyleSheet = orig;
    }
    expect(appended[0]).toMatchObject({ nonce: 'abc123', text: expect.stringContaining(':host') });
    expect(warn).not.toHaveBeenCalled();
  });

  it('without a nonce, the fallback says once in the console that a strict CSP needs one', async () => {
    const orig = globalThis.CSSStyleSheet;
    (globalThis as any).CSSStyleSheet = () => {
      throw new TypeError('Illegal constructor');
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      mount();
      await open();
    } finally {
      globalThis.CSSStyleSheet = orig;
    }
    expect(shadow().querySelectorAll('style').length).toBeGreaterThan(1);
    expect(warn.mock.calls.filter(([text]) => String(text).includes('nonce'))).toEqual([
      [expect.stringContaining('needs a nonce on the script tag')],
    ]);
  });

  it('uses right-to-left layout and translated strings', async () => {
    mount({ locale: 'uk-UA' });
    button('Відкрити чат')!.click();
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(dialog()!.getAttribute('dir')).toBe('ltr');
    expect(button('Надіслати')).not.toBeNull();
    expect(textbox().getAttribute('aria-label')).toBe('Повідомлення');
    chat!.destroy();
    mount({ locale: 'ar', strings: { open: 'افتح الدردشة' } });
    button('افتح الدردشة')!.click();
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(dialog()!.getAttribute('dir')).toBe('rtl');
  });

  it('picks readable text on the primary colour', async () => {
    expect(onColor('#2563eb')).toBe('#fff');
    expect(onColor('#fe0')).toBe('#111');
    expect(onColor('rebeccapurple')).toBe('#fff');
  });

  it('every button has a name', async () => {
    mount();
    await open();
    for (const b of buttons()) expect(b.getAttribute('aria-label') || b.textContent).toBeTruthy();
  });
});

describe('destroy', () => {
  it('removes the host and stops listening to the client', async () => {
    mount();
    await open();
    await client.send('q');
    expect(client.listenerCount()).toBe(1);
    chat!.destroy();
    chat = undefined;
    expect(host()).toBeNull();
    expect(client.listenerCount()).toBe(0);
    client.chunk('late'); // no render after destroy, no throw
    await settle();
  });
});

describe('failure reasons', () => {
  const cases: [Partial<MessageError>, string, string][] = [
    [{ code: 'network' }, 'No connection.', 'Немає з’єднання.'],
    [{ code: 'timeout' }, 'The server took too long.', 'Сервер відповідав надто довго.'],
    [{ code: 'http', status: 429 }, 'The server is busy.', 'Сервер перевантажений.'],
    [{ code: 'http', status: 503 }, 'The server is busy.', 'Сервер перевантажений.'],
    [{ code: 'http', status: 500 }, 'The server could not answer.', 'Сервер не зміг відповісти.'],
    [{ code: 'interrupted' }, 'The answer was interrupted.', 'Відповідь перервано.'],
    [{ code: 'protocol' }, 'Unexpected answer from the server.', 'Неочікувана відповідь сервера.'],
    [{ code: 'aborted' }, 'Stopped', 'Зупинено'],
  ];
  for (const [error, en, uk] of cases) {
    it(`${error.code} ${error.status ?? ''} -> "${en}" (en, uk, ru)`, async () => {
      const e = { message: 'developer text', retryable: true, ...error } as MessageError;
      expect(reason(await loadStrings('en'), e)).toBe(en);
      expect(reason(await loadStrings('uk'), e)).toBe(uk);
      expect(reason(await loadStrings('ru'), e)).toMatch(/^[А-Яа-яё ]+\.?$/);
    });
  }

  it('shows the reason with Retry on a failed visitor message, in the locale', async () => {
    mount({ locale: 'ru' });
    await open();
    client.setMessages([
      msg('visitor', 'q', 'failed', { error: { code: 'timeout', message: 'Request timed out after 20000 ms', retryable: true } }),
    ]);
    await vi.waitFor(() => expect(lastOf('visitor').textContent).toContain('Не отправлено. Сервер отвечал слишком долго.'));
    expect(button('Повторить')).not.toBeNull();
  });

  it('a send refused as invalid input shows the localized limit', async () => {
    mount({ maxMessageLength: 10 });
    await open();
    client.send = () => Promise.reject(Object.assign(new Error('Messages can be at most 3 characters long'), { code: 'invalid-input' }));
    type('abcd');
    key(textbox(), 'Enter');
    await vi.waitFor(() => expect(alertText()).toBe('Messages can be at most 10 characters.'));
  });

  it('every visible string can be overridden', async () => {
    const all = await loadStrings('en');
    const custom = Object.fromEntries(Object.keys(all).map((k) => [k, `<${k}>`])) as unknown as Strings;
    mount({ strings: custom });
    await open();
    client.setMessages([
      msg('visitor', 'q', 'failed', { error: { code: 'http', status: 503, message: 'x', retryable: true } }),
      msg('assistant', 'a', 'sent', { stopped: true }),
    ]);
    client.setState({ status: 'offline' });
    await vi.waitFor(() => expect(messages()).toHaveLength(2));
    const text = textOf(shadow() as unknown as Element).replace(/<\w+>/g, '');
    const names = buttons()
      .map((b) => b.getAttribute('aria-label') || b.textContent)
      .join('');
    // Nothing but the messages' own text is left once the overridden strings are taken out.
    expect(text.replace(/[q:a ]/g, '')).toBe('');
    expect(names.replace(/<\w+>/g, '')).toBe('');
    expect(textbox().placeholder).toBe('<placeholder>');
    expect(dialog()).toBeDefined();
    // Non-string overrides are ignored.
    expect((await loadStrings('en', { send: 5 as any })).send).toBe('Send');
  });
});

describe('status attribute', () => {
  it('only ever shows the core statuses', async () => {
    mount();
    await open();
    client.mode = 'queued';
    await client.send('a');
    client.mode = 'stream';
    await client.send('b');
    client.chunk('x');
    await vi.waitFor(() => expect(messages().length).toBeGreaterThan(2));
    for (const m of messages()) expect(['sending', 'streaming', 'sent', 'failed', 'queued']).toContain(m.dataset.status);
    expect(shadow().querySelectorAll('[data-status]').length).toBe(messages().length);
  });
});

describe('focus trap', () => {
  afterEach(() => (window as any).happyDOM.setViewport({ width: 1024, height: 768 }));
  const tab = (shiftKey = false) => key(shadow().activeElement!, 'Tab', { shiftKey });

  it('Tab cycles inside the full-screen window on a small viewport', async () => {
    (window as any).happyDOM.setViewport({ width: 400, height: 700 });
    mount();
    await open();
    type('hi');
    await vi.waitFor(() => expect(button('Send')!.disabled).toBe(false));
    button('Send')!.focus();
    tab();
    expect(shadow().activeElement).toBe(button('Chats'));
    tab(true);
    expect(shadow().activeElement).toBe(button('Send'));
  });

  it('stays non-modal on desktop', async () => {
    mount();
    await open();
    type('hi');
    await vi.waitFor(() => expect(button('Send')!.disabled).toBe(false));
    button('Send')!.focus();
    const e = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true });
    button('Send')!.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(false);
  });
});

describe('a window that fails to draw', () => {
  it('never throws into the page: it says so with Retry and Close, the console and error handlers hear it, Retry draws the chat again', async () => {
    const pageErrors: unknown[] = [];
    const onPageError = (event: ErrorEvent) => pageErrors.push(event.error);
    window.addEventListener('error', onPageError);
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    mount();
    const heard: unknown[] = [];
    chat!.on('error', (event) => heard.push(event));
    await open();
    // A bug that shows while one message is drawn (its text cannot be read), until the data changes.
    let buggy = true;
    const broken = msg('assistant', 'fine');
    Object.defineProperty(broken, 'text', {
      get() {
        if (buggy) throw new Error('a bug while drawing');
        return 'fine';
      },
    });
    client.setMessages([msg('visitor', 'hello'), broken]);
    await vi.waitFor(() => expect(alertText()).toBe('Something went wrong. Please try again.'));
    expect(heard).toEqual([{ error: { code: 'ui', message: 'The chat window failed to draw: a bug while drawing', retryable: true } }]);
    expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('The chat window failed to draw'), expect.any(Error));
    expect(pageErrors).toEqual([]);
    buggy = false;
    button('Retry')!.click();
    await vi.waitFor(() => expect(messages().map(textOf)).toEqual(['You: hello', 'Assistant: fine']));
    expect(textbox()).not.toBeNull();
    window.removeEventListener('error', onPageError);
  });
});
