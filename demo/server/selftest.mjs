// @ts-check
/**
 * Self-test of the reference backend and the demo page server, through real HTTP.
 *   node --test demo/server/selftest.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from './api-server.mjs';
import { startDemoServer } from './static-server.mjs';
import WebSocket from 'ws';

const KEY = 'test-key';

/** @param {import('./api-server.mjs').ApiServer} api */
function client(api) {
  /** @param {string} path @param {unknown} [body] @param {Record<string, string>} [headers] */
  const post = (path, body, headers = {}) =>
    fetch(api.url + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': KEY, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body ?? {}),
    });
  /** @param {Response} response */
  const json = async (response) => /** @type {any} */ (await response.json());
  return {
    post,
    json,
    /** A visitor with one session. */
    async start() {
      const visitor = (await json(await post('/api/chats/visitors/', {}))).data;
      const session = (await json(await post('/api/chats/sessions/', { visitor_id: visitor.id }))).data;
      return { visitor, session };
    },
    /** @param {string} fault @param {number} [seconds] */
    async fault(fault, seconds) {
      const response = await post('/__qa/fault', seconds === undefined ? { fault } : { fault, seconds });
      assert.equal(response.status, 200, await response.clone().text());
    },
    async state(since = 0) {
      return json(await fetch(`${api.url}/__qa/state?since=${since}`));
    },
  };
}

/**
 * Read a whole SSE response: the events, the raw reads, and whether the stream ended cleanly.
 * @param {Response} response
 */
async function readStream(response) {
  assert.ok(response.body);
  /** @type {Uint8Array[]} */
  const reads = [];
  let cut = false;
  try {
    for await (const chunk of response.body) reads.push(chunk);
  } catch {
    cut = true;
  }
  const text = Buffer.concat(reads).toString('utf8');
  const events = text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => JSON.parse(block.slice(6)));
  return { reads, events, text, cut, answer: events.map((e) => e.chunk).join('') };
}

/** @param {{ visitor: any, session: any }} ids @param {string} message @param {string} [clientMessageId] */
const chatBody = (ids, message, clientMessageId) => ({
  message,
  session_id: ids.session.id,
  visitor_id: ids.visitor.id,
  ...(clientMessageId ? { client_message_id: clientMessageId } : {}),
});

test('reference API', async (t) => {
  const api = await startApiServer({ apiKey: KEY, chunkDelayMs: 2 });
  t.after(() => api.close());
  const c = client(api);

  await t.test('visitors and sessions use the envelope', async () => {
    const created = await c.post('/api/chats/visitors/', { metadata: { plan: 'x' } });
    assert.equal(created.status, 201);
    const visitor = (await c.json(created)).data;
    assert.deepEqual(Object.keys(visitor).sort(), ['created_at', 'id', 'last_seen_at', 'metadata']);
    assert.deepEqual(visitor.metadata, { plan: 'x' });

    const valid = await fetch(`${api.url}/api/chats/visitors/${visitor.id}/validate/`);
    assert.equal(valid.status, 200);
    assert.equal((await c.json(valid)).success, true);

    const unknown = await fetch(`${api.url}/api/chats/visitors/nope/validate/`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(Object.keys(await c.json(unknown)).sort(), ['message', 'success']);

    const session = await c.post('/api/chats/sessions/', { visitor_id: visitor.id }, { 'X-API-Key': '' });
    assert.equal(session.status, 201);
    const data = (await c.json(session)).data;
    assert.equal(data.visitor.id, visitor.id);
    assert.equal(data.external_user_id, null);
    assert.equal(data.is_active, true);
    assert.ok(Date.parse(data.expires_at) > Date.now());

    assert.equal((await c.post('/api/chats/sessions/', { visitor_id: 'nope' })).status, 400);
    assert.equal((await c.post('/api/chats/sessions/', '{not json')).status, 400);
    assert.equal((await c.post('/api/chats/visitors', {})).status, 404); // no trailing slash
    assert.equal((await fetch(`${api.url}/api/chats/sessions/`)).status, 405);
  });

  await t.test('chat: key, body, ownership and unknown ids', async () => {
    const ids = await c.start();
    const body = chatBody(ids, 'hello');
    assert.equal((await c.post('/api/chats/messages/chat/', body, { 'X-API-Key': '' })).status, 401);
    assert.equal((await c.post('/api/chats/messages/chat/stream/', body, { 'X-API-Key': 'wrong' })).status, 401);
    assert.equal((await c.post('/api/chats/messages/chat/', '{"message":')).status, 400);
    assert.equal((await c.post('/api/chats/messages/chat/', { ...body, message: '  ' })).status, 400);
    assert.equal((await c.post('/api/chats/messages/chat/', { ...body, message: 'x'.repeat(4001) })).status, 400);
    assert.equal((await c.post('/api/chats/messages/chat/', { ...body, client_message_id: 'x'.repeat(65) })).status, 400);

    const other = await c.start();
    const stolen = await c.post('/api/chats/messages/chat/', { ...body, visitor_id: other.visitor.id });
    assert.equal(stolen.status, 403);

    const noSession = await c.json(await c.post('/api/chats/messages/chat/', { ...body, session_id: 'nope' }));
    assert.match(noSession.message, /^Session .* not found/);
    const noVisitor = await c.post('/api/chats/messages/chat/', { ...body, visitor_id: 'nope' });
    assert.equal(noVisitor.status, 404);
    assert.match((await c.json(noVisitor)).message, /^Visitor .* not found/);

    const ok = await c.json(await c.post('/api/chats/messages/chat/', body));
    assert.equal(ok.success, true);
    assert.equal(ok.data.session_id, ids.session.id);
    assert.match(ok.data.response, /> hello/);
  });

  await t.test('client_message_id de-duplicates, across both endpoints', async () => {
    const ids = await c.start();
    const streamed = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'emoji', 'm-1')));
    const again = await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'emoji', 'm-1')));
    const last = streamed.events.at(-1);
    assert.equal(last.done, true);
    assert.equal(again.data.response_id, last.response_id);
    assert.equal(again.data.message_id, last.message_id);
    assert.equal(again.data.response, streamed.answer);
    assert.ok(!streamed.answer.includes('\uFFFD'), 'split UTF-8 decodes cleanly');
    assert.match(streamed.answer, /👩‍👩‍👧‍👦/u);
    assert.equal(api.state.store.messages.get(ids.session.id)?.length, 2);
    assert.equal((await c.post('/api/chats/messages/chat/', chatBody(ids, 'different', 'm-1'))).status, 422);
  });

  await t.test('streams split UTF-8 inside characters and end with done', async () => {
    const ids = await c.start();
    const response = await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'Привіт'));
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const { reads, events, answer } = await readStream(response);
    const brokenReads = reads.filter((r) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(r);
        return false;
      } catch {
        return true;
      }
    });
    assert.ok(brokenReads.length > 0, 'some reads end inside a character');
    assert.ok(!answer.includes('\uFFFD'));
    assert.ok(answer.startsWith('Привіт!'));
    assert.equal(events.filter((e) => e.done).length, 1);

    // The default answer carries its last words in the done event, as seed 003 does.
    const plain = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'hi')));
    assert.notEqual(plain.events.at(-1).chunk, '');
    assert.ok(plain.answer.endsWith('Anything else gets this answer.'));
  });

  await t.test('hostile answer contains the promised payloads', async () => {
    const ids = await c.start();
    const { data } = await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'XSS please')));
    for (const needle of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[click](javascript:alert(1))', '[x](JaVaScRiPt:alert(1))', '<a href="javascript:alert(1)">a</a>', 'data:text/html', '(https://']) {
      assert.ok(data.response.includes(needle), needle);
    }
  });

  await t.test('a client that leaves mid-stream is logged as aborted', async () => {
    const ids = await c.start();
    const response = await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'long'));
    const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
    await reader.read();
    await reader.cancel(); // closes the connection, as the widget's Stop button does
    await new Promise((r) => setTimeout(r, 50));
    const { log } = await c.state();
    assert.match(log.at(-1).note, /stream aborted by client after \d+ of \d+ events/);
  });

  await t.test('CORS preflight', async () => {
    const response = await fetch(`${api.url}/api/chats/messages/chat/stream/`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-api-key' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example');
    assert.equal(response.headers.get('access-control-allow-headers'), 'Content-Type, X-API-Key');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    assert.equal(response.headers.get('access-control-expose-headers'), 'Retry-After');
  });

  await t.test('one-shot status faults', async () => {
    await c.fault('500-next');
    assert.equal((await c.post('/api/chats/visitors/', {})).status, 500);
    assert.equal((await c.post('/api/chats/visitors/', {})).status, 201, 'consumed');

    await c.fault('429-next', 7);
    const limited = await c.post('/api/chats/visitors/', {});
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    await c.fault('503-next');
    assert.equal((await c.post('/api/chats/visitors/', {})).headers.get('retry-after'), '2');

    await c.fault('html-200-next');
    const portal = await c.post('/api/chats/visitors/', {});
    assert.equal(portal.status, 200);
    assert.match(portal.headers.get('content-type') ?? '', /text\/html/);
    await portal.text();

    const ids = await c.start();
    await c.fault('session-404-next');
    assert.equal((await c.post('/api/chats/messages/chat/', chatBody(ids, 'a'))).status, 404);
    await c.fault('403-next');
    assert.equal((await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'a'))).status, 403);
    assert.equal((await c.post('/api/chats/messages/chat/', chatBody(ids, 'a'))).status, 200);

    const { log } = await c.state();
    assert.ok(log.some((/** @type {any} */ e) => e.note?.includes('QA fault 403-next')));
  });

  await t.test('cut-stream ends without done; the retry replays the whole answer', async () => {
    const ids = await c.start();
    await c.fault('cut-stream');
    const cut = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'markdown', 'cut-1')));
    assert.ok(cut.events.length > 0 && cut.events.every((e) => !e.done));
    const retry = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'markdown', 'cut-1')));
    assert.equal(retry.events.at(-1).done, true);
    assert.ok(retry.answer.startsWith(cut.answer));
    assert.equal(api.state.store.messages.get(ids.session.id)?.length, 2);
  });

  await t.test('drop-response-next stores the message but sends nothing', async () => {
    const ids = await c.start();
    await c.fault('drop-response-next');
    await assert.rejects(c.post('/api/chats/messages/chat/', chatBody(ids, 'lost?', 'drop-1')));
    assert.equal(api.state.store.messages.get(ids.session.id)?.length, 2);
    const retry = await c.post('/api/chats/messages/chat/', chatBody(ids, 'lost?', 'drop-1'));
    assert.equal(retry.status, 200);
    assert.equal(api.state.store.messages.get(ids.session.id)?.length, 2);
  });

  await t.test('slow delays the first chunk until normal', async () => {
    const ids = await c.start();
    await c.fault('slow', 0.3);
    let started = Date.now();
    await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'hi')));
    assert.ok(Date.now() - started >= 300);
    assert.match((await c.state()).mode, /slow 0.3s/);
    await c.fault('normal');
    started = Date.now();
    await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'hi')));
    assert.ok(Date.now() - started < 300);
  });

  await t.test('expire-sessions and forget-visitors', async () => {
    const ids = await c.start();
    await c.fault('expire-sessions');
    const expired = await c.post('/api/chats/messages/chat/', chatBody(ids, 'hi'));
    assert.equal(expired.status, 404);
    assert.match((await c.json(expired)).message, /has expired/);
    await c.fault('forget-visitors');
    assert.deepEqual((await c.state()).counts, { visitors: 0, sessions: 0, messages: 0, sockets: 0 });
    assert.equal((await fetch(`${api.url}/api/chats/visitors/${ids.visitor.id}/validate/`)).status, 404);
    assert.equal((await c.post('/__qa/fault', { fault: 'nope' })).status, 400);
  });

  await t.test('state log with since, and reset', async () => {
    const before = (await c.state()).lastSeq;
    await c.post('/api/chats/visitors/', {});
    const { log } = await c.state(before);
    assert.equal(log.length, 1);
    assert.deepEqual(Object.keys(log[0]).sort(), ['method', 'ms', 'path', 'seq', 'status', 'time']);
    await c.post('/__qa/reset', {});
    const after = await c.state();
    assert.equal(after.mode, 'normal');
    assert.equal(after.counts.visitors, 0);
  });
});

/**
 * A WebSocket client that records frames and how it closed.
 * @param {import('./api-server.mjs').ApiServer} api
 * @param {string} query path and query after /ws/chats/sessions/
 */
function socket(api, query) {
  const ws = new WebSocket(`${api.url.replace(/^http/, 'ws')}/ws/chats/sessions/${query}`);
  /** @type {any[]} */
  const frames = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
  ws.on('error', () => {});
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, retryAfter: res.headers['retry-after'] })));
  });
  opened.catch(() => {});
  /** @type {Promise<{ code: number, reason: string }>} */
  const closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  /** Wait until a frame matches. @param {(frame: any) => boolean} match */
  const next = async (match, ms = 1000) => {
    const until = Date.now() + ms;
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no matching frame; got ${JSON.stringify(frames)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { ws, frames, opened, closed, next };
}

test('history endpoint', async (t) => {
  const api = await startApiServer({ apiKey: KEY, chunkDelayMs: 2 });
  t.after(() => api.close());
  const c = client(api);
  const ids = await c.start();
  /** @param {Record<string, string>} [query] @param {Record<string, string>} [headers] @param {string} [sessionId] */
  const history = (query = {}, headers = { 'X-API-Key': KEY }, sessionId = ids.session.id) =>
    fetch(`${api.url}/api/chats/sessions/${sessionId}/messages/?${new URLSearchParams({ visitor_id: ids.visitor.id, ...query })}`, { headers });

  await t.test('empty, then every message oldest first with matching ids', async () => {
    assert.deepEqual((await c.json(await history())).data, { messages: [] });
    const chat = (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'one', 'c-1')))).data;
    const streamed = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'two', 'c-2')));
    const done = streamed.events.at(-1);
    assert.ok(done.done && done.message_id && done.response_id, 'done carries the ids');
    const reply = api.agentReply(ids.session.id, 'Hi, **Olena** here', 'Olena', 'https://example.com/o.png');

    const { messages } = (await c.json(await history())).data;
    assert.deepEqual(messages.map((/** @type {any} */ m) => `${m.sender}:${m.text.slice(0, 9)}`), [
      'visitor:one', 'assistant:Thanks fo', 'visitor:two', 'assistant:Thanks fo', 'agent:Hi, **Ole',
    ]);
    assert.deepEqual(messages[0], { id: chat.message_id, sender: 'visitor', text: 'one', created_at: messages[0].created_at, client_message_id: 'c-1' });
    assert.equal(messages[1].id, chat.response_id);
    assert.equal(messages[1].response_id, chat.response_id);
    assert.equal(messages[1].text, chat.response);
    assert.equal(messages[2].id, done.message_id);
    assert.equal(messages[3].response_id, done.response_id);
    assert.equal(messages[3].text, streamed.answer);
    assert.deepEqual(messages[4], reply);
    assert.deepEqual(reply.agent, { name: 'Olena', avatar_url: 'https://example.com/o.png' });
    /** @type {number[]} */
    const times = messages.map((/** @type {any} */ m) => Date.parse(m.created_at));
    assert.ok(times.every((time, i) => i === 0 || time > (times[i - 1] ?? 0)), 'strictly increasing');
  });

  await t.test('since: strictly after, never skipping or repeating', async () => {
    const all = (await c.json(await history())).data.messages;
    const after = (await c.json(await history({ since: all[1].created_at }))).data.messages;
    assert.deepEqual(after, all.slice(2));
    assert.deepEqual((await c.json(await history({ since: all.at(-1).created_at }))).data.messages, []);
    // Same instant with an offset, sent with its + unencoded (arrives as a space).
    const offset = new Date(Date.parse(all[1].created_at)).toISOString().replace('Z', '+00:00');
    const raw = await fetch(`${api.url}/api/chats/sessions/${ids.session.id}/messages/?visitor_id=${ids.visitor.id}&since=${offset}`, { headers: { 'X-API-Key': KEY } });
    assert.equal((await c.json(raw)).data.messages.length, all.length - 2);
    for (const bad of ['yesterday', '2025-12-09', '2025-12-09T12:00:00', '2025-13-45T99:00:00Z']) {
      assert.equal((await history({ since: bad })).status, 400, bad);
    }
  });

  await t.test('key, ownership and unknown ids, as for chat', async () => {
    assert.equal((await history({}, {})).status, 401);
    assert.equal((await history({}, { 'X-API-Key': 'wrong' })).status, 401);
    const other = await c.start();
    assert.equal((await history({ visitor_id: other.visitor.id })).status, 403);
    const noSession = await history({}, undefined, 'nope');
    assert.equal(noSession.status, 404);
    assert.match((await c.json(noSession)).message, /^Session .* not found/);
    const noVisitor = await history({ visitor_id: 'nope' });
    assert.equal(noVisitor.status, 404);
    assert.match((await c.json(noVisitor)).message, /^Visitor .* not found/);
    assert.equal((await history({ visitor_id: '' })).status, 400);
  });

  await t.test('polls do not use up one-shot faults; history-503 is its own fault', async () => {
    await c.fault('500-next');
    assert.equal((await history()).status, 200);
    assert.equal((await c.post('/api/chats/visitors/', {})).status, 500);
    await c.fault('history-503', 30);
    assert.equal((await history()).status, 503);
    assert.match((await c.state()).mode, /history-503 \(30s left\)/);
    await c.fault('normal');
    assert.equal((await history()).status, 200);
  });

  await t.test('a cut stream is in the history with the text so far, once', async () => {
    const fresh = await c.start();
    await c.fault('cut-stream');
    const cut = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(fresh, 'markdown', 'cut-h')));
    await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(fresh, 'markdown', 'cut-h')));
    const url = `${api.url}/api/chats/sessions/${fresh.session.id}/messages/?visitor_id=${fresh.visitor.id}`;
    const { messages } = (await c.json(await fetch(url, { headers: { 'X-API-Key': KEY } }))).data;
    assert.deepEqual(messages.map((/** @type {any} */ m) => m.sender), ['visitor', 'assistant']);
    assert.equal(messages[1].text, cut.answer);
  });

  await t.test('expired session: 404', async () => {
    await c.fault('expire-sessions');
    const expired = await history();
    assert.equal(expired.status, 404);
    assert.match((await c.json(expired)).message, /has expired/);
  });
});

test('WebSocket and agent API', async (t) => {
  const api = await startApiServer({ apiKey: KEY, chunkDelayMs: 2 });
  t.after(() => api.close());
  const c = client(api);
  const ids = await c.start();
  const path = `${ids.session.id}/?visitor_id=${ids.visitor.id}`;

  await t.test('messages and typing reach every socket of the session', async () => {
    const a = socket(api, `${path}&api_key=${KEY}`);
    const b = socket(api, path); // no key: accepted
    await Promise.all([a.opened, b.opened]);
    assert.equal(api.socketCount(ids.session.id), 2);

    const sent = (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'hello', 'ws-1')))).data;
    const visitorFrame = await b.next((f) => f.type === 'message:new' && f.payload.sender === 'visitor');
    assert.equal(visitorFrame.type, 'message:new');
    assert.equal(visitorFrame.payload.id, sent.message_id);
    assert.equal(visitorFrame.payload.client_message_id, 'ws-1');
    assert.equal((await b.next((f) => f.type === 'message:new' && f.payload.sender === 'assistant')).payload.response_id, sent.response_id);

    api.agentTyping(ids.session.id, true, 'Olena');
    assert.deepEqual(await a.next((f) => f.type === 'typing'), { type: 'typing', payload: { sender: 'agent', is_typing: true, name: 'Olena' } });
    const reply = await c.post(`/__agent/sessions/${ids.session.id}/messages`, { text: 'Olena here', name: 'Olena' }, { 'X-API-Key': '' });
    assert.equal(reply.status, 201);
    const agentFrame = await a.next((f) => f.type === 'message:new' && f.payload.sender === 'agent');
    assert.deepEqual(agentFrame.payload, (await c.json(reply)).data);
    assert.equal(agentFrame.payload.agent.name, 'Olena');
    const stop = a.frames.findIndex((f) => f.type === 'typing' && f.payload.is_typing === false);
    assert.ok(stop >= 0 && stop < a.frames.indexOf(agentFrame), 'typing stops before the agent message');

    a.ws.send(JSON.stringify({ type: 'typing', payload: { is_typing: true } }));
    a.ws.send('not json');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(api.visitorTyping(ids.session.id), true);
    const listed = (await c.json(await fetch(`${api.url}/__agent/sessions`))).data.sessions;
    const mine = listed.find((/** @type {any} */ s) => s.id === ids.session.id);
    assert.equal(mine.visitor_typing, true);
    assert.equal(mine.unread, 1);
    assert.equal(mine.sockets, 2);
    assert.equal(mine.last_message.sender, 'agent');
    a.ws.send(JSON.stringify({ type: 'typing', payload: { is_typing: false } }));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(api.visitorTyping(ids.session.id), false);

    const read = (await c.json(await fetch(`${api.url}/__agent/sessions/${ids.session.id}/messages`))).data;
    assert.equal(read.messages.length, 3);
    assert.equal(read.session.unread, 0, 'reading the transcript marks it read');
    const since = read.messages[1].created_at;
    assert.equal((await c.json(await fetch(`${api.url}/__agent/sessions/${ids.session.id}/messages?since=${since}`))).data.messages.length, 1);
    const typing = await c.post(`/__agent/sessions/${ids.session.id}/typing`, { is_typing: true });
    assert.equal((await c.json(typing)).data.sockets, 2);
    assert.equal((await c.post(`/__agent/sessions/${ids.session.id}/typing`, {})).status, 400);
    assert.equal((await c.post(`/__agent/sessions/${ids.session.id}/messages`, { text: ' ' })).status, 400);
    assert.equal((await c.post('/__agent/sessions/nope/messages', { text: 'x' })).status, 404);
    assert.throws(() => api.agentReply('nope', 'x'), /not found/);

    // drop-sockets: both die at once, without a close frame.
    await c.fault('drop-sockets');
    assert.equal((await a.closed).code, 1006);
    assert.equal((await b.closed).code, 1006);
    assert.match((await c.state()).log.at(-1).note, /websocket closed 1006 \(terminated by QA fault drop-sockets\)/);
  });

  await t.test('bad sessions are closed with 44xx right after the upgrade', async () => {
    const other = await c.start();
    const cases = [
      [`nope/?visitor_id=${ids.visitor.id}`, 4404, 'Session not found'],
      [`${ids.session.id}/?visitor_id=nope`, 4404, 'Visitor not found'],
      [`${ids.session.id}/?visitor_id=${other.visitor.id}`, 4403, 'Visitor does not own this session'],
      [`${path}&api_key=wrong`, 4401, 'Invalid API key'],
      [`${ids.session.id}/`, 4400, "Query parameter 'visitor_id' is required"],
    ];
    for (const [query, code, reason] of cases) {
      const s = socket(api, String(query));
      assert.deepEqual(await s.closed, { code, reason }, String(query));
      assert.equal(s.frames.length, 0);
    }
    await assert.rejects(socket(api, 'nope/x/').opened, { status: 404 });
  });

  await t.test('refuse-sockets answers upgrades 503 for a while; expire-sessions closes with 4404', async () => {
    await c.fault('refuse-sockets', 30);
    await assert.rejects(socket(api, path).opened, { status: 503, retryAfter: '30' });
    await c.fault('normal');
    const s = socket(api, path);
    await s.opened;
    await c.fault('expire-sessions');
    assert.deepEqual(await s.closed, { code: 4404, reason: 'Session has expired' });
  });
});

test('live: false is a backend without history or WebSocket', async (t) => {
  const api = await startApiServer({ apiKey: KEY, live: false });
  t.after(() => api.close());
  const c = client(api);
  const ids = await c.start();
  const response = await fetch(`${api.url}/api/chats/sessions/${ids.session.id}/messages/?visitor_id=${ids.visitor.id}`, { headers: { 'X-API-Key': KEY } });
  assert.equal(response.status, 404);
  assert.match((await c.json(response)).message, /^No route/);
  await assert.rejects(socket(api, `${ids.session.id}/?visitor_id=${ids.visitor.id}`).opened, { status: 404 });
});

test('close() closes open WebSockets at once', async () => {
  const api = await startApiServer({ apiKey: KEY });
  const c = client(api);
  const ids = await c.start();
  const s = socket(api, `${ids.session.id}/?visitor_id=${ids.visitor.id}`);
  await s.opened;
  const started = Date.now();
  await api.close();
  assert.equal((await s.closed).code, 1006);
  assert.ok(Date.now() - started < 1000);
});

test('sessions expire by time', async (t) => {
  const api = await startApiServer({ apiKey: KEY, sessionTtlMs: 30 });
  t.after(() => api.close());
  const c = client(api);
  const ids = await c.start();
  await new Promise((r) => setTimeout(r, 60));
  const response = await c.post('/api/chats/messages/chat/', chatBody(ids, 'hi'));
  assert.equal(response.status, 404);
  assert.match((await c.json(response)).message, /^Session .* has expired$/);
});

test('close() ends open streams at once', async () => {
  const api = await startApiServer({ apiKey: KEY });
  const c = client(api);
  const ids = await c.start();
  await c.fault('slow', 60);
  const pending = c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'hi')).then(readStream, () => null);
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  await api.close();
  await pending;
  assert.ok(Date.now() - started < 1000);
});

test('demo page server', async (t) => {
  const demo = await startDemoServer({ apiUrl: 'http://127.0.0.1:9/', apiKey: 'k"<' });
  t.after(() => demo.close());

  const embed = await fetch(`${demo.url}/embed.html`);
  const csp = embed.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src http:\/\/127\.0\.0\.1:9 ws:\/\/127\.0\.0\.1:9;/, 'the WebSocket origin is listed too');
  assert.match(csp, /require-trusted-types-for 'script'; trusted-types 'none'/);
  assert.doesNotMatch(csp, /unsafe/);
  const html = await embed.text();
  assert.match(html, /data-api-url="http:\/\/127\.0\.0\.1:9"/);
  assert.match(html, /data-api-key="k&#34;&#60;"/, 'templated values are HTML-escaped');
  assert.doesNotMatch(html, /\{\{/);
  assert.doesNotMatch(html, /<script>|<style|style=/, 'no inline script or style');

  const agent = await fetch(`${demo.url}/agent`);
  assert.equal(agent.status, 200);
  assert.match(agent.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const agentHtml = await agent.text();
  assert.match(agentHtml, /<script src="\/agent\.js"/);
  assert.doesNotMatch(agentHtml, /<script>|\{\{/);

  const index = await fetch(`${demo.url}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type') ?? '', /text\/html/);
  await index.text();

  const config = await fetch(`${demo.url}/config.js`);
  assert.match(config.headers.get('content-type') ?? '', /javascript/);
  assert.match(await config.text(), /window\.DEMO_CONFIG = .*"apiUrl":"http:\/\/127\.0\.0\.1:9".*k\\"\\u003c/);

  assert.match((await fetch(`${demo.url}/qa.css`)).headers.get('content-type') ?? '', /text\/css/);
  for (const path of ['/nope.html', '/dist/', '/%2e%2e/server/api.mjs', '/..%2fserver/api.mjs', '/dist/..%2f..%2fpackage.json', '/.hidden', '/%00']) {
    const response = await fetch(demo.url + path);
    assert.equal(response.status, 404, path);
    await response.text();
  }
  assert.equal((await fetch(`${demo.url}/`, { method: 'POST' })).status, 405);
});
