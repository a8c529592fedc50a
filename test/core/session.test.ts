import { describe, expect, it, vi } from 'vitest';
import { MAX_CHATS } from '../../src/core/transcript';
import { deferred, envelope } from '../helpers/contract-server';
import { API, MemoryStorage, settled, stored, texts, useCoreHarness, wire } from './harness';

const { fresh, make } = useCoreHarness();

describe('sessions', () => {
  it('nothing goes over the wire until the first send; then visitor, session, chat in that order', async () => {
    const backend = fresh();
    const { client } = make();
    client.getState();
    await new Promise((r) => setTimeout(r, 20));
    expect(backend.calls).toEqual([]);
    await client.send('hi');
    await settled(client, 2);
    expect(wire(backend)).toEqual(['visitor', 'session', 'stream']);
    const [session] = [...backend.sessions.keys()];
    expect(backend.chats[0]?.body.session_id).toBe(session);
  });

  it('later messages of the chat reuse its session', async () => {
    const backend = fresh();
    const { client } = make();
    for (const text of ['one', 'two', 'three']) await client.send(text);
    await settled(client, 6);
    expect(backend.count('POST', '/sessions/')).toBe(1);
    expect(new Set(backend.chats.map((c) => c.body.session_id)).size).toBe(1);
  });

  it('newChat() starts a new chat with its own session, created right away', async () => {
    const backend = fresh();
    const { client } = make();
    const chatEvents = vi.fn();
    client.on('chat', chatEvents);
    await client.send('in the first chat');
    await settled(client, 2);
    const firstChat = client.getState().currentChatId;
    const second = await client.newChat();
    expect(second).not.toBe(firstChat);
    expect(chatEvents).toHaveBeenCalledWith({ chatId: second });
    expect(client.getState().messages).toEqual([]);
    await vi.waitFor(() => expect(backend.count('POST', '/sessions/')).toBe(2));
    await client.send('in the second chat');
    await settled(client, 2);
    expect(backend.count('POST', '/sessions/')).toBe(2);
    const [s1, s2] = backend.chats.map((c) => c.body.session_id);
    expect(s1).not.toBe(s2);
    expect(client.getState().chats.map((c) => c.messages.length)).toEqual([2, 2]);
  });

  it('newChat() on an empty chat keeps that chat instead of piling up empty ones', async () => {
    fresh();
    const { client } = make();
    const first = client.getState().currentChatId;
    expect(await client.newChat()).toBe(first);
    expect(client.getState().chats).toHaveLength(1);
  });

  it('a send right after newChat() uses the session newChat() is creating: one session, not two', async () => {
    const backend = fresh();
    const { client } = make();
    await client.send('first');
    await settled(client, 2);
    // Hold the next session request so the send overtakes it.
    const gate = deferred();
    backend.once('sessions', async () => {
      await gate.promise;
      return undefined;
    });
    await client.newChat();
    await client.send('second');
    await client.send('third');
    gate.resolve();
    await settled(client, 4);
    // The first chat's session plus exactly one for the new chat.
    expect(backend.count('POST', '/sessions/')).toBe(2);
    const [, s2, s3] = backend.chats.map((c) => c.body.session_id);
    expect(s2).toBe(s3);
    expect(client.getState().chats[1]?.sessionId).toBe(s2);
  });

  it('an expired session is replaced BEFORE sending, not after a failed round trip', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const backend = fresh();
    backend.setSessionTtl(3600_000);
    const { client } = make();
    await client.send('before');
    await settled(client, 2);
    const [oldSession] = [...backend.sessions.keys()];
    vi.setSystemTime(Date.now() + 2 * 3600_000);
    await client.send('after');
    await settled(client, 4);
    expect(wire(backend)).toEqual(['visitor', 'session', 'stream', 'session', 'stream']);
    const last = backend.chats.at(-1)!.body;
    expect(last.session_id).not.toBe(oldSession);
    expect(backend.sessions.has(String(last.session_id))).toBe(true);
    expect(client.getState().chats[0]?.sessionId).toBe(last.session_id);
  });

  it('a session that expires within the safety margin is replaced too; one with a garbage expires_at is kept', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const backend = fresh();
    backend.once('sessions', () => envelope(201, { id: 'odd', expires_at: 'not a date' }));
    backend.sessions.set('odd', { visitor: 'v1', expires: '' });
    const { client } = make({ streaming: false });
    await client.send('one');
    await settled(client, 2);
    vi.setSystemTime(Date.now() + 365 * 24 * 3600_000);
    await client.send('two');
    await settled(client, 4);
    // A date we cannot read never forces a new session (the server will say 404 if it is gone).
    expect(backend.chats.map((c) => c.body.session_id)).toEqual(['odd', 'odd']);
  });

  it('each chat keeps its own session; switching back uses the old one', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    await client.send('a1');
    await settled(client, 2);
    const chatA = client.getState().currentChatId;
    await client.newChat();
    await client.send('b1');
    await settled(client, 2);
    client.switchChat(chatA);
    expect(texts(client.getState().messages)).toEqual(['visitor:a1:sent', 'assistant:You said: a1:sent']);
    await client.send('a2');
    await settled(client, 4);
    const sessions = backend.chats.map((c) => c.body.session_id);
    expect(sessions[0]).toBe(sessions[2]);
    expect(sessions[1]).not.toBe(sessions[0]);
    expect(backend.count('POST', '/sessions/')).toBe(2);
  });

  it('switchChat() ignores unknown ids', async () => {
    fresh();
    const { client } = make();
    const current = client.getState().currentChatId;
    client.switchChat('nope');
    expect(client.getState().currentChatId).toBe(current);
  });

  it('a reload restores the chats, the current chat and its session (no new session)', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    const tab = new MemoryStorage();
    const first = make({}, { local, tab }).client;
    await first.send('before reload');
    await settled(first, 2);
    await first.newChat();
    await first.send('second chat');
    await settled(first, 2);
    const before = first.getState();
    first.destroy();

    const second = make({}, { local, tab }).client;
    const after = second.getState();
    expect(after.currentChatId).toBe(before.currentChatId);
    expect(after.chats.map((c) => texts(c.messages))).toEqual(before.chats.map((c) => texts(c.messages)));
    expect(after.visitorId).toBe(before.visitorId);
    const sessions = backend.count('POST', '/sessions/');
    await second.send('after reload');
    await settled(second, 4);
    expect(backend.count('POST', '/sessions/')).toBe(sessions);
    expect(backend.chats.at(-1)?.body.session_id).toBe(before.chats[1]?.sessionId);
  });

  it('a restored session that belongs to another visitor is not reused', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    const tab = new MemoryStorage();
    const first = make({}, { local, tab }).client;
    await first.send('one');
    await settled(first, 2);
    const oldSession = first.getState().chats[0]?.sessionId;
    first.destroy();
    // Someone cleared localStorage (or ITP did): a new visitor on the next start.
    local.map.clear();
    const second = make({}, { local, tab }).client;
    await second.send('two');
    await settled(second, 4);
    const last = backend.chats.at(-1)!.body;
    expect(last.session_id).not.toBe(oldSession);
    expect(backend.sessions.get(String(last.session_id))?.visitor).toBe(last.visitor_id);
  });

  it('each tab keeps its own chats: a reload restores exactly that tab', async () => {
    fresh();
    const local = new MemoryStorage();
    const tab1 = new MemoryStorage();
    const tab2 = new MemoryStorage();
    const a = make({}, { local, tab: tab1 }).client;
    const b = make({}, { local, tab: tab2 }).client;
    await a.send('tab one');
    await b.send('tab two');
    await settled(a, 2);
    await settled(b, 2);
    a.destroy();
    b.destroy();
    expect(
      make({}, { local, tab: tab1 })
        .client.getState()
        .messages.map((m) => m.text)[0],
    ).toBe('tab one');
    expect(
      make({}, { local, tab: tab2 })
        .client.getState()
        .messages.map((m) => m.text)[0],
    ).toBe('tab two');
  });

  it('chats are stored per API URL: another backend starts empty', async () => {
    fresh();
    const tab = new MemoryStorage();
    const a = make({}, { tab }).client;
    await a.send('hello');
    await settled(a, 2);
    expect(stored(tab, 'chatsdk:chats:https://api.test')?.data.chats[0].messages).toHaveLength(2);
    const other = make({ apiUrl: 'https://other.test' }, { tab }).client;
    expect(other.getState().messages).toEqual([]);
  });

  it('if the session newChat() starts fails, the first send creates one and goes through', async () => {
    const backend = fresh();
    const { client } = make();
    await client.send('first');
    await settled(client, 2);
    backend.once('sessions', () => envelope(500, undefined, 'oops'));
    await client.newChat();
    await vi.waitFor(() => expect(backend.count('POST', '/sessions/')).toBe(2));
    await client.send('second');
    const messages = await settled(client, 2);
    expect(messages.map((m) => m.status)).toEqual(['sent', 'sent']);
    expect(backend.count('POST', '/sessions/')).toBe(3);
  });

  it(`past ${MAX_CHATS} chats the oldest one is dropped, but never one holding an unsent or failed message`, async () => {
    fresh();
    const tab = new MemoryStorage();
    const msg = (id: string, status: string) => ({ id, author: 'visitor', text: `text ${id}`, status, createdAt: 't' });
    const chats = Array.from({ length: MAX_CHATS }, (_, i) => ({
      id: `c${i}`,
      createdAt: 't',
      messages: [msg(`m${i}`, i === 0 ? 'failed' : 'sent')],
    }));
    tab.map.set(`chatsdk:chats:${API}`, JSON.stringify({ v: 1, data: { currentChatId: `c${MAX_CHATS - 1}`, chats } }));
    const { client } = make({}, { tab });
    await client.newChat();
    const ids = client.getState().chats.map((c) => c.id);
    expect(ids).toHaveLength(MAX_CHATS);
    expect(ids).toContain('c0'); // what the visitor typed and never got through stays
    expect(ids).not.toContain('c1');
  });

  it(`with ${MAX_CHATS} chats all holding unsent messages, newChat() still gives a usable chat`, async () => {
    const backend = fresh();
    const tab = new MemoryStorage();
    const chats = Array.from({ length: MAX_CHATS }, (_, i) => ({
      id: `c${i}`,
      createdAt: 't',
      messages: [{ id: `m${i}`, author: 'visitor', text: `t${i}`, status: 'failed', createdAt: 't' }],
    }));
    tab.map.set(`chatsdk:chats:${API}`, JSON.stringify({ v: 1, data: { currentChatId: 'c0', chats } }));
    const { client } = make({ streaming: false }, { tab });
    const id = await client.newChat();
    expect(client.getState().currentChatId).toBe(id);
    expect(client.getState().chats.map((c) => c.id)).toContain(id);
    await client.send('in the new chat');
    const messages = await settled(client, 2);
    expect(messages[0]?.text).toBe('in the new chat');
    expect(backend.chats.map((c) => c.body.message)).toEqual(['in the new chat']);
  });
});
