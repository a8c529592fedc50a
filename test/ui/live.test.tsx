// @vitest-environment happy-dom
// Live updates in the widget: unread badge, agent messages and typing, presence, visitor typing,
// connection label, notification sound, and the visual-viewport layout on phones.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatClient } from '../../src/core/types';
import type { WidgetInstance, WidgetOptions } from '../../src/widget';
import { createFakeClient, type FakeClient, msg } from './fake-client';
import {
  announced,
  button,
  compileWindowParts,
  host,
  key,
  log,
  messages,
  openChat,
  settle,
  shadow,
  startChat,
  stubAudio,
  TEST_OPTIONS,
  textOf,
  type,
} from './helpers';

let client: FakeClient;
let chat: WidgetInstance | undefined;
let made = 0;

const mount = (options: Partial<WidgetOptions> & { make?: () => ChatClient } = {}) => {
  const { make = () => client, ...rest } = options;
  made = 0;
  chat = startChat(() => {
    made++;
    return make();
  }, rest);
};
const open = () => openChat(chat!);
/** This tab has a chat: the widget follows the client at idle time, without opening (as after a reload). */
const followed = () => vi.waitFor(() => expect(made).toBeGreaterThan(0));
const agent = (text: string, a?: { name: string; avatarUrl?: string }) => msg('agent', text, 'sent', a ? { agent: a } : {});
const lastOf = (author: string) =>
  messages()
    .filter((m) => m.dataset.author === author)
    .pop()!;
const header = () => shadow().querySelector('[part=header]')!;
let visibility: DocumentVisibilityState = 'visible';
const setVisibility = (v: DocumentVisibilityState) => {
  visibility = v;
  document.dispatchEvent(new Event('visibilitychange'));
};

beforeAll(() => compileWindowParts());

beforeEach(() => {
  client = createFakeClient();
  sessionStorage.setItem(`chatsdk:chats:${TEST_OPTIONS.apiUrl}`, '{}');
  visibility = 'visible';
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
});
afterEach(() => {
  chat?.destroy();
  chat = undefined;
  sessionStorage.clear();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('unread badge', () => {
  it('shows the core count on the launcher badge and in its name (capped at 9+), cleared on open', async () => {
    mount();
    await followed();
    client.setState({ unread: 2 });
    await vi.waitFor(() => expect(button('Open chat, 2 unread')).not.toBeNull());
    expect(shadow().querySelector('.b')!.textContent).toBe('2');
    client.setState({ unread: 12 });
    await vi.waitFor(() => expect(shadow().querySelector('.b')!.textContent).toBe('9+'));
    expect(button('Open chat, 12 unread')).not.toBeNull();
    await open(); // the core clears the count when open and visible
    chat!.close();
    expect(button('Open chat')).not.toBeNull();
    expect(shadow().querySelector('.b')).toBeNull();
  });

  it('counts agent and assistant messages arriving while closed, not the visitor’s own', async () => {
    mount();
    await followed();
    client.arrive(agent('hi'));
    client.arrive(msg('visitor', 'me'));
    client.arrive(msg('assistant', 'answer'));
    await vi.waitFor(() => expect(button('Open chat, 2 unread')).not.toBeNull());
  });

  it('is localized and overridable', async () => {
    mount({ locale: 'uk', strings: { unread: '{n} new' } });
    await followed();
    client.setState({ unread: 3 });
    await vi.waitFor(() => expect(button('Відкрити чат, 3 new')).not.toBeNull());
  });
});

describe('agent messages', () => {
  it('show the agent name (also as the screen-reader prefix) and an https avatar without referrer', async () => {
    mount({ imageOrigins: 'https://cdn.example.com' });
    await open();
    client.setMessages([agent('Hello, I am **Olena**', { name: 'Olena', avatarUrl: 'https://cdn.example.com/o.png' })]);
    await vi.waitFor(() => expect(messages()).toHaveLength(1));
    const m = lastOf('agent');
    expect(m.querySelector('.an')!.textContent).toBe('Olena: ');
    expect(m.textContent).not.toContain('Assistant');
    expect(m.querySelector('strong')!.textContent).toBe('Olena'); // the same Markdown as answers
    const img = m.querySelector('img')!;
    expect(img.getAttribute('src')).toBe('https://cdn.example.com/o.png');
    expect(img.getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(img.getAttribute('alt')).toBe('');
    expect([img.getAttribute('width'), img.getAttribute('height')]).toEqual(['24', '24']);
  });

  it('an avatar from an origin not allowed is never requested: the initial shows', async () => {
    mount({ imageOrigins: ['https://cdn.example.com'] });
    await open();
    client.setMessages([agent('hi', { name: 'Max', avatarUrl: 'https://tracker.example/pixel.png' })]);
    await vi.waitFor(() => expect(messages()).toHaveLength(1));
    expect(lastOf('agent').querySelector('img')).toBeNull();
    expect(lastOf('agent').querySelector('.av')!.textContent).toBe('M');
  });

  it('fall back to a placeholder with the initial: no avatar, or one that fails to load', async () => {
    mount({ imageOrigins: 'https://cdn.example.com' });
    await open();
    client.setMessages([
      agent('a', { name: 'олена' }),
      agent('b', { name: 'Max', avatarUrl: 'https://cdn.example.com/404.png' }),
      agent('c'),
    ]);
    await vi.waitFor(() => expect(messages()).toHaveLength(3));
    const [a, b, c] = messages();
    expect(a!.querySelector('img')).toBeNull();
    expect(a!.querySelector('.av')!.textContent).toBe('О');
    expect(a!.querySelector('.av')!.getAttribute('aria-hidden')).toBe('true');
    b!.querySelector('img')!.dispatchEvent(new Event('error'));
    await vi.waitFor(() => expect(b!.querySelector('img')).toBeNull());
    expect(b!.querySelector('.av')!.textContent).toBe('M');
    expect(c!.querySelector('.an')!.textContent).toBe('AAgent: '); // no name from the server
  });

  it('system messages are centred notes without a prefix', async () => {
    mount();
    await open();
    client.setMessages([msg('system', 'Olena joined the chat')]);
    await vi.waitFor(() => expect(messages()).toHaveLength(1));
    expect(textOf(lastOf('system'))).toBe('Olena joined the chat');
  });
});

describe('agent typing', () => {
  const cases: [string, string, string][] = [
    ['en', 'Olena is typing…', 'Agent is typing…'],
    ['uk', 'Олена друкує…', 'Оператор друкує…'],
    ['ru', 'Олена печатает…', 'Оператор печатает…'],
  ];
  for (const [locale, named, anon] of cases) {
    it(`shows "${named}" / "${anon}" (${locale}) in the log, announced once`, async () => {
      mount({ locale });
      await open();
      client.setMessages([msg('visitor', 'q')]);
      client.setState({ agentTyping: { name: locale === 'en' ? 'Olena' : 'Олена' } });
      await vi.waitFor(() => expect(log().textContent).toContain(named));
      expect(announced()).toBe(named);
      const said = shadow().querySelector('[aria-live=polite] p')!;
      const row = [...log().querySelectorAll('.meta')].find((e) => e.textContent === named)!;
      client.setState({ status: 'idle' }); // a re-render keeps the same nodes: announced once
      await settle();
      expect(row.isConnected).toBe(true);
      expect(said.isConnected).toBe(true);
      client.setState({ agentTyping: {} });
      await vi.waitFor(() => expect(log().textContent).toContain(anon));
      expect(announced()).toBe(anon);
      client.setState({ agentTyping: null });
      await vi.waitFor(() => expect(log().textContent).not.toContain(anon));
    });
  }
});

describe('visitor typing and presence', () => {
  it('tells the client the visitor types, and stops when the composer is cleared', async () => {
    mount();
    await open();
    type('h');
    type('he');
    type('');
    expect(client.calls.typing).toEqual([true, true, false]);
  });

  it('reports presence only once the client exists, on open, close and visibility changes; destroy stops it', async () => {
    const make = vi.fn(() => client);
    mount({ make });
    setVisibility('hidden');
    expect(make).not.toHaveBeenCalled(); // presence alone does not create the client
    await followed(); // the client is created (idle time): presence applies at once
    expect(client.calls.presence).toEqual([{ open: false, pageVisible: false }]);
    setVisibility('visible');
    await open();
    setVisibility('hidden');
    chat!.close();
    expect(client.calls.presence.slice(1)).toEqual([
      { open: false, pageVisible: true },
      { open: true, pageVisible: true },
      { open: true, pageVisible: false },
      { open: false, pageVisible: false },
    ]);
    chat!.destroy();
    chat = undefined;
    setVisibility('visible');
    expect(client.calls.presence).toHaveLength(5);
  });
});

describe('connection label', () => {
  it('shows Reconnecting… or Offline in the header while degraded', async () => {
    mount({ locale: 'en' });
    await open();
    expect(header().textContent).toBe('Chat');
    client.setState({ connection: 'reconnecting' });
    await vi.waitFor(() => expect(header().textContent).toBe('ChatReconnecting…'));
    client.setState({ connection: 'offline' });
    await vi.waitFor(() => expect(header().textContent).toBe('ChatOffline'));
    client.setState({ connection: 'online' });
    await vi.waitFor(() => expect(header().textContent).toBe('Chat'));
  });

  it('is localized', async () => {
    mount({ locale: 'uk' });
    await open();
    client.setState({ connection: 'reconnecting' });
    await vi.waitFor(() => expect(header().textContent).toContain('Перепідключення…'));
  });
});

describe('a chat not shown', () => {
  const chatRecord = (id: string, messages: ReturnType<typeof msg>[], unread?: number) => ({
    id,
    createdAt: '',
    messages,
    ...(unread ? { unread } : {}),
  });

  it('an agent answer arriving there marks the Chats button and is announced, without touching the log', async () => {
    const mine = [msg('visitor', 'Second question'), msg('assistant', 'Second answer')];
    const older = [msg('visitor', 'First question')];
    client.setState({ currentChatId: 'b', messages: mine, chats: [chatRecord('a', older), chatRecord('b', mine)] });
    mount();
    await open();
    await settle();
    expect(button('Chats')!.hasAttribute('data-dot')).toBe(false);
    expect(announced()).toBe('');

    const reply = agent('Answer in the first chat', { name: 'Olena' });
    client.setState({ chats: [chatRecord('a', [...older, reply], 1), chatRecord('b', mine)] });
    await settle();
    expect(button('Chats, unread')!.hasAttribute('data-dot')).toBe(true);
    expect(announced()).toBe('New message in another chat');
    const said = shadow().querySelector('[aria-live=polite] p');
    expect(messages().map(textOf)).toEqual(['You: Second question', 'Assistant: Second answer']);
    client.setState({ status: 'idle' });
    await settle();
    expect(announced()).toBe('New message in another chat'); // said once: the region keeps its text

    // Said also while the conversation list is open (the log, and its own words, are away then).
    button('Chats, unread')!.click();
    await settle();
    expect(shadow().querySelector('nav.cl')).not.toBeNull();
    client.setState({ chats: [chatRecord('a', [...older, reply, agent('And one more')], 2), chatRecord('b', mine)] });
    await settle();
    expect(announced()).toBe('New message in another chat');
    expect(shadow().querySelector('[aria-live=polite] p')).not.toBe(said);
    button('Chats, unread')!.click();
    await settle();

    // Seen there: the button is plain again.
    client.setState({
      currentChatId: 'a',
      messages: [...older, reply],
      chats: [chatRecord('a', [...older, reply]), chatRecord('b', mine)],
    });
    await settle();
    expect(button('Chats')!.hasAttribute('data-dot')).toBe(false);
  });

  it('says it once for two arrivals in a frame; not when the visitor switches chats in that frame; a closed window keeps no words', async () => {
    const mine = [msg('visitor', 'Here')];
    const older = [msg('visitor', 'There')];
    const first = agent('One');
    const second = agent('Two');
    client.setState({ currentChatId: 'b', messages: mine, chats: [chatRecord('a', older), chatRecord('b', mine)] });
    mount();
    await open();
    await settle();
    client.setState({ chats: [chatRecord('a', [...older, first], 1), chatRecord('b', mine)] });
    client.setState({ chats: [chatRecord('a', [...older, first, second], 2), chatRecord('b', mine)] });
    await settle();
    expect(announced()).toBe('New message in another chat');

    chat!.close();
    await open();
    await settle();
    expect(announced()).toBe('');

    // Every text the region holds, even for one frame.
    const held: string[] = [];
    const region = shadow().querySelector('[aria-live=polite]')!;
    const watch = new MutationObserver(() => held.push(region.textContent ?? ''));
    watch.observe(region, { childList: true, subtree: true, characterData: true });
    client.setState({ chats: [chatRecord('a', [...older, first, second, agent('Three')], 3), chatRecord('b', mine)] });
    client.setState({
      currentChatId: 'a',
      messages: [...older, first, second],
      chats: [chatRecord('a', [...older, first, second]), chatRecord('b', mine)],
    });
    await settle();
    watch.disconnect();
    expect(held.filter(Boolean)).toEqual([]);
  });
});

describe('sound', () => {
  let audio: ReturnType<typeof stubAudio>;
  beforeEach(() => {
    audio = stubAudio();
  });
  const gesture = () => key(shadow().querySelector('[part=launcher]')!, 'Tab');

  it('plays two notes for a new agent message while closed or hidden, never for visitor or assistant messages', async () => {
    mount({ sound: true });
    await followed();
    expect(audio.made).toBe(0); // no AudioContext before a gesture inside the widget
    gesture();
    expect(audio.made).toBe(1);
    client.arrive(msg('visitor', 'mine'));
    client.arrive(msg('assistant', 'answer'));
    expect(audio.notes).toEqual([]);
    client.arrive(agent('hi', { name: 'Olena' }));
    expect(audio.notes).toHaveLength(2);
    client.setState({ status: 'idle' }); // the same message again: no second tone
    expect(audio.notes).toHaveLength(2);

    await open();
    client.arrive(agent('while open'));
    expect(audio.notes).toHaveLength(2);
    setVisibility('hidden');
    client.arrive(agent('tab hidden'));
    expect(audio.notes).toHaveLength(4);
    chat!.destroy();
    chat = undefined;
    expect(audio.closed).toBe(1);
  });

  it('is off by default, and silent before any gesture', async () => {
    mount();
    await followed();
    gesture();
    client.arrive(agent('hi'));
    expect(audio.made + audio.notes.length).toBe(0);
    chat!.destroy();
    mount({ sound: true });
    await followed();
    client.arrive(agent('hi'));
    expect(audio.notes).toEqual([]);
  });

  it('rings for an agent message in a chat not shown, once', async () => {
    mount({ sound: true });
    await followed();
    gesture();
    const mine = [msg('visitor', 'here')];
    client.setState({
      currentChatId: 'b',
      messages: mine,
      chats: [
        { id: 'a', createdAt: '', messages: [] },
        { id: 'b', createdAt: '', messages: mine },
      ],
    });
    const reply = agent('over there');
    client.setState({
      chats: [
        { id: 'a', createdAt: '', messages: [reply], unread: 1 },
        { id: 'b', createdAt: '', messages: mine },
      ],
    });
    expect(audio.notes).toHaveLength(2);
    client.setState({ status: 'idle' });
    expect(audio.notes).toHaveLength(2);
  });

  it('an assistant answer in a chat not shown does not ring for the agent messages it already had', async () => {
    const old = [agent('from yesterday')];
    const mine = [msg('visitor', 'here')];
    client.setState({
      currentChatId: 'b',
      messages: mine,
      chats: [
        { id: 'a', createdAt: '', messages: old },
        { id: 'b', createdAt: '', messages: mine },
      ],
    });
    mount({ sound: true });
    await followed();
    gesture();
    client.setState({
      chats: [
        { id: 'a', createdAt: '', messages: [...old, msg('assistant', 'a bot answer')], unread: 1 },
        { id: 'b', createdAt: '', messages: mine },
      ],
    });
    expect(audio.notes).toEqual([]);
  });

  it('a restored transcript or a switched chat does not ring', async () => {
    client.setMessages([agent('old')]);
    mount({ sound: true });
    gesture();
    await followed();
    client.setState({ currentChatId: 'c9', messages: [agent('other chat')] });
    expect(audio.notes).toEqual([]);
  });

  it('stays silent without a working AudioContext', async () => {
    vi.stubGlobal('AudioContext', () => {
      throw new Error('blocked');
    });
    mount({ sound: true });
    await followed();
    gesture();
    expect(() => client.arrive(agent('hi'))).not.toThrow();
    await vi.waitFor(() => expect(button('Open chat, 1 unread')).not.toBeNull());
    vi.stubGlobal('AudioContext', undefined);
    chat!.destroy();
    mount({ sound: true });
    await followed();
    gesture();
    expect(() => client.arrive(agent('hi'))).not.toThrow();
  });
});

describe('visual viewport on phones', () => {
  it('sets the position variables from window.visualViewport, follows resize and scroll, and stops on destroy', async () => {
    const vv = Object.assign(new EventTarget(), { offsetLeft: 0, offsetTop: 0, width: 375, height: 667 });
    const add = vi.spyOn(vv, 'addEventListener');
    const remove = vi.spyOn(vv, 'removeEventListener');
    vi.stubGlobal('visualViewport', vv);
    const phone = { matches: true };
    vi.stubGlobal('matchMedia', (media: string) => Object.assign(phone, { media }));
    mount();
    const h = host()!;
    const vars = () => ['x', 'y', 'w', 'h'].map((k) => h.style.getPropertyValue(`--chat-v${k}`));
    await vi.waitFor(() => expect(vars()).toEqual(['0px', '0px', '375px', '667px']));
    Object.assign(vv, { offsetLeft: 35, height: 400 });
    vv.dispatchEvent(new Event('scroll'));
    expect(vars()).toEqual(['35px', '0px', '375px', '400px']);
    Object.assign(vv, { offsetTop: 12, width: 300 });
    vv.dispatchEvent(new Event('resize'));
    expect(vars()).toEqual(['35px', '12px', '300px', '400px']);
    expect(add.mock.calls.map((c) => c[0]).sort()).toEqual(['resize', 'scroll']);
    chat!.destroy();
    chat = undefined;
    expect(remove.mock.calls.map((c) => c[0]).sort()).toEqual(['resize', 'scroll']);
    expect(remove.mock.calls.map((c) => c[1])).toEqual(add.mock.calls.map((c) => c[1]));
  });

  it('on a wide screen the variables are not set (only the small-screen CSS reads them) until it narrows', async () => {
    const vv = Object.assign(new EventTarget(), { offsetLeft: 0, offsetTop: 0, width: 1280, height: 800 });
    vi.stubGlobal('visualViewport', vv);
    const screen = { matches: false };
    vi.stubGlobal('matchMedia', (media: string) => Object.assign(screen, { media }));
    mount();
    const h = host()!;
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
    expect(h.style.getPropertyValue('--chat-vw')).toBe('');
    Object.assign(screen, { matches: true });
    Object.assign(vv, { width: 400 });
    vv.dispatchEvent(new Event('resize'));
    expect(h.style.getPropertyValue('--chat-vw')).toBe('400px');
  });

  it('the small-screen stylesheet places the launcher and the window by those variables', async () => {
    mount();
    const css = [...shadow().adoptedStyleSheets[0]!.cssRules].map((r) => r.cssText).join('\n');
    expect(css).toMatch(/max-width: ?480px/);
    for (const k of ['x', 'y', 'w', 'h']) expect(css).toContain(`--chat-v${k}`);
  });
});
