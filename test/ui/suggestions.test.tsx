// @vitest-environment happy-dom
// Suggested questions: the site's under the greeting until the visitor writes, the server's follow-ups
// under the answer that offered them; a click sends the text as typed text goes (through the real core,
// over the wire, in the last block).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { init } from '../../src';
import { readAttributes } from '../../src/embed/script';
import { getInstance, type WidgetInstance, type WidgetOptions } from '../../src/widget';
import { API, createTestServer, KEY, MemoryStorage, sseBody, sseResponse } from '../helpers/contract-server';
import { createFakeClient, type FakeClient, msg } from './fake-client';
import { button, buttons, compileWindowParts, log, messages, openChat, settle, shadow, startChat, textOf } from './helpers';

let client: FakeClient;
let chat: WidgetInstance | undefined;

const mount = (options: Partial<WidgetOptions> = {}) => (chat = startChat(client, options));
/** The suggestion buttons, by name, in the order a keyboard reaches them. */
const offered = () => [...shadow().querySelectorAll('.sg button')].map((b) => b.textContent);
/** What comes right after an element in the log: a message's suggestions follow it. */
const followerOf = (el: Element) => el.nextElementSibling;

beforeAll(() => compileWindowParts());
beforeEach(() => {
  client = createFakeClient();
});
afterEach(() => {
  chat?.destroy();
  chat = undefined;
  getInstance()?.destroy();
  vi.restoreAllMocks();
});

describe("the site's suggestions", () => {
  it('show as buttons named by their text under the greeting, in order, while the chat has no visitor message', async () => {
    mount({ greeting: 'Hi!', suggestions: ['Track my order', 'Return a bike'] });
    await openChat(chat!);
    await vi.waitFor(() => expect(offered()).toEqual(['Track my order', 'Return a bike']));
    const greeting = log().querySelector('[data-greeting]')!;
    expect(followerOf(greeting)!.classList.contains('sg')).toBe(true);
    expect(button('Track my order')!.type).toBe('button');
    // An agent writing first does not take them away: only the visitor's own message does.
    client.setMessages([msg('agent', 'Hello, I am Olena')]);
    await settle();
    expect(offered()).toEqual(['Track my order', 'Return a bike']);
  });

  it('a click sends the text as typed text goes, moves focus to the log, and they are gone; New chat brings them back', async () => {
    mount({ suggestions: 'Track my order|Return a bike' as never });
    await openChat(chat!);
    await vi.waitFor(() => expect(button('Return a bike')).not.toBeNull());
    button('Return a bike')!.click();
    expect(client.calls.send).toEqual(['Return a bike']);
    expect(client.calls.attachments).toEqual([[]]);
    expect(shadow().activeElement).toBe(log());
    await vi.waitFor(() => expect(messages().map(textOf)[0]).toBe('You: Return a bike'));
    expect(offered()).toEqual([]);
    button('New chat')!.click();
    await vi.waitFor(() => expect(offered()).toEqual(['Track my order', 'Return a bike']));
  });

  it('wait while the contact form is asked before the first message', async () => {
    mount({ suggestions: ['Track my order'], contactForm: 'before' });
    await openChat(chat!);
    await vi.waitFor(() => expect(shadow().querySelector('form.cf')).not.toBeNull());
    await settle();
    expect(offered()).toEqual([]);
  });

  it('none configured: no buttons and no part loaded', async () => {
    mount({ greeting: 'Hi!' });
    await openChat(chat!);
    await settle();
    expect(shadow().querySelector('.sg')).toBeNull();
  });
});

describe('follow-up suggestions from the server', () => {
  it('show under the answer that offered them until the visitor sends something', async () => {
    mount();
    await openChat(chat!);
    const question = msg('visitor', 'Hi');
    const answer = msg('assistant', 'Hello! What next?', 'sent', { suggestions: ['Show me code', 'Send something long'] });
    client.setMessages([question, answer]);
    await vi.waitFor(() => expect(offered()).toEqual(['Show me code', 'Send something long']));
    expect(followerOf(messages()[1]!)!.classList.contains('sg')).toBe(true);
    // An agent's message after it leaves them where they are.
    client.setMessages([question, answer, msg('agent', 'I am here too')]);
    await settle();
    expect(followerOf(messages()[1]!)!.classList.contains('sg')).toBe(true);
    button('Show me code')!.click();
    expect(client.calls.send).toEqual(['Show me code']);
    await vi.waitFor(() => expect(offered()).toEqual([]));
  });

  it('an older answer offers nothing once the visitor wrote after it; the newest answer offers its own', async () => {
    mount({ suggestions: ['Track my order'] });
    await openChat(chat!);
    client.setMessages([
      msg('visitor', 'a'),
      msg('assistant', 'one', 'sent', { suggestions: ['Old'] }),
      msg('visitor', 'b'),
      msg('assistant', 'two'),
    ]);
    await settle();
    expect(offered()).toEqual([]);
    client.patch(client.getState().messages[3]!.id, { suggestions: ['New'] });
    await vi.waitFor(() => expect(offered()).toEqual(['New']));
    expect(buttons().some((b) => b.textContent === 'Track my order')).toBe(false);
  });
});

describe('a chat an agent ended', () => {
  it("offers nothing above the line: neither the answer's follow-ups nor the site's suggestions", async () => {
    mount({ suggestions: ['Track my order'] });
    await openChat(chat!);
    const ended = msg('system', 'This chat has ended', 'sent', { notice: 'ended' });
    client.setMessages([msg('assistant', 'Hello! What next?', 'sent', { suggestions: ['Old follow-up'] }), ended]);
    await settle();
    expect(offered()).toEqual([]);
    client.setMessages([msg('agent', 'How can I help?'), ended]);
    await settle();
    expect(offered()).toEqual([]);
  });
});

describe('the suggestions option', () => {
  it('data-suggestions is split at "|"; a list or a string; blanks dropped; more than 4 are cut with a warning; a wrong type warns and is ignored', async () => {
    const el = document.createElement('script');
    el.setAttribute('data-suggestions', 'Track my order|Return a bike');
    expect(readAttributes(el)).toEqual({ suggestions: 'Track my order|Return a bike' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    mount({ suggestions: ' a | |b|c|d|e' as never });
    await openChat(chat!);
    await vi.waitFor(() => expect(offered()).toEqual(['a', 'b', 'c', 'd']));
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual(['[ChatSDK] Option "suggestions" has 5 texts; showing the first 4.']);
    chat!.destroy();
    warn.mockClear();
    mount({ suggestions: 5 as never });
    expect(warn).not.toHaveBeenCalled(); // the window's lists are checked when the app loads, not in the page's script
    await openChat(chat!);
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
      '[ChatSDK] Option "suggestions" must be a list of texts, e.g. "Track my order|Return a bike"; using "".',
    ]);
  });
});

describe('over the wire, with the real core', () => {
  const { server, fresh } = createTestServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  let widget: WidgetInstance | undefined;
  afterEach(() => widget?.destroy());

  it('a suggestion goes out as a typed message does (same body, its own client_message_id); a follow-up answer offers more, kept after a reload', async () => {
    const backend = fresh();
    const tab = new MemoryStorage();
    const local = new MemoryStorage();
    const start = () => init({ apiKey: KEY, apiUrl: API, localStorage: local, sessionStorage: tab, suggestions: ['Track my order'] });
    backend.once('stream', () =>
      sseResponse(sseBody(['On its way.'], { end: { suggestions: ['When will it arrive?', 7, ' ', 'Change the address'] } })),
    );
    widget = start();
    await openChat(widget);
    await vi.waitFor(() => expect(button('Track my order')).not.toBeNull());
    button('Track my order')!.click();
    await vi.waitFor(() => expect(offered()).toEqual(['When will it arrive?', 'Change the address']), { timeout: 3000 });
    const [sent] = backend.chats;
    const question = messages()[0]!;
    expect(sent!.body).toEqual({
      message: 'Track my order',
      session_id: expect.any(String),
      visitor_id: expect.any(String),
      client_message_id: expect.any(String),
    });
    expect(textOf(question)).toBe('You: Track my order');

    widget.destroy();
    widget = start();
    await openChat(widget);
    await vi.waitFor(() => expect(offered()).toEqual(['When will it arrive?', 'Change the address']));
    button('Change the address')!.click();
    await vi.waitFor(() => expect(backend.chats).toHaveLength(2));
    expect(backend.chats[1]!.body.message).toBe('Change the address');
    expect(backend.chats[1]!.body.client_message_id).not.toBe(backend.chats[0]!.body.client_message_id);
  });
});
