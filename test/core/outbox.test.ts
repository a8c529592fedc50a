import { describe, expect, it, vi } from 'vitest';
import { controlledStream } from '../helpers/contract-server';
import { fakeTimers, flush, MemoryStorage, settled, stored, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

function goOffline() {
  const win = new EventTarget();
  const nav = { onLine: false };
  vi.stubGlobal('window', win);
  vi.stubGlobal('navigator', nav);
  return {
    online() {
      nav.onLine = true;
      win.dispatchEvent(new Event('online'));
    },
  };
}

const storedMessages = (tab: MemoryStorage) =>
  (stored(tab, 'chatsdk:chats:')?.data.chats ?? []).flatMap((c: { messages: { text: string; status: string }[] }) =>
    c.messages.map((m) => `${m.text}:${m.status}`),
  );

describe('outbox', () => {
  it('a queued message is persisted with the transcript at once', async () => {
    fresh();
    goOffline();
    const { client, tab } = make();
    await client.send('typed on a train');
    expect(storedMessages(tab)).toEqual(['typed on a train:queued']);
    expect(stored(tab, 'chatsdk:chats:')?.v).toBe(1);
  });

  it('destroy() keeps queued messages; the next start sends them exactly once, in order', async () => {
    const backend = fresh();
    goOffline();
    const local = new MemoryStorage();
    const tab = new MemoryStorage();
    const first = make({}, { local, tab }).client;
    const a = await first.send('first');
    const b = await first.send('second');
    await flush();
    first.destroy();
    expect(storedMessages(tab)).toEqual(['first:queued', 'second:queued']);
    expect(backend.calls).toEqual([]);

    vi.unstubAllGlobals(); // the reload happens with the network back
    const second = make({}, { local, tab }).client;
    second.getState(); // starting up is enough; nobody has to press anything
    const messages = await settled(second, 4);
    expect(messages.map((m) => `${m.author}:${m.text}:${m.status}`)).toEqual([
      'visitor:first:sent',
      'assistant:You said: first:sent',
      'visitor:second:sent',
      'assistant:You said: second:sent',
    ]);
    expect(backend.chats.map((c) => c.body.client_message_id)).toEqual([a.id, b.id]);
    // A third start finds nothing to send.
    second.destroy();
    const third = make({}, { local, tab }).client;
    third.getState();
    await flush();
    expect(backend.chats).toHaveLength(2);
    expect(third.getState().messages.map((m) => m.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('reload while still offline: the message is still queued after the reload, and goes out on "online"', async () => {
    const backend = fresh();
    goOffline();
    const local = new MemoryStorage();
    const tab = new MemoryStorage();
    const first = make({}, { local, tab }).client;
    await first.send('hello?');
    first.destroy();
    const net = goOffline();
    const second = make({}, { local, tab }).client;
    expect(second.getState().messages.map((m) => `${m.text}:${m.status}`)).toEqual(['hello?:queued']);
    await flush();
    expect(backend.calls).toEqual([]);
    net.online();
    await settled(second, 2);
    expect(backend.chats).toHaveLength(1);
  });

  it('a page closed mid-send: the message comes back queued and is re-sent with the same client_message_id', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    const tab = new MemoryStorage();
    const first = make({}, { local, tab }).client;
    const s = controlledStream();
    backend.once('stream', () => new Promise(() => undefined)); // never answers
    const message = await first.send('in flight');
    await vi.waitFor(() => expect(backend.chats).toHaveLength(1));
    expect(storedMessages(tab)).toEqual(['in flight:sending']);
    first.destroy();
    s.close();
    const second = make({}, { local, tab }).client;
    // Back in the outbox, and on its way again at once.
    expect(['queued', 'sending']).toContain(second.getState().messages[0]?.status);
    await settled(second, 2);
    expect(backend.chats.map((c) => c.body.client_message_id)).toEqual([message.id, message.id]);
  });

  it('a page closed mid-answer: the partial answer comes back as interrupted, the question as sent', async () => {
    const backend = fresh();
    const tab = new MemoryStorage();
    const local = new MemoryStorage();
    const first = make({}, { local, tab }).client;
    const s = controlledStream();
    backend.once('stream', () => s.response());
    await first.send('q');
    s.chunk('half an ans');
    await vi.waitFor(() => expect(first.getState().messages[1]?.text).toBe('half an ans'));
    first.destroy(); // destroy flushes the debounced save
    const second = make({}, { local, tab }).client;
    expect(second.getState().messages.map((m) => `${m.author}:${m.text}:${m.status}`)).toEqual([
      'visitor:q:sent',
      'assistant:half an ans:failed',
    ]);
    expect(second.getState().messages[1]?.error).toMatchObject({ code: 'interrupted', retryable: true });
    await flush();
    expect(backend.chats).toHaveLength(1); // nothing re-sent by itself
  });

  it('stop() ends the streaming answer but never drops or fails the messages queued behind it', async () => {
    const backend = fresh();
    const { client } = make();
    const s = controlledStream();
    backend.once('stream', () => s.response());
    await client.send('long question');
    s.chunk('partial');
    await vi.waitFor(() => expect(client.getState().messages[1]?.text).toBe('partial'));
    await client.send('next one');
    await client.send('and another');
    client.stop();
    const messages = await settled(client, 6);
    expect(messages.map((m) => `${m.author}:${m.text}:${m.status}${m.stopped ? ':stopped' : ''}`)).toEqual([
      'visitor:long question:sent',
      'assistant:partial:sent:stopped',
      'visitor:next one:sent',
      'assistant:You said: next one:sent',
      'visitor:and another:sent',
      'assistant:You said: and another:sent',
    ]);
  });

  it('stop() while messages wait offline leaves them queued (nothing is streaming)', async () => {
    const backend = fresh();
    const net = goOffline();
    const { client } = make();
    await client.send('waiting');
    await flush();
    client.stop();
    await flush();
    expect(client.getState().messages.map((m) => m.status)).toEqual(['queued']);
    net.online();
    await settled(client, 2);
    expect(backend.chats).toHaveLength(1);
  });

  it('switching chats while one is offline keeps each chat in its own order', async () => {
    const backend = fresh();
    const net = goOffline();
    const { client } = make();
    await client.send('a1');
    const chatA = client.getState().currentChatId;
    await client.newChat();
    await client.send('b1');
    client.switchChat(chatA);
    await client.send('a2');
    net.online();
    await vi.waitFor(() => expect(backend.chats).toHaveLength(3));
    const bySession = new Map<unknown, unknown[]>();
    for (const c of backend.chats) bySession.set(c.body.session_id, [...(bySession.get(c.body.session_id) ?? []), c.body.message]);
    expect([...bySession.values()].sort()).toEqual([['a1', 'a2'], ['b1']]);
  });

  it('streamed text is saved within 500 ms, and at once when the page is hidden (pagehide)', async () => {
    fakeTimers();
    const backend = fresh();
    const win = new EventTarget();
    vi.stubGlobal('window', win);
    const { client, tab } = make();
    const s = controlledStream();
    backend.once('stream', (request) => s.response(request));
    await client.send('q');
    await flush();
    // The answer's bubble is saved at once, empty; its chunks are saved together, 500 ms after the first of them.
    expect(storedMessages(tab)).toEqual(['q:sent', ':streaming']);
    s.chunk('first');
    await flush();
    expect(client.getState().messages[1]?.text).toBe('first');
    // A chunk in between does not put the save off (a steady stream is still saved every 500 ms).
    await vi.advanceTimersByTimeAsync(250);
    s.chunk(' part');
    await flush();
    expect(client.getState().messages[1]?.text).toBe('first part');
    await vi.advanceTimersByTimeAsync(249);
    await flush();
    expect(storedMessages(tab)).toEqual(['q:sent', ':streaming']);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(storedMessages(tab)).toEqual(['q:sent', 'first part:streaming']);
    s.chunk(', second part');
    await flush();
    expect(client.getState().messages[1]?.text).toBe('first part, second part');
    expect(storedMessages(tab)).toEqual(['q:sent', 'first part:streaming']);
    win.dispatchEvent(new Event('pagehide'));
    expect(storedMessages(tab)).toContain('first part, second part:streaming');
    s.close();
  });
});
