// @vitest-environment happy-dom
// Inline mode (the chat inside a page element) and the teaser beside the launcher, as a visitor and the
// page see them: what is on screen, what the console says, what is stored, when the visitor is checked.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getInstance, startWidget, type WidgetInstance } from '../../src/widget';
import { readAttributes } from '../../src/widget/options';
import { createFakeClient, type FakeClient, msg } from '../ui/fake-client';
import {
  button,
  buttons,
  compileWindowParts,
  dialog,
  host,
  key,
  nameOf,
  openChat,
  settle,
  shadow,
  startChat,
  TEST_OPTIONS,
  textbox,
  type,
} from '../ui/helpers';

const CHATS_KEY = 'chatsdk:chats:https://api.example.com';
const DISMISSED_KEY = 'chatsdk:teaser:https://api.example.com';

let client: FakeClient;
let chat: WidgetInstance | undefined;
const region = () => shadow().querySelector<HTMLElement>('[role=region]');
const teaser = () => button('Need help choosing a bike?');

beforeAll(() => compileWindowParts());
beforeEach(() => {
  client = createFakeClient();
  sessionStorage.clear();
  localStorage.clear();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  getInstance()?.destroy();
  chat = undefined;
  document.body.replaceChildren();
});

/** A page element for the inline chat. */
function pageElement(id = 'support-chat'): HTMLElement {
  const element = document.createElement('div');
  element.id = id;
  document.body.append(element);
  return element;
}

describe('inline mode', () => {
  it('renders in the element, a region named by the title, open at once, with no launcher and no Close; focus stays with the page', async () => {
    const target = pageElement();
    const pageButton = document.body.appendChild(document.createElement('button'));
    pageButton.focus();
    chat = startChat(client, { target: '#support-chat', title: 'Support' });
    await vi.waitFor(() => expect(region()).not.toBeNull());
    await settle();
    expect(host()!.parentElement).toBe(target);
    expect(host()!.hasAttribute('data-inline')).toBe(true); // the stylesheet makes it fill the element
    expect(nameOf(region()!)).toBe('Support');
    expect(region()!.hidden).toBe(false);
    expect(dialog()).toBeUndefined();
    expect(shadow().querySelector('[part=launcher]')).toBeNull();
    expect(button('Close chat')).toBeNull();
    expect(button('New chat')).not.toBeNull();
    expect(textbox().getAttribute('aria-label')).toBe('Message');
    expect(document.activeElement).toBe(pageButton);
    expect(shadow().activeElement).toBeNull();
  });

  it('a contact form asked before the first message does not take the focus from the page on load', async () => {
    pageElement();
    const pageButton = document.body.appendChild(document.createElement('button'));
    pageButton.focus();
    chat = startChat(client, { target: '#support-chat', contactForm: 'before' });
    await vi.waitFor(() => expect(shadow().querySelector('form.cf input')).not.toBeNull());
    await settle();
    expect(document.activeElement).toBe(pageButton);
    expect(shadow().activeElement).toBeNull();
  });

  it('a failure to draw keeps a region with Retry and no Close; opening it on load is no `open` event', async () => {
    pageElement();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const opened: unknown[] = [];
    chat = startChat(client, { target: '#support-chat', title: 'Support' });
    chat.on('open', (event) => opened.push(event));
    await vi.waitFor(() => expect(region()).not.toBeNull());
    const broken = msg('assistant', 'fine');
    Object.defineProperty(broken, 'text', {
      get() {
        throw new Error('a bug while drawing');
      },
    });
    client.setMessages([broken]);
    await vi.waitFor(() => expect(button('Retry')).not.toBeNull());
    expect(nameOf(region()!)).toBe('Support');
    expect(dialog()).toBeUndefined();
    expect(button('Close chat')).toBeNull();
    expect(opened).toEqual([]);
  });

  it('checks the visitor only when the composer is focused or a message is sent, not on load', async () => {
    pageElement();
    chat = startChat(client, { target: '#support-chat' });
    await vi.waitFor(() => expect(region()).not.toBeNull());
    await settle();
    expect(client.calls.connect).toBe(0);
    textbox().focus();
    await vi.waitFor(() => expect(client.calls.connect).toBe(1));
    type('Hello');
    await settle();
    button('Send')!.click();
    expect(client.calls.send).toEqual(['Hello']);
  });

  it('Escape, open(), close() and toggle() leave it shown; the three calls make one console note', async () => {
    pageElement();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    chat = startChat(client, { target: '#support-chat' });
    await vi.waitFor(() => expect(region()).not.toBeNull());
    key(textbox(), 'Escape');
    chat.close();
    chat.toggle();
    chat.open();
    await settle();
    expect(region()!.hidden).toBe(false);
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
      '[ChatSDK] Inline (option "target"), the chat is always open: open(), close() and toggle() do nothing.',
    ]);
  });

  it('the same log: messages carry data-author and data-status', async () => {
    client.setMessages([msg('visitor', 'Hi', 'sent'), msg('assistant', 'Hello!', 'sent')]);
    const target = pageElement();
    chat = startChat(client, { target });
    await vi.waitFor(() => expect(shadow().querySelectorAll('[role=log] [data-author][data-status]')).toHaveLength(2));
  });

  it('a missing element: a console error naming the selector, nothing rendered or thrown; init() once it exists works, destroy() empties it', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    chat = startChat(client, { target: '#later' });
    expect(error.mock.calls.map((call) => String(call[0]))).toEqual([
      '[ChatSDK] Option "target": no element matches "#later"; nothing is rendered. Call init() once it exists.',
    ]);
    expect(host()).toBeNull();
    expect(getInstance()).toBeNull();
    expect(() => chat!.open()).not.toThrow();

    const later = pageElement('later');
    chat = startChat(client, { target: '#later' });
    expect(later.querySelector('chat-sdk-widget')).not.toBeNull();
    chat.destroy();
    expect(later.childNodes).toHaveLength(0);
  });

  it('a route that took the element away without destroy(): the next init() starts a new chat in the new element', async () => {
    const first = pageElement();
    chat = startChat(client, { target: '#support-chat' });
    await vi.waitFor(() => expect(region()).not.toBeNull());
    const old = chat;
    first.remove();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const next = pageElement();
    chat = startChat(client, { target: '#support-chat' });
    expect(chat).not.toBe(old);
    expect(next.querySelector('chat-sdk-widget')).not.toBeNull();
    expect(warn).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(region()).not.toBeNull());
    // A widget still in the page is returned as before.
    expect(startChat(client, { target: '#support-chat' })).toBe(chat);
    expect(String(warn.mock.calls[0]![0])).toContain('init() called while a widget is live');
  });

  it('data-target on the script tag; a target that is neither a selector nor an element warns and falls back to the bubble', () => {
    const tag = document.createElement('script');
    tag.dataset.target = '#support-chat';
    tag.dataset.teaser = 'Need help choosing a bike?';
    tag.dataset.teaserDelay = '5';
    expect(readAttributes(tag)).toEqual({ target: '#support-chat', teaser: 'Need help choosing a bike?', teaserDelay: 5 });

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    chat = startChat(client, { target: 42 as unknown as string });
    expect(String(warn.mock.calls[0]![0])).toContain('Option "target" must be a CSS selector or an element');
    expect(host()!.parentElement).toBe(document.body);
    expect(button('Open chat')).not.toBeNull();
  });
});

describe('the teaser', () => {
  /** setTimeout and clearTimeout under the test's control (the delay); frames still run. */
  const fakeTime = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  /** A widget whose teaser has just appeared after its 1 s delay; real timers from then on. */
  async function teaserShown(): Promise<void> {
    fakeTime();
    chat = startChat(client, { teaser: { text: 'Need help choosing a bike?', delay: 1 } });
    await vi.advanceTimersByTimeAsync(1_000);
    vi.useRealTimers();
  }

  it('shows after its delay beside the launcher, after it in keyboard order and outside any live region, with nothing stored', async () => {
    fakeTime();
    chat = startChat(client, { teaser: 'Need help choosing a bike?' });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(teaser()).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(teaser()).not.toBeNull();
    const names = buttons().map(nameOf);
    expect(names).toEqual(['Open chat', 'Need help choosing a bike?', 'Dismiss']);
    expect(teaser()!.closest('[aria-live],[role=status],[role=alert],[role=log]')).toBeNull();
    expect(sessionStorage.length + localStorage.length).toBe(0);
    expect(client.calls.getState + client.calls.connect).toBe(0);
  });

  it('a click on it opens the chat, and it is gone', async () => {
    await teaserShown();
    teaser()!.click();
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(teaser()).toBeNull();
    expect(button('Dismiss')).toBeNull();
  });

  it('clicked before the chat has loaded, the focus waits on the launcher (busy), then goes to Message', async () => {
    await teaserShown();
    teaser()!.click();
    expect(shadow().activeElement).toBe(button('Open chat'));
    expect(button('Open chat')!.getAttribute('aria-busy')).toBe('true');
    await vi.waitFor(() => expect(shadow().activeElement).toBe(textbox()));
  });

  it('pointing at it loads the chat, as pointing at the launcher does', async () => {
    await teaserShown();
    expect(client.calls.getState).toBe(0);
    teaser()!.dispatchEvent(new Event('pointerover'));
    await vi.waitFor(() => expect(shadow().querySelector('[role=dialog]')).not.toBeNull());
    expect(teaser()).not.toBeNull();
  });

  it('does not show while the chat is open, nor later on this page once it was opened', async () => {
    fakeTime();
    chat = startChat(client, { teaser: 'Need help choosing a bike?' });
    await openChat(chat);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(teaser()).toBeNull();
    button('Close chat')!.click();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(teaser()).toBeNull();
  });

  it('Dismiss hides it, moves focus to the launcher, and is remembered for the tab: the next page view shows none', async () => {
    fakeTime();
    chat = startChat(client, { teaser: 'Need help choosing a bike?' });
    await vi.advanceTimersByTimeAsync(3_000);
    button('Dismiss')!.focus();
    button('Dismiss')!.click();
    expect(teaser()).toBeNull();
    expect(shadow().activeElement).toBe(button('Open chat'));
    expect(sessionStorage.getItem(DISMISSED_KEY)).toBe('1');

    chat.destroy();
    chat = startChat(client, { teaser: 'Need help choosing a bike?' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(teaser()).toBeNull();
  });

  it('reset() (a sign-out) forgets the dismissal: the next visitor on this device is invited again', async () => {
    fakeTime();
    chat = startChat(client, { teaser: 'Need help choosing a bike?' });
    await vi.advanceTimersByTimeAsync(3_000);
    button('Dismiss')!.click();
    chat.reset();
    await vi.waitFor(() => expect(client.calls.reset).toBe(1));
    expect(sessionStorage.getItem(DISMISSED_KEY)).toBeNull();

    chat.destroy();
    chat = startChat(client, { teaser: 'Need help choosing a bike?' });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(teaser()).not.toBeNull();
  });

  it('a tab whose chats hold no message of the visitor (opened, never sent) shows it; one with a conversation does not', async () => {
    fakeTime();
    const stored = (messages: unknown[]) =>
      JSON.stringify({ v: 1, data: { currentChatId: 'c1', visitorId: 'v1', chats: [{ id: 'c1', messages }] } });
    sessionStorage.setItem(CHATS_KEY, stored([]));
    chat = startChat(client, { teaser: 'Need help choosing a bike?' });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(teaser()).not.toBeNull();

    chat.destroy();
    sessionStorage.setItem(CHATS_KEY, stored([{ id: 'm1', author: 'visitor', text: 'Hi', status: 'sent' }]));
    chat = startChat(client, { teaser: 'Need help choosing a bike?' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(teaser()).toBeNull();
  });

  it('is never drawn in inline mode, even while the app is still loading (delay 0)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    pageElement();
    chat = startWidget(
      { ...TEST_OPTIONS, teaser: 'Need help choosing a bike?', teaserDelay: 0, target: '#support-chat' },
      () => new Promise(() => undefined),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(teaser()).toBeNull();
    expect(button('Dismiss')).toBeNull();
  });

  it('is never drawn in inline mode, nor with data-open', async () => {
    fakeTime();
    pageElement();
    chat = startChat(client, { teaser: 'Need help choosing a bike?', target: '#support-chat' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(teaser()).toBeNull();
    chat.destroy();
    chat = startChat(client, { teaser: 'Need help choosing a bike?', open: true });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(teaser()).toBeNull();
  });

  it('a wrong delay warns naming the option and uses 3 s; the Dismiss label is translated and can be overridden', async () => {
    fakeTime();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    chat = startChat(client, { teaser: { text: 'Need help choosing a bike?', delay: -1 }, locale: 'uk' });
    expect(String(warn.mock.calls[0]![0])).toContain('Option "teaserDelay" must be a non-negative number');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(button('Приховати')).not.toBeNull();
    chat.destroy();
    chat = startChat(client, { teaser: 'Need help choosing a bike?', teaserDelay: 0, strings: { dismiss: 'Not now' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(button('Not now')).not.toBeNull();
  });
});
