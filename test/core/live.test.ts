// Live updates: history polling, the WebSocket (a fake one the test drives), de-duplication,
// unread, typing, connection state, and a clean stop.
import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatClient, ChatClientEvents } from '../../src/core';
import { controlledStream, deferred, envelope, sseBody, sseResponse } from '../helpers/contract-server';
import { fakeSockets } from './fake-socket';
import { API, advance, fakeTimers, flush, texts, useCoreHarness } from './harness';

// The WebSocket's code, and that of the rounds over the other chats, are modules of their own, imported
// when first needed. In a browser each is one small fetch; here the first import also compiles it, which
// can outlast flush(): compile them before the tests run, so each test sees them as soon as a page would.
beforeAll(() => Promise.all([import('../../src/core/live/socket'), import('../../src/core/live/sweep')]));

const { server, fresh, make, withSession } = useCoreHarness();

const polls = (backend: ReturnType<typeof fresh>) => backend.count('GET', '/messages/');

/** Record the events of a client by name. */
function record(client: ChatClient) {
  const log: { [K in keyof ChatClientEvents]?: ChatClientEvents[K][] } = {};
  for (const name of ['unread', 'agent-typing', 'connection', 'message'] as const) {
    client.on(name, (event) => {
      log[name] ??= [];
      (log[name] as unknown[]).push(event);
    });
  }
  return log;
}

describe('polling', () => {
  it('polls every 20 s while closed, every 3 s while open, not at all while hidden; resumes at once when visible', async () => {
    const { client, backend, sessionId } = await withSession();
    await advance(19_000, 500);
    expect(polls(backend)).toBe(0); // a new session waits one interval
    await advance(1_000, 500);
    expect(polls(backend)).toBe(1);
    await advance(20_000, 500);
    expect(polls(backend)).toBe(2);

    client.setPresence({ open: true, pageVisible: true });
    await flush();
    expect(polls(backend)).toBe(3); // opening polls at once
    await advance(9_000, 500);
    expect(polls(backend)).toBe(6);

    client.setPresence({ open: true, pageVisible: false });
    await advance(120_000, 1000);
    expect(polls(backend)).toBe(6);
    backend.say(sessionId, { sender: 'agent', text: 'While you were away', agent: { name: 'Olena' } });
    client.setPresence({ open: true, pageVisible: true });
    await flush();
    expect(polls(backend)).toBe(7);
    expect(client.getState().messages.at(-1)).toMatchObject({ author: 'agent', text: 'While you were away', agent: { name: 'Olena' } });

    client.setPresence({ open: false, pageVisible: true });
    await advance(19_000, 500);
    expect(polls(backend)).toBe(7);
    await advance(1_000, 500);
    expect(polls(backend)).toBe(8);
  });

  it('asks `since` the newest server time the chat holds, verbatim, and stores it with the chat', async () => {
    const { client, backend, sessionId, tab } = await withSession();
    client.setPresence({ open: true, pageVisible: true });
    await flush();
    const history = backend.history.get(sessionId)!;
    expect(backend.sinces[0]).toBeNull(); // first poll of a session: everything
    expect(client.getState().chats[0]!.syncedAt).toBe(history.at(-1)!.created_at);
    backend.say(sessionId, { sender: 'agent', text: 'Hello', created_at: '2999-01-01T00:00:00.123456Z' });
    await advance(3_000, 500);
    expect(backend.sinces[1]).toBe(history[1]!.created_at);
    await advance(3_000, 500);
    expect(backend.sinces[2]).toBe('2999-01-01T00:00:00.123456Z');
    expect(JSON.stringify([...tab.map.values()])).toContain('2999-01-01T00:00:00.123456Z');
    expect(client.getState().messages.filter((m) => m.text === 'Hello')).toHaveLength(1);
  });

  it('backs off on errors (doubling up to 60 s), shows reconnecting, and goes back to normal on success', async () => {
    const { client, backend } = await withSession();
    const log = record(client);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      backend.once('history', () => {
        times.push(Date.now());
        return envelope(500, undefined, 'down');
      });
    }
    backend.once('history', () => void times.push(Date.now()));
    backend.once('history', () => void times.push(Date.now()));
    client.setPresence({ open: true, pageVisible: true });
    await flush();
    expect(client.getState().connection).toBe('reconnecting');
    await advance(6_000 + 12_000 + 24_000 + 48_000 + 60_000 + 3_000, 1000);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toEqual([6_000, 12_000, 24_000, 48_000, 60_000, 3_000]);
    expect(client.getState().connection).toBe('online');
    expect(log.connection).toEqual([{ state: 'reconnecting' }, { state: 'online' }]);
  });

  it('stops for good, with one console.info, when the backend has no history endpoint (bare 404)', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const { client, backend } = await withSession();
    backend.once('history', () => new HttpResponse('Not Found', { status: 404 }));
    client.setPresence({ open: true, pageVisible: true });
    await advance(300_000, 5000);
    client.setPresence({ open: false, pageVisible: true });
    client.setPresence({ open: true, pageVisible: true });
    await advance(10_000, 1000);
    expect(polls(backend)).toBe(1);
    expect(info).toHaveBeenCalledTimes(1);
    expect(String(info.mock.calls[0]![0])).toMatch(/^\[ChatSDK\] /);
    // The core contract keeps working.
    await client.send('still there?');
    await flush();
    expect(texts(client.getState().messages).slice(-2)).toEqual(['visitor:still there?:sent', 'assistant:You said: still there?:sent']);
    expect(client.getState().connection).toBe('online');
  });

  it('a generic not-found envelope counts as no endpoint too', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const { client, backend } = await withSession();
    backend.once('history', () => envelope(404, undefined, 'Not found.'));
    client.setPresence({ open: true, pageVisible: true });
    await advance(30_000, 1000);
    expect(polls(backend)).toBe(1);
    expect(info).toHaveBeenCalledTimes(1);
  });

  it("a router's not-found naming the path (sessions/…?visitor_id=…) counts as no endpoint too", async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const { client, backend, sessionId } = await withSession();
    backend.once('history', () => envelope(404, undefined, `No route for GET /api/chats/sessions/${sessionId}/messages/?visitor_id=v1`));
    client.setPresence({ open: true, pageVisible: true });
    await advance(30_000, 1000);
    expect(polls(backend)).toBe(1);
    expect(info).toHaveBeenCalledTimes(1);
  });

  it('stops polling a session the server no longer knows; the next send makes a new one, which is polled', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const { client, backend, sessionId } = await withSession();
    backend.sessions.delete(sessionId);
    client.setPresence({ open: true, pageVisible: true });
    await advance(30_000, 1000);
    expect(polls(backend)).toBe(1);
    expect(info).not.toHaveBeenCalled();
    await client.send('again');
    await flush();
    const next = client.getState().chats[0]!.sessionId!;
    expect(next).not.toBe(sessionId);
    backend.say(next, { sender: 'agent', text: 'New session, same people' });
    await advance(3_000, 500);
    expect(polls(backend)).toBe(2);
    expect(backend.calls.filter((c) => c.path.includes('/messages/')).at(-1)!.path).toContain(next);
    expect(client.getState().messages.at(-1)?.text).toBe('New session, same people');
  });

  it('never creates a visitor or session, and asks nothing, before the visitor has a session', async () => {
    fakeTimers();
    const backend = fresh();
    const { client, local, tab } = make();
    client.getState();
    client.setPresence({ open: true, pageVisible: true });
    await advance(60_000, 1000);
    expect(backend.calls).toEqual([]);
    expect(local.map.size + tab.map.size).toBe(0);
  });

  it("live: 'off' never polls, not even after a reload", async () => {
    const sockets = fakeSockets();
    const { client, backend, local, tab } = await withSession({ live: 'off', WebSocket: sockets.WebSocket });
    client.setPresence({ open: true, pageVisible: true });
    await advance(60_000, 1000);
    client.destroy();
    const again = make({ live: 'off' }, { local, tab }).client;
    again.getState();
    again.setPresence({ open: true, pageVisible: true });
    await advance(60_000, 1000);
    expect(polls(backend)).toBe(0);
    expect(sockets.all).toEqual([]);
  });

  it('an invalid live option warns and polls', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { client, backend } = await withSession({ live: 'sometimes' as never, websocketUrl: 'http://nope' });
    expect(warn).toHaveBeenCalledTimes(2);
    client.setPresence({ open: true, pageVisible: true });
    await flush();
    expect(polls(backend)).toBe(1);
  });
});

describe('de-duplication', () => {
  it('stream + poll during the stream + poll after + reload sync: each message once', async () => {
    fakeTimers();
    const backend = fresh();
    const { client, local, tab } = make();
    client.setPresence({ open: true, pageVisible: true });
    const stream = controlledStream();
    let sessionId = '';
    backend.once('stream', (request, body) => {
      sessionId = String(body.session_id);
      // The backend stores the question at once and the answer as it streams.
      backend.say(sessionId, { id: 'm-hi', sender: 'visitor', text: 'hi', client_message_id: String(body.client_message_id) });
      backend.say(sessionId, { id: 'r-hi', sender: 'assistant', text: 'Hel', response_id: 'r-hi' });
      return stream.response(request);
    });
    await client.send('hi');
    await flush();
    stream.chunk('Hel');
    await flush();
    await advance(3_000, 500); // a poll while the answer streams
    expect(polls(backend)).toBeGreaterThan(0);
    expect(texts(client.getState().messages)).toEqual(['visitor:hi:sent', 'assistant:Hel:streaming']);
    // The answer completes on the server (its history copy is complete now) and in the stream.
    backend.history.get(sessionId)![1]!.text = 'Hello';
    backend.say(sessionId, { sender: 'agent', text: 'An agent joined', agent: { name: 'Olena' } });
    stream.push(`data: ${JSON.stringify({ chunk: 'lo', done: true, message_id: 'm-hi', response_id: 'r-hi' })}\n\n`);
    await flush();
    await advance(3_000, 500);
    const expected = ['visitor:hi:sent', 'assistant:Hello:sent', 'agent:An agent joined:sent'];
    expect(texts(client.getState().messages)).toEqual(expected);
    expect(client.getState().messages.map((m) => m.serverId)).toEqual(['m-hi', 'r-hi', expect.any(String)]);
    await advance(9_000, 500);
    expect(texts(client.getState().messages)).toEqual(expected);

    // Reload: the restored transcript is synced once at start-up, nothing doubles, news appear.
    client.destroy();
    backend.say(sessionId, { sender: 'agent', text: 'Still there?' });
    const again = make({}, { local, tab }).client;
    const before = polls(backend);
    again.getState();
    await flush();
    expect(polls(backend)).toBe(before + 1);
    expect(texts(again.getState().messages)).toEqual([...expected, 'agent:Still there?:sent']);
  });

  it('a message that failed here but reached the server shows as sent; a cut answer shows what the server kept, still with Retry', async () => {
    const { client, backend, sessionId } = await withSession();
    // The response was lost after the server stored the message: it fails here with Retry...
    backend.once('stream', (_request, body) => {
      backend.say(sessionId, { sender: 'visitor', text: 'lost reply', client_message_id: String(body.client_message_id) });
      return new HttpResponse('bad gateway', { status: 502 });
    });
    await client.send('lost reply');
    await flush();
    expect(texts(client.getState().messages).at(-1)).toBe('visitor:lost reply:failed');
    // ...and an answer was cut mid-way (no ids reached us), which the server then finished.
    backend.once('stream', (_request) => sseResponse(sseBody(['Half of'], { done: false })));
    await client.send('cut me');
    await flush();
    expect(texts(client.getState().messages).at(-1)).toBe('assistant:Half of:failed');
    backend.say(sessionId, { sender: 'visitor', text: 'cut me' });
    backend.say(sessionId, { sender: 'assistant', text: 'Half of the answer, and the rest.' });
    client.setPresence({ open: true, pageVisible: true });
    await advance(3_000, 500);
    expect(texts(client.getState().messages).slice(2)).toEqual([
      'visitor:lost reply:sent',
      'visitor:cut me:sent',
      'assistant:Half of the answer, and the rest.:failed', // nothing says the server's copy is whole
    ]);
    expect(client.getState().messages.at(-1)!.error).toMatchObject({ code: 'interrupted', retryable: true });
    expect(client.getState().messages.filter((m) => m.error)).toHaveLength(1);
  });

  it('a cut answer whose history copy holds the same partial text stays interrupted, with its Retry', async () => {
    const { client, backend, sessionId } = await withSession();
    backend.once('stream', () => sseResponse(sseBody(['Half of'], { done: false })));
    await client.send('cut me');
    await flush();
    backend.say(sessionId, { sender: 'visitor', text: 'cut me' });
    backend.say(sessionId, { sender: 'assistant', text: 'Half of' });
    client.setPresence({ open: true, pageVisible: true });
    await advance(3_000, 500);
    const answer = client.getState().messages.at(-1)!;
    expect(answer).toMatchObject({ author: 'assistant', text: 'Half of', status: 'failed', error: { code: 'interrupted' } });
    expect(client.getState().messages).toHaveLength(4);
  });

  it('plain chat responses (streaming: false) are matched to their history copies by response_id', async () => {
    const { client, backend, sessionId } = await withSession({ streaming: false });
    const [question, answer] = client.getState().messages;
    expect(question!.serverId).toBeTruthy();
    expect(answer!.serverId).toBeTruthy();
    backend.say(sessionId, { sender: 'agent', text: 'Human here' });
    client.setPresence({ open: true, pageVisible: true });
    await advance(6_000, 500);
    expect(texts(client.getState().messages)).toEqual(['visitor:hi:sent', 'assistant:You said: hi:sent', 'agent:Human here:sent']);
  });

  it('a backend that echoes no ids (not in the stream, not in history): matched by author and text', async () => {
    fakeTimers();
    const backend = fresh();
    const { client } = make();
    backend.once('stream', (_request, body) => {
      backend.say(String(body.session_id), { sender: 'visitor', text: 'hi' });
      backend.say(String(body.session_id), { sender: 'assistant', text: 'You said: hi' });
      return sseResponse(sseBody(['You said: hi']));
    });
    await client.send('hi');
    await flush();
    expect(client.getState().messages.map((m) => m.serverId)).toEqual([undefined, undefined]);
    client.setPresence({ open: true, pageVisible: true });
    await advance(6_000, 500);
    expect(texts(client.getState().messages)).toEqual(['visitor:hi:sent', 'assistant:You said: hi:sent']);
    expect(client.getState().messages.map((m) => m.serverId)).toEqual([expect.stringMatching(/^h/), expect.stringMatching(/^h/)]);
  });

  it('socket frames + gap fill + a frame for a streaming answer: each message once', async () => {
    fakeTimers();
    const backend = fresh();
    const sockets = fakeSockets();
    const { client } = make({ live: 'websocket', WebSocket: sockets.WebSocket });
    const stream = controlledStream();
    backend.once('stream', (request) => stream.response(request));
    await client.send('hi');
    await flush();
    const socket = sockets.last();
    const sessionId = client.getState().chats[0]!.sessionId!;
    expect(socket.url).toBe(`wss://api.test/ws/chats/sessions/${sessionId}/?visitor_id=${client.getState().visitorId}&api_key=pk_test`);
    const question = client.getState().messages[0]!;
    const copy = backend.say(sessionId, { id: 'm1', sender: 'visitor', text: 'hi', client_message_id: question.id });
    socket.open(); // gap fill: GET since nothing
    await flush();
    expect(polls(backend)).toBe(1);
    socket.frame({ type: 'message:new', payload: copy });
    stream.chunk('Hel');
    await flush();
    const answer = backend.say(sessionId, { id: 'r1', sender: 'assistant', text: 'Hello', response_id: 'r1' });
    socket.frame({ type: 'message:new', payload: answer }); // before the stream's done: held back
    await flush();
    expect(texts(client.getState().messages)).toEqual(['visitor:hi:sent', 'assistant:Hel:streaming']);
    stream.push(`data: ${JSON.stringify({ chunk: 'lo', done: true, response_id: 'r1' })}\n\n`);
    await flush();
    expect(polls(backend)).toBe(2); // asked again once the answer ended
    const agent = backend.say(sessionId, { sender: 'agent', text: 'Agent here', agent: { name: 'Olena' } });
    socket.frame({ type: 'message:new', payload: agent });
    socket.frame({ type: 'message:new', payload: agent });
    await flush();
    expect(texts(client.getState().messages)).toEqual(['visitor:hi:sent', 'assistant:Hello:sent', 'agent:Agent here:sent']);
    // The socket drops and comes back: the gap fill returns messages already held, plus news.
    socket.fail();
    await advance(1_000, 100);
    const late = backend.say(sessionId, { sender: 'agent', text: 'Sent during the gap' });
    sockets.last().open();
    await flush();
    sockets.last().frame({ type: 'message:new', payload: late });
    await flush();
    expect(texts(client.getState().messages)).toEqual([
      'visitor:hi:sent',
      'assistant:Hello:sent',
      'agent:Agent here:sent',
      'agent:Sent during the gap:sent',
    ]);
  });

  it('inserts a message by its time; agent avatars only over https, also after a reload', async () => {
    const { client, backend, sessionId, local, tab } = await withSession();
    const [first] = backend.history.get(sessionId)!;
    backend.say(sessionId, { sender: 'agent', text: 'safe', agent: { name: 'A', avatar_url: 'https://cdn.test/a.png' } });
    backend.say(sessionId, { sender: 'agent', text: 'unsafe', agent: { name: 'B', avatar_url: 'javascript:alert(1)' } });
    backend.say(sessionId, { sender: 'agent', text: 'plain http', agent: { name: 'C', avatar_url: 'http://cdn.test/c.png' } });
    backend.say(sessionId, { sender: 'system', text: 'early', created_at: new Date(Date.parse(first!.created_at) - 1000).toISOString() });
    backend.say(sessionId, { sender: 'agent', text: 'broken', created_at: 'yesterday' });
    client.setPresence({ open: true, pageVisible: true });
    await flush();
    const messages = client.getState().messages;
    expect(texts(messages)).toEqual([
      'system:early:sent',
      'visitor:hi:sent',
      'assistant:You said: hi:sent',
      'agent:safe:sent',
      'agent:unsafe:sent',
      'agent:plain http:sent',
    ]);
    expect(messages.slice(3).map((m) => m.agent)).toEqual([
      { name: 'A', avatarUrl: 'https://cdn.test/a.png' },
      { name: 'B' },
      { name: 'C' },
    ]);
    client.destroy();
    const again = make({ live: 'off' }, { local, tab }).client;
    expect(
      again
        .getState()
        .messages.slice(3)
        .map((m) => m.agent),
    ).toEqual(messages.slice(3).map((m) => m.agent));
  });
});

describe('Stop, and a backend that keeps the answer it was generating', () => {
  /** Send `question`, let the stream say `shown` (with the exchange's ids first when `ids`), then Stop. */
  async function stopAfter(question: string, shown: string, ids: boolean) {
    const made = await withSession();
    const { client, backend } = made;
    const stream = controlledStream();
    let clientMessageId = '';
    backend.once('stream', (request, body) => {
      clientMessageId = String(body.client_message_id);
      return stream.response(request);
    });
    await client.send(question);
    await flush();
    const named = ids ? { message_id: 'm-stop', response_id: 'r-stop' } : {};
    stream.push(`data: ${JSON.stringify({ chunk: shown, done: false, ...named })}\n\n`);
    await flush();
    client.stop();
    await flush();
    expect(texts(client.getState().messages).slice(2)).toEqual([`visitor:${question}:sent`, `assistant:${shown}:sent`]);
    return { ...made, clientMessageId, stream };
  }

  const answers = (client: ChatClient) => client.getState().messages.filter((m) => m.author === 'assistant' && m.replyTo);

  /** Two polls with the window open, then a reload: both times the chat reads `expected`, its answer still marked stopped. */
  async function afterPollsAndReload(made: Pick<Awaited<ReturnType<typeof stopAfter>>, 'client' | 'local' | 'tab'>, expected: string[]) {
    made.client.setPresence({ open: true, pageVisible: true });
    await advance(3_000, 500);
    await advance(3_000, 500);
    expect(texts(made.client.getState().messages).slice(2)).toEqual(expected);
    expect(answers(made.client).at(-1)).toMatchObject({ stopped: true });
    made.client.destroy();
    const again = make({}, { local: made.local, tab: made.tab }).client;
    again.getState();
    await flush();
    expect(texts(again.getState().messages).slice(2)).toEqual(expected);
  }

  it('the stream names its answer on the first event: the server’s longer copy is the same answer, after two polls and a reload', async () => {
    const { client, backend, sessionId, clientMessageId, local, tab } = await stopAfter('tell me', 'Once upon', true);
    expect(answers(client).at(-1)).toMatchObject({ serverId: 'r-stop', stopped: true });
    // The backend kept a few chunks more than the visitor saw, as LLM backends do.
    backend.say(sessionId, { id: 'm-stop', sender: 'visitor', text: 'tell me', client_message_id: clientMessageId });
    backend.say(sessionId, { id: 'r-stop', sender: 'assistant', text: 'Once upon a time', response_id: 'r-stop' });
    await afterPollsAndReload({ client, local, tab }, ['visitor:tell me:sent', 'assistant:Once upon a time:sent']);
  });

  it('without ids, a stopped answer is the server’s copy that starts with its text, and takes the longer text', async () => {
    const { client, backend, sessionId } = await stopAfter('tell me', 'Once upon', false);
    backend.say(sessionId, { sender: 'visitor', text: 'tell me' });
    backend.say(sessionId, { sender: 'assistant', text: 'Once upon a time' });
    client.setPresence({ open: true, pageVisible: true });
    await advance(3_000, 500);
    await advance(3_000, 500);
    expect(texts(client.getState().messages).slice(2)).toEqual(['visitor:tell me:sent', 'assistant:Once upon a time:sent']);
    expect(answers(client).at(-1)).toMatchObject({ stopped: true });
  });

  it('an answer stopped before its first word, but named, shows the text the server kept', async () => {
    const { client, backend, sessionId } = await stopAfter('tell me', '', true);
    backend.say(sessionId, { id: 'r-stop', sender: 'assistant', text: 'Once', response_id: 'r-stop' });
    client.setPresence({ open: true, pageVisible: true });
    await advance(3_000, 500);
    expect(texts(client.getState().messages).slice(2)).toEqual(['visitor:tell me:sent', 'assistant:Once:sent']);
  });

  it('an answer stopped before its first word, with no ids, is the server’s next answer to its question, after a reload too', async () => {
    const { client, backend, sessionId, clientMessageId, local, tab } = await stopAfter('tell me', '', false);
    backend.say(sessionId, { sender: 'visitor', text: 'tell me', client_message_id: clientMessageId });
    backend.say(sessionId, { sender: 'assistant', text: 'Once' });
    backend.say(sessionId, { sender: 'agent', text: 'Anything else?' });
    await afterPollsAndReload({ client, local, tab }, ['visitor:tell me:sent', 'assistant:Once:sent', 'agent:Anything else?:sent']);
  });

  it('a stopped answer does not swallow a different message: one that does not continue it is added', async () => {
    const { client, backend, sessionId } = await stopAfter('tell me', 'Once upon', false);
    backend.say(sessionId, { sender: 'assistant', text: 'Something else entirely' });
    client.setPresence({ open: true, pageVisible: true });
    await advance(3_000, 500);
    expect(texts(client.getState().messages).slice(2)).toEqual([
      'visitor:tell me:sent',
      'assistant:Once upon:sent',
      'assistant:Something else entirely:sent',
    ]);
  });
});

describe('visitor messages from elsewhere', () => {
  it('the same words sent from another tab or device (another client_message_id) leave the one waiting here to be sent', async () => {
    const { mergeHistory, readHistory } = await import('../../src/core/live/history');
    const waiting = {
      id: 'here',
      author: 'visitor' as const,
      text: 'ok',
      status: 'queued' as const,
      createdAt: '2026-01-01T00:00:05.000Z',
    };
    const list = readHistory([
      { id: 'm7', sender: 'visitor', text: 'ok', created_at: '2026-01-01T00:00:04.000Z', client_message_id: 'elsewhere' },
    ]);
    const merge = mergeHistory({ id: 'c', createdAt: '2026-01-01T00:00:00.000Z', messages: [waiting] }, list, true);
    expect(merge.chat.messages.map((m) => [m.id, m.status])).toEqual([
      ['m7', 'sent'],
      ['here', 'queued'],
    ]);
  });
});

describe('a long history', () => {
  it('3,000 messages newest first, ignoring since: the newest 2,000 in time order, each once, counted in one unread change', async () => {
    const { client, backend, sessionId } = await withSession();
    const log = record(client);
    const start = Date.now() + 60_000;
    const flood = Array.from({ length: 3000 }, (_, index) => ({
      id: `f${index}`,
      sender: 'agent' as const,
      text: `message ${index}`,
      created_at: new Date(start + index * 1000).toISOString(),
    })).reverse();
    // A duplicate inside the list, and every poll answering the whole list again.
    flood.push({ ...flood[0]! });
    backend.history.set(sessionId, flood);
    await advance(20_000, 1000);
    await advance(20_000, 1000);
    const agents = client.getState().messages.filter((m) => m.author === 'agent');
    expect(agents).toHaveLength(2000);
    expect(agents[0]!.text).toBe('message 1000');
    expect(agents.at(-1)!.text).toBe('message 2999');
    expect(agents.every((m, index) => index === 0 || m.createdAt > agents[index - 1]!.createdAt)).toBe(true);
    expect(log.unread).toEqual([{ count: 2001 }]); // the answer before, and the 2,000 in one change
  });

  it('a chat already near its 2,000: messages older than the ones it keeps neither arrive nor count as unread', async () => {
    const { mergeHistory } = await import('../../src/core/live/history');
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
    const local = Array.from({ length: 1990 }, (_, index) => ({
      id: `l${index}`,
      author: 'agent' as const,
      text: `local ${index}`,
      status: 'sent' as const,
      createdAt: at(10_000 + index),
      serverId: `l${index}`,
    }));
    const older = Array.from({ length: 2000 }, (_, index) => ({
      message: {
        id: `o${index}`,
        author: 'agent' as const,
        text: `old ${index}`,
        status: 'sent' as const,
        createdAt: at(index),
        serverId: `o${index}`,
      },
    }));
    const merge = mergeHistory({ id: 'c', createdAt: at(0), messages: local }, older, true);
    expect(merge.chat.messages).toHaveLength(2000);
    expect(merge.added.map((m) => m.id)).toEqual(merge.chat.messages.slice(0, 10).map((m) => m.id));
  });
});

describe('WebSocket', () => {
  it('reconnects with exponential backoff, falls back to polling after 5 failed reconnects, and recovers', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1); // backoff at its ceiling: 1, 2, 4, 8, 16 s
    const sockets = fakeSockets();
    const { client, backend } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    const log = record(client);
    expect(sockets.all).toHaveLength(1);
    sockets.last().fail();
    expect(client.getState().connection).toBe('reconnecting');
    for (const delay of [1_000, 2_000, 4_000, 8_000, 16_000]) {
      const count = sockets.all.length;
      await advance(delay - 100, 100);
      expect(sockets.all).toHaveLength(count);
      await advance(100, 100);
      expect(sockets.all).toHaveLength(count + 1);
      sockets.last().fail();
    }
    await flush();
    expect(polls(backend)).toBe(1); // degraded: polling started at once
    expect(client.getState().connection).toBe('reconnecting');
    await advance(40_000, 1000);
    expect(polls(backend)).toBe(3); // every 20 s while closed
    expect(sockets.all).toHaveLength(6);
    await advance(20_000, 1000); // the socket is tried again once a minute
    expect(sockets.all).toHaveLength(7);
    const pollsBefore = polls(backend);
    sockets.last().open();
    await flush();
    expect(polls(backend)).toBe(pollsBefore + 1); // gap fill
    expect(client.getState().connection).toBe('online');
    await advance(60_000, 1000);
    expect(polls(backend)).toBe(pollsBefore + 1); // polling stopped
    expect(log.connection).toEqual([{ state: 'reconnecting' }, { state: 'online' }]);
  });

  it('after a reconnect, fetches since the newest message so one sent during the gap arrives once', async () => {
    const sockets = fakeSockets();
    const { client, backend, sessionId } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    sockets.last().open();
    await flush();
    const synced = client.getState().chats[0]!.syncedAt;
    expect(synced).toBe(backend.history.get(sessionId)!.at(-1)!.created_at);
    sockets.last().fail();
    backend.say(sessionId, { sender: 'agent', text: 'during the gap' });
    await advance(1_000, 100);
    sockets.last().open();
    await flush();
    expect(backend.sinces.at(-1)).toBe(synced);
    expect(client.getState().messages.filter((m) => m.text === 'during the gap')).toHaveLength(1);
  });

  it('a gap fill that fails is a connection problem: "reconnecting", retried with backoff until the message sent during the gap arrives', async () => {
    const sockets = fakeSockets();
    const { client, backend, sessionId } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    const log = record(client);
    sockets.last().open();
    await flush();
    sockets.last().fail();
    backend.say(sessionId, { sender: 'agent', text: 'during the gap' });
    backend.once('history', () => envelope(500, undefined, 'Internal server error'));
    backend.once('history', () => envelope(500, undefined, 'Internal server error'));
    await advance(1_000, 100);
    sockets.last().open();
    await flush();
    const pollsAfterOpen = polls(backend);
    expect(client.getState().connection).toBe('reconnecting');
    expect(client.getState().messages.some((m) => m.text === 'during the gap')).toBe(false);
    await advance(5_000, 100); // the second fill (after about 1 s) fails too, the third (about 2 s later) gets it
    expect(polls(backend)).toBe(pollsAfterOpen + 2);
    expect(client.getState().messages.filter((m) => m.text === 'during the gap')).toHaveLength(1);
    expect(client.getState().connection).toBe('online');
    await advance(60_000, 1000);
    expect(polls(backend)).toBe(pollsAfterOpen + 2); // the socket carries the rest
    expect(log.connection?.at(-1)).toEqual({ state: 'online' });
  });

  it('socket frames do not move `since`: a message whose frame was lost is still fetched after the next reconnect', async () => {
    const sockets = fakeSockets();
    const { client, backend, sessionId } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    sockets.last().open();
    await flush();
    backend.say(sessionId, { sender: 'agent', text: 'lost frame' }); // a half-open socket never delivered it
    sockets.last().frame({ type: 'message:new', payload: backend.say(sessionId, { sender: 'agent', text: 'delivered' }) });
    sockets.last().fail();
    await advance(1_000, 100);
    sockets.last().open();
    await flush();
    expect(texts(client.getState().messages).slice(2)).toEqual(['agent:lost frame:sent', 'agent:delivered:sent']);
  });

  it('a socket that opens and closes at once keeps counting as failing (no tight loop)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const sockets = fakeSockets();
    await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    sockets.last().open();
    sockets.last().fail();
    await advance(1_000, 100);
    sockets.last().open();
    sockets.last().fail();
    await advance(1_900, 100);
    expect(sockets.all).toHaveLength(2); // the second wait is 2 s, not 1 s again
  });

  it('ignores malformed and unknown frames', async () => {
    const sockets = fakeSockets();
    const { client } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    sockets.last().open();
    await flush();
    const before = client.getState();
    for (const frame of [
      'not json',
      '',
      'null',
      '[]',
      '{"type":"message:new"}',
      '{"type":"message:new","payload":{"id":1}}',
      '{"type":"message:new","payload":{"id":"x","sender":"hacker","text":"t","created_at":"2020-01-01T00:00:00Z"}}',
      '{"type":"presence","payload":{}}',
      '{"type":"typing","payload":"yes"}',
      '{"type":"typing","payload":{"sender":"visitor","is_typing":true}}',
    ]) {
      expect(() => sockets.last().frame(frame)).not.toThrow();
    }
    expect(() => sockets.last().onmessage?.({ data: new Uint8Array([1, 2]) })).not.toThrow();
    await flush();
    expect(client.getState().messages).toEqual(before.messages);
    expect(client.getState().agentTyping).toBeNull();
  });

  it('newChat and switchChat close the old socket and open one for the new session', async () => {
    const sockets = fakeSockets();
    const { client } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    const first = sockets.last();
    const firstChat = client.getState().currentChatId;
    await client.newChat();
    await flush();
    expect(first.closed).toBe(true);
    expect(sockets.all).toHaveLength(2);
    expect(sockets.last().url).toContain(client.getState().chats[1]!.sessionId!);
    client.switchChat(firstChat);
    expect(sockets.all[1]!.closed).toBe(true);
    expect(sockets.last().url).toContain(client.getState().chats[0]!.sessionId!);
  });

  it('a websocketUrl template gets the session, visitor and key', async () => {
    const sockets = fakeSockets();
    const { client } = await withSession({
      live: 'websocket',
      WebSocket: sockets.WebSocket,
      websocketUrl: 'wss://rt.test/chat?s={session_id}&v={visitor_id}&k={api_key}&x={other}',
    });
    const state = client.getState();
    expect(sockets.last().url).toBe(`wss://rt.test/chat?s=${state.chats[0]!.sessionId}&v=${state.visitorId}&k=pk_test&x={other}`);
  });
});

describe('unread', () => {
  it('counts answers and agent messages that arrive while closed or hidden, never the visitor’s own, and clears', async () => {
    const { client, backend, sessionId } = await withSession();
    const log = record(client);
    expect(client.getState().unread).toBe(1); // the streamed answer finished while closed
    backend.say(sessionId, { sender: 'agent', text: 'one' });
    backend.say(sessionId, { sender: 'agent', text: 'two' });
    backend.say(sessionId, { sender: 'visitor', text: 'typed in another tab' });
    backend.say(sessionId, { sender: 'system', text: 'Olena joined' });
    await advance(20_000, 1000);
    expect(client.getState().unread).toBe(3);
    expect(log.unread).toEqual([{ count: 3 }]); // one change for the pull that brought both
    client.setPresence({ open: true, pageVisible: true });
    expect(client.getState().unread).toBe(0);
    expect(log.unread!.at(-1)).toEqual({ count: 0 });
    // Open and visible: nothing counts.
    await client.send('x');
    await flush();
    backend.say(sessionId, { sender: 'agent', text: 'three' });
    await advance(3_000, 500);
    expect(client.getState().unread).toBe(0);
    // Open but hidden counts (arriving by socket or the poll on return).
    client.setPresence({ open: true, pageVisible: false });
    backend.say(sessionId, { sender: 'agent', text: 'four' });
    await advance(30_000, 1000);
    expect(client.getState().unread).toBe(0); // hidden: not polled yet
    client.setPresence({ open: false, pageVisible: true });
    await advance(20_000, 1000);
    expect(client.getState().unread).toBe(1);
    client.markRead();
    expect(client.getState().unread).toBe(0);
    expect(log.unread!.at(-1)).toEqual({ count: 0 });
    expect(log.message!.every((e) => e.sender === e.message.author)).toBe(true);
  });
});

describe('chats not in front', () => {
  /** History requests for one session. */
  const pollsOf = (backend: ReturnType<typeof fresh>, sessionId: string) => backend.count('GET', `/sessions/${sessionId}/messages/`);

  it('an agent answering in another recent chat is fetched once a minute while the page is visible, with its dot', async () => {
    const { client, backend, sessionId: first } = await withSession();
    const firstChat = client.getState().currentChatId;
    client.setPresence({ open: true, pageVisible: true });
    await client.newChat();
    await client.send('a second question');
    await flush();
    const second = client.getState().chats[1]!.sessionId!;
    expect(second).not.toBe(first);
    expect(client.getState().chats[0]!.unread).toBeUndefined();
    const log = record(client);

    backend.say(first, { sender: 'agent', text: 'Answer in the first chat', agent: { name: 'Olena' } });
    const before = pollsOf(backend, first);
    await advance(59_000, 1000);
    expect(pollsOf(backend, first)).toBe(before);
    await advance(1_000, 500);
    expect(pollsOf(backend, first)).toBe(before + 1);
    const chatOne = () => client.getState().chats.find((c) => c.id === firstChat)!;
    expect(texts(chatOne().messages).at(-1)).toBe('agent:Answer in the first chat:sent');
    expect(chatOne().unread).toBe(1);
    // The visitor is in the window, on the other chat: the badge does not count it; the message event tells.
    expect(client.getState().unread).toBe(0);
    expect(texts(client.getState().messages)).toEqual(['visitor:a second question:sent', 'assistant:You said: a second question:sent']);
    expect(log.message!.filter((e) => e.sender === 'agent').map((e) => [e.chatId, e.message.text])).toEqual([
      [firstChat, 'Answer in the first chat'],
    ]);
    // Polling the front chat goes on as before, and counts nothing against the connection.
    expect(pollsOf(backend, second)).toBeGreaterThanOrEqual(20);
    expect(log.connection).toBeUndefined();

    // Hidden: not asked; back in view, asked again within a minute.
    client.setPresence({ open: true, pageVisible: false });
    backend.say(first, { sender: 'agent', text: 'Later' });
    const hidden = pollsOf(backend, first);
    await advance(180_000, 5000);
    expect(pollsOf(backend, first)).toBe(hidden);
    client.setPresence({ open: false, pageVisible: true });
    await advance(60_000, 1000);
    expect(texts(chatOne().messages).at(-1)).toBe('agent:Later:sent');
    expect(chatOne().unread).toBe(2);
    expect(client.getState().unread).toBe(1); // closed now: the launcher badge counts it

    client.switchChat(firstChat);
    client.setPresence({ open: true, pageVisible: true });
    expect(chatOne().unread).toBeUndefined();
  });

  it('a chat aside whose session has expired is not asked', async () => {
    fakeTimers();
    const backend = fresh();
    backend.setSessionTtl(100_000);
    const { client } = make();
    await client.send('first');
    await flush();
    const first = client.getState().chats[0]!.sessionId!;
    await client.newChat();
    await client.send('second');
    await flush();
    await advance(60_000, 1000);
    expect(pollsOf(backend, first)).toBe(1);
    await advance(120_000, 1000); // expired 100 s after it was made
    expect(pollsOf(backend, first)).toBe(1);
  });

  it('a page hidden now and then still has its chats aside asked about once a minute of being visible', async () => {
    const { client, backend, sessionId: first } = await withSession();
    await client.newChat();
    await client.send('second');
    await flush();
    const before = pollsOf(backend, first);
    // Six minutes: 25 s in view, 5 s hidden, over and over.
    for (let i = 0; i < 12; i++) {
      client.setPresence({ open: false, pageVisible: true });
      await advance(25_000, 1000);
      client.setPresence({ open: false, pageVisible: false });
      await advance(5_000, 1000);
    }
    expect(pollsOf(backend, first) - before).toBeGreaterThanOrEqual(4);
  });

  it('asks the 5 chats aside with the newest messages, newest first', async () => {
    const { client, backend } = await withSession();
    for (let i = 2; i <= 7; i++) {
      await advance(1_000, 1000); // each chat's last message a second newer than the one before
      await client.newChat();
      await client.send(`chat ${i}`);
      await flush();
    }
    const sessions = client.getState().chats.map((c) => c.sessionId!);
    expect(new Set(sessions).size).toBe(7);
    const seq = backend.calls.length;
    await advance(60_000, 1000);
    const asked = backend.calls
      .slice(seq)
      .filter((c) => c.method === 'GET' && c.path.includes('/messages/'))
      .map((c) => sessions.indexOf(/sessions\/([^/]+)\//.exec(c.path)![1]!) + 1)
      .filter((chat) => chat !== 7); // the front chat's own polls
    expect(asked).toEqual([6, 5, 4, 3, 2]);
  });

  it('a bare 404 for a chat aside ends that chat only; the front chat is still polled', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const { client, backend, sessionId: first } = await withSession();
    await client.newChat();
    await client.send('second');
    await flush();
    const second = client.getState().chats[1]!.sessionId!;
    let refused = 0;
    server.use(
      http.get(`${API}/api/chats/sessions/${first}/messages/`, () => {
        refused++;
        return HttpResponse.json({ detail: 'Not found.' }, { status: 404 });
      }),
    );
    await advance(180_000, 1000);
    expect(refused).toBe(1);
    expect(info).not.toHaveBeenCalled();
    const polled = pollsOf(backend, second);
    backend.say(second, { sender: 'agent', text: 'Still here' });
    await advance(20_000, 1000);
    expect(pollsOf(backend, second)).toBe(polled + 1);
    expect(client.getState().messages.at(-1)?.text).toBe('Still here');

    // In front again, the chat's own pull decides: the same bare 404 there means no history endpoint.
    client.switchChat(client.getState().chats[0]!.id);
    await flush();
    expect(refused).toBe(2);
    expect(info).toHaveBeenCalledTimes(1);
  });

  it('a round slower than a minute (a hanging server) is followed by a pause, not by the next round at once', async () => {
    const { client, sessionId: first } = await withSession({ requestTimeout: 70_000 });
    await client.newChat();
    await client.send('second');
    await flush();
    const asked: number[] = [];
    const hang = deferred();
    server.use(
      http.get(`${API}/api/chats/sessions/${first}/messages/`, async () => {
        asked.push(Date.now());
        await hang.promise;
        return undefined;
      }),
    );
    for (let i = 0; i < 70 && !asked.length; i++) await advance(1_000, 1000);
    expect(asked).toHaveLength(1);
    // Hidden and shown again during the round: no second round alongside it.
    await advance(10_000, 1000);
    client.setPresence({ open: false, pageVisible: false });
    client.setPresence({ open: false, pageVisible: true });
    await advance(240_000, 1000);
    expect(asked.length).toBeGreaterThanOrEqual(2);
    // Each round times out after 70 s; the next one waits at least 15 s more.
    for (let i = 1; i < asked.length; i++) expect(asked[i]! - asked[i - 1]!).toBeGreaterThanOrEqual(85_000);
    hang.resolve();
  });

  it('an agent message arriving in a chat aside leaves the front chat’s typing indicator alone', async () => {
    const sockets = fakeSockets();
    const { client, backend, sessionId: first } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    await client.newChat();
    await client.send('second');
    await flush();
    sockets.last().open();
    await flush();
    backend.say(first, { sender: 'agent', text: 'Over there' });
    // The agent of the front chat keeps typing (a frame every 5 s) until the round over the chats aside.
    for (let i = 0; i < 14 && !pollsOf(backend, first); i++) {
      sockets.last().frame({ type: 'typing', payload: { sender: 'agent', is_typing: true, name: 'Olena' } });
      await advance(5_000, 1000);
    }
    expect(pollsOf(backend, first)).toBe(1);
    expect(client.getState().chats[0]!.messages.at(-1)!.text).toBe('Over there');
    expect(client.getState().agentTyping).toEqual({ name: 'Olena' });
  });

  it('a chat aside that fails does not show reconnecting; one the server forgot is not asked again; a day-old one is left alone', async () => {
    const { client, backend, sessionId: first } = await withSession();
    backend.setSessionTtl(7 * 86_400_000); // sessions from here on outlive the day
    await client.newChat();
    await client.send('second');
    await flush();
    const log = record(client);
    // The first chat's history fails with a 500 at first; the front chat's polls are answered normally.
    let failing = true;
    let failed = 0;
    server.use(
      http.get(`${API}/api/chats/sessions/${first}/messages/`, () => {
        if (!failing) return undefined;
        failed++;
        return envelope(500, undefined, 'Server error');
      }),
    );
    await advance(180_000, 1000);
    expect(failed).toBe(3); // once a minute, no faster retries
    expect(log.connection).toBeUndefined();
    expect(client.getState().connection).toBe('online');

    failing = false;
    backend.sessions.delete(first);
    await advance(60_000, 1000);
    expect(pollsOf(backend, first)).toBe(1); // 404 for the session: never again
    await advance(120_000, 1000);
    expect(pollsOf(backend, first)).toBe(1);

    // A third chat: the second goes aside and is asked, until its last message is a day old.
    const second = client.getState().chats[1]!.sessionId!;
    await client.newChat();
    await client.send('third');
    await flush();
    const asked = pollsOf(backend, second);
    await advance(60_000, 1000);
    expect(pollsOf(backend, second)).toBe(asked + 1);
    vi.setSystemTime(Date.now() + 86_400_000);
    await advance(120_000, 1000);
    expect(pollsOf(backend, second)).toBe(asked + 1);
  });
});

describe('typing', () => {
  it('agent typing shows from socket frames, clears 6 s after the last one, and when the agent’s message arrives', async () => {
    const sockets = fakeSockets();
    const { client, backend, sessionId } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    const log = record(client);
    const socket = sockets.last();
    socket.open();
    await flush();
    socket.frame({ type: 'typing', payload: { sender: 'agent', is_typing: true, name: 'Olena' } });
    expect(client.getState().agentTyping).toEqual({ name: 'Olena' });
    await advance(4_000, 500);
    socket.frame({ type: 'typing', payload: { sender: 'agent', is_typing: true, name: 'Olena' } });
    await advance(5_000, 500);
    expect(client.getState().agentTyping).toEqual({ name: 'Olena' });
    await advance(1_000, 500);
    expect(client.getState().agentTyping).toBeNull();
    expect(log['agent-typing']).toEqual([{ isTyping: true, name: 'Olena' }, { isTyping: false }]);

    socket.frame({ type: 'typing', payload: { sender: 'agent', is_typing: true } });
    expect(client.getState().agentTyping).toEqual({});
    socket.frame({ type: 'message:new', payload: backend.say(sessionId, { sender: 'agent', text: 'Done typing' }) });
    expect(client.getState().agentTyping).toBeNull();
    socket.frame({ type: 'typing', payload: { sender: 'agent', is_typing: true, name: 'Olena' } });
    socket.frame({ type: 'typing', payload: { sender: 'agent', is_typing: false, name: 'Olena' } });
    expect(client.getState().agentTyping).toBeNull();
  });

  it('the visitor’s typing goes over the socket: one true per 2 s at most, false when it stops, on send, or after 3 s idle', async () => {
    const sockets = fakeSockets();
    const { client } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    const socket = sockets.last();
    client.setTyping(true); // not open yet: nothing
    socket.open();
    await flush();
    const frames = () => socket.sent.map((f: any) => f.payload.is_typing);
    for (let i = 0; i < 10; i++) {
      client.setTyping(true);
      await advance(150, 50);
    }
    expect(frames()).toEqual([true]);
    await advance(600, 50);
    client.setTyping(true);
    expect(frames()).toEqual([true, true]);
    client.setTyping(false);
    client.setTyping(false);
    expect(frames()).toEqual([true, true, false]);
    client.setTyping(true);
    await advance(3_000, 500);
    expect(frames()).toEqual([true, true, false, true, false]);
    client.setTyping(true);
    await client.send('sent');
    expect(frames()).toEqual([true, true, false, true, false, true, false]);
    expect(socket.sent[0]).toEqual({ type: 'typing', payload: { is_typing: true } });
  });
});

describe('lifecycle', () => {
  it('destroy() stops every timer and closes the socket', async () => {
    const sockets = fakeSockets();
    const { client } = await withSession({ live: 'websocket', WebSocket: sockets.WebSocket });
    const socket = sockets.last();
    socket.open();
    await flush();
    socket.frame({ type: 'typing', payload: { sender: 'agent', is_typing: true } });
    client.setTyping(true);
    socket.fail(); // a reconnect is pending too
    client.destroy();
    await flush();
    expect(vi.getTimerCount()).toBe(0);
    expect(socket.closed).toBe(true);
    await advance(120_000, 5000);
    expect(sockets.all).toHaveLength(1);
  });

  it('destroy() while polling (and with a poll in flight) leaves no timers or requests', async () => {
    const { client, backend } = await withSession();
    backend.once('history', () => new Promise<Response | undefined>(() => undefined));
    client.setPresence({ open: true, pageVisible: true });
    await flush();
    client.destroy();
    await flush();
    expect(vi.getTimerCount()).toBe(0);
    await advance(60_000, 5000);
    expect(polls(backend)).toBe(1);
  });
});
