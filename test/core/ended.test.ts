// A chat an agent ended: heard by polling, over the socket or in a round over the tab's other chats, it
// shows one line, is marked ended (also after a reload), and the next message goes straight to a new
// session: one chat request, no 404 first, delivered once.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatClient, ChatClientEvents } from '../../src/core';
import { deferred, envelope } from '../helpers/contract-server';
import { fakeSockets } from './fake-socket';
import { advance, flush, texts, useCoreHarness } from './harness';

// The code for an ended chat loads when one is first heard of: compiled before the tests, as for the socket.
beforeAll(() => Promise.all([import('../../src/core/live/socket'), import('../../src/core/live/sweep'), import('../../src/core/ended')]));

const { make, withSession } = useCoreHarness();

const ENDED = 'system:This chat has ended:sent';

function endings(client: ChatClient) {
  const heard: ChatClientEvents['chat-ended'][] = [];
  client.on('chat-ended', (event) => heard.push(event));
  return heard;
}

describe('a chat an agent ended', () => {
  it('by polling: the line after the last message, the chat marked, polling stops; after a reload the next message goes to a new session with one chat request', async () => {
    const { client, backend, sessionId, local, tab } = await withSession();
    const heard = endings(client);
    client.setPresence({ open: true, pageVisible: true });
    await flush();
    backend.say(sessionId, { sender: 'agent', text: 'Glad to help, bye!', agent: { name: 'Olena' } });
    const closedAt = backend.close(sessionId);
    await advance(3_000, 500);

    const chat = client.getState().chats[0]!;
    expect(texts(client.getState().messages)).toEqual([
      'visitor:hi:sent',
      'assistant:You said: hi:sent',
      'agent:Glad to help, bye!:sent',
      ENDED,
    ]);
    expect(client.getState().messages.at(-1)).toMatchObject({ notice: 'ended', createdAt: closedAt });
    expect(chat.endedAt).toBe(closedAt);
    expect(chat.sessionId).toBeUndefined();
    expect(heard).toEqual([{ chatId: chat.id, endedAt: closedAt }]);
    const asked = backend.count('GET', '/messages/');
    await advance(30_000, 1000);
    expect(backend.count('GET', '/messages/')).toBe(asked);

    client.destroy();
    const again = make({}, { local, tab }).client;
    expect(again.getState().chats[0]!.endedAt).toBe(closedAt);
    expect(texts(again.getState().messages).at(-1)).toBe(ENDED);
    expect(again.getState().messages.at(-1)).toMatchObject({ notice: 'ended', createdAt: closedAt });
    await again.send('one more thing');
    await flush();
    expect(backend.chats).toHaveLength(2);
    const next = backend.chats[1]!.body.session_id;
    expect(next).not.toBe(sessionId);
    expect(again.getState().chats[0]).toMatchObject({ sessionId: next });
    expect(again.getState().chats[0]!.endedAt).toBeUndefined();
    expect(texts(again.getState().messages).slice(-3)).toEqual([
      ENDED,
      'visitor:one more thing:sent',
      'assistant:You said: one more thing:sent',
    ]);
  });

  it('a session that merely expired (is_active false, no closed_at) is not shown as ended; the next message still reaches a new session', async () => {
    const { client, backend, sessionId } = await withSession();
    const heard = endings(client);
    client.setPresence({ open: true, pageVisible: true });
    await flush();
    backend.expire(sessionId);
    await advance(3_000, 500);
    expect(texts(client.getState().messages)).toEqual(['visitor:hi:sent', 'assistant:You said: hi:sent']);
    expect(client.getState().chats[0]!.endedAt).toBeUndefined();
    expect(heard).toEqual([]);
    await client.send('still there?');
    await flush();
    expect(texts(client.getState().messages).slice(-2)).toEqual(['visitor:still there?:sent', 'assistant:You said: still there?:sent']);
    expect(client.getState().chats[0]!.sessionId).not.toBe(sessionId);
  });

  it('over the socket: a frame for its session ends it once (another session’s is ignored), the socket closes; the next message opens one for the new session', async () => {
    const sockets = fakeSockets();
    const { client, backend, sessionId } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    const heard = endings(client);
    sockets.last().open();
    await flush();
    sockets.last().frame({ type: 'session:closed', payload: { session_id: 'another', closed_at: '2026-01-01T00:00:00Z' } });
    await flush();
    expect(client.getState().chats[0]!.endedAt).toBeUndefined();

    const closedAt = backend.close(sessionId);
    sockets.last().frame({ type: 'session:closed', payload: { session_id: sessionId, closed_at: closedAt } });
    sockets.last().frame({ type: 'session:closed', payload: { session_id: sessionId, closed_at: closedAt } });
    await flush();
    expect(texts(client.getState().messages)).toEqual(['visitor:hi:sent', 'assistant:You said: hi:sent', ENDED]);
    expect(heard).toHaveLength(1);
    expect(sockets.all).toHaveLength(1);
    expect(sockets.last().closed).toBe(true);

    await client.send('hello again');
    await flush();
    expect(backend.chats.map((c) => c.body.session_id === sessionId)).toEqual([true, false]);
    expect(sockets.all).toHaveLength(2);
    expect(sockets.last().url).toContain(client.getState().chats[0]!.sessionId!);
  });

  it('a message waiting in the outbox goes to the new session, below the line; one on its way that the closed session refuses is sent again there, once, and moves below the line too', async () => {
    const sockets = fakeSockets();
    const { client, backend, sessionId } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    sockets.last().open();
    await flush();
    // The first is on its way when the chat ends (the server refuses it: closed), the second waits behind it.
    const gate = deferred();
    backend.once('stream', async () => {
      await gate.promise;
      return envelope(404, undefined, `Session '${sessionId}' not found`);
    });
    await client.send('on its way');
    await client.send('waiting');
    await flush();
    expect(texts(client.getState().messages).slice(-2)).toEqual(['visitor:on its way:sending', 'visitor:waiting:queued']);
    const closedAt = backend.close(sessionId);
    sockets.last().frame({ type: 'session:closed', payload: { session_id: sessionId, closed_at: closedAt } });
    await flush();
    expect(texts(client.getState().messages).slice(-3)).toEqual(['visitor:on its way:sending', ENDED, 'visitor:waiting:queued']);
    gate.resolve();
    await flush();

    expect(texts(client.getState().messages)).toEqual([
      'visitor:hi:sent',
      'assistant:You said: hi:sent',
      ENDED,
      'visitor:on its way:sent',
      'assistant:You said: on its way:sent',
      'visitor:waiting:sent',
      'assistant:You said: waiting:sent',
    ]);
    const next = client.getState().chats[0]!.sessionId!;
    expect(backend.chats.map((c) => [c.body.message, c.body.session_id === sessionId ? 'closed' : c.body.session_id])).toEqual([
      ['hi', 'closed'],
      ['on its way', 'closed'],
      ['on its way', next],
      ['waiting', next],
    ]);
    expect(backend.sessions.size).toBe(2);
  });

  it('a chat aside that an agent ended is marked by the next round, and not asked again', async () => {
    const { client, backend, sessionId: first } = await withSession();
    const firstChat = client.getState().currentChatId;
    await client.newChat();
    await client.send('a second question');
    await flush();
    const heard = endings(client);
    const closedAt = backend.close(first);
    await advance(60_000, 1000);
    const aside = client.getState().chats.find((chat) => chat.id === firstChat)!;
    expect(aside.endedAt).toBe(closedAt);
    expect(texts(aside.messages).at(-1)).toBe(ENDED);
    expect(heard).toEqual([{ chatId: firstChat, endedAt: closedAt }]);
    // The chat in front is untouched.
    expect(client.getState().chats.find((chat) => chat.id !== firstChat)!.endedAt).toBeUndefined();
    const asked = backend.count('GET', `/sessions/${first}/messages/`);
    await advance(180_000, 5000);
    expect(backend.count('GET', `/sessions/${first}/messages/`)).toBe(asked);
    vi.useRealTimers();
  });
});
