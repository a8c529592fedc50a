// @ts-check
/**
 * Self-test of the reference backend and the demo page server, through real HTTP.
 *   node --test demo/server/selftest.mjs
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import WebSocket from 'ws';
import { STALLED_BODY_START, startApiServer } from './api-server.mjs';
import { DEFAULT_FLOOD_COUNT } from './lib/faults.mjs';
import { DEFAULT_IDENTITY_SECRET, identitySignature } from './lib/identity.mjs';
import { chunkText, LONG_PARAGRAPH_CHARS } from './lib/replies.mjs';
import { startDemoServer } from './static-server.mjs';

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
  /** @param {string} path @param {unknown} body @param {Record<string, string>} [headers] */
  const patch = (path, body, headers = {}) =>
    fetch(api.url + path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': KEY, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  /**
   * Upload one file as the widget does (multipart/form-data). `fields` overrides the form's
   * fields; null leaves one out.
   * @param {{ visitor: any, session: any } | null} ids
   * @param {{ bytes: Uint8Array<ArrayBuffer> | string, name: string, type: string } | null} file
   * @param {{ fields?: Record<string, string | null>, headers?: Record<string, string>, signal?: AbortSignal }} [options]
   */
  const upload = (ids, file, { fields = {}, headers = { 'X-API-Key': KEY }, signal } = {}) => {
    const form = new FormData();
    if (file) form.append('file', new Blob([file.bytes], { type: file.type }), file.name);
    if (ids) {
      form.append('session_id', ids.session.id);
      form.append('visitor_id', ids.visitor.id);
    }
    for (const [name, value] of Object.entries(fields)) {
      if (value === null) form.delete(name);
      else form.set(name, value);
    }
    return fetch(`${api.url}/api/chats/attachments/`, { method: 'POST', headers, body: form, signal });
  };
  /** @param {Response} response */
  const json = async (response) => /** @type {any} */ (await response.json());
  return {
    post,
    patch,
    upload,
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
  const events = text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => JSON.parse(block.slice(6)));
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

  await t.test('follow-up suggestions: on the done event and the plain answer of markdown and code, nowhere else', async () => {
    const ids = await c.start();
    const { events } = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'Show me markdown')));
    assert.deepEqual(events.at(-1).suggestions, ['Show me code', 'Send a long answer', 'Send an emoji test']);
    assert.ok(events.slice(0, -1).every((event) => !('suggestions' in event)));
    const { data } = await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'some code please')));
    assert.deepEqual(data.suggestions, ['Show me Markdown', 'Send an emoji test']);
    const plain = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'hi')));
    assert.ok(plain.events.every((event) => !('suggestions' in event)));
    assert.ok(!('suggestions' in (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'hi again')))).data));
  });

  await t.test('hostile answer contains the promised payloads', async () => {
    const ids = await c.start();
    const { data } = await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'XSS please')));
    for (const needle of [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[click](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '<a href="javascript:alert(1)">a</a>',
      'data:text/html',
      '(https://',
    ]) {
      assert.ok(data.response.includes(needle), needle);
    }
  });

  await t.test('"table" answers with pipe tables and a code block', async () => {
    const ids = await c.start();
    const { data } = await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'Show me a TABLE')));
    assert.match(data.response, /^\| Model \| Best for \| Sizes \| Price \|\n\|:-+\|:-+\|:-+:\|-+:\|$/m);
    assert.match(data.response, /^```sh\n[\s\S]+\n```$/m);
  });

  await t.test('a client that leaves mid-stream is logged as aborted', async () => {
    const ids = await c.start();
    const since = (await c.state()).lastSeq;
    const response = await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'long'));
    const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
    await reader.read();
    await reader.cancel(); // closes the connection, as the widget's Stop button does
    const entry = await logEntry(c, (e) => e.path === '/api/chats/messages/chat/stream/', 'the stream', undefined, since);
    assert.match(entry.note, /stream aborted by client after \d+ of \d+ events/);
  });

  await t.test('streams name their ids on the first event and on done, and nowhere else', async () => {
    const ids = await c.start();
    const { events } = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'markdown', 'ids-1')));
    const [first] = events;
    const last = events.at(-1);
    assert.ok(events.length > 2);
    assert.equal(first.done, false);
    assert.ok(first.chunk, 'the first event carries text too');
    assert.equal(last.done, true);
    for (const key of ['message_id', 'response_id', 'session_id']) {
      assert.equal(typeof first[key], 'string', key);
      assert.equal(first[key], last[key], key);
    }
    assert.equal(first.session_id, ids.session.id);
    assert.ok(
      events.slice(1, -1).every((e) => !('message_id' in e || 'response_id' in e || 'session_id' in e)),
      'middle events name none',
    );
    const plain = await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'markdown', 'ids-1')));
    assert.equal(plain.data.response_id, first.response_id);
    assert.equal(plain.data.message_id, first.message_id);
  });

  await t.test('Stop: the history keeps the chunks sent plus the 2 generated ahead', async () => {
    const ids = await c.start();
    const since = (await c.state()).lastSeq;
    const response = await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'long', 'stop-1'));
    const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
    let firstRead = '';
    while (!firstRead.includes('\n\n')) firstRead += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel(); // the Stop button, once the first event is in
    const note = (await logNote(c, /stream aborted by client after/, 2000, since)).note;
    const [, sent, kept, total] = /after (\d+) of \d+ events; history keeps (\d+) of (\d+) chunks/.exec(note) ?? [];
    assert.ok(Number(sent) >= 1, note);
    assert.equal(Number(kept), Math.min(Number(sent) + 2, Number(total)), note);

    const whole = (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'long', 'stop-1')))).data;
    const chunks = chunkText(whole.response);
    assert.equal(chunks.length, Number(total));
    const url = `${api.url}/api/chats/sessions/${ids.session.id}/messages/?visitor_id=${ids.visitor.id}`;
    const { messages } = (await c.json(await fetch(url, { headers: { 'X-API-Key': KEY } }))).data;
    assert.equal(messages.length, 2);
    assert.equal(messages[1].id, whole.response_id);
    assert.equal(messages[1].text, chunks.slice(0, Number(kept)).join(''));
    const seen = JSON.parse(firstRead.split('\n\n')[0]?.slice(6) ?? '{}');
    assert.equal(seen.response_id, whole.response_id, 'the client had the id from the first event');
    assert.ok(messages[1].text.startsWith(seen.chunk) && messages[1].text.length > seen.chunk.length, 'more than the client saw');
  });

  await t.test('no-stream-ids: no event names an id until normal; plain answers keep theirs', async () => {
    const ids = await c.start();
    await c.fault('no-stream-ids');
    assert.match((await c.state()).mode, /no-stream-ids/);
    for (const message of ['markdown', 'hi', 'emoji']) {
      const { events, answer } = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, message)));
      assert.equal(events.at(-1).done, true);
      assert.ok(answer.length > 0);
      assert.ok(
        events.every((e) => !('message_id' in e || 'response_id' in e || 'session_id' in e)),
        message,
      );
    }
    await logNote(c, /QA fault no-stream-ids/);
    const plain = (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'hello')))).data;
    assert.ok(plain.message_id && plain.response_id && plain.session_id, 'the contract requires them in plain answers');
    assert.match((await c.state()).mode, /no-stream-ids/, 'holds until normal');
    await c.fault('normal');
    const { events } = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'markdown')));
    assert.equal(typeof events[0].response_id, 'string');
  });

  await t.test('stall-body-next: 200, JSON headers and the first bytes, then nothing until the client leaves; once', async () => {
    const ids = await c.start();
    await c.fault('stall-body-next');
    const history = `${api.url}/api/chats/sessions/${ids.session.id}/messages/?visitor_id=${ids.visitor.id}`;
    assert.equal((await fetch(history, { headers: { 'X-API-Key': KEY } })).status, 200, 'history polls do not use it up');
    const controller = new AbortController();
    const response = await fetch(`${api.url}/api/chats/messages/chat/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': KEY },
      body: JSON.stringify(chatBody(ids, 'hello')),
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(response.headers.get('content-length'), null);
    const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), STALLED_BODY_START);
    const more = reader.read().then(
      () => 'more',
      () => 'aborted',
    );
    assert.equal(await Promise.race([more, new Promise((r) => setTimeout(() => r('nothing'), 300))]), 'nothing');
    controller.abort();
    assert.equal(await more, 'aborted');
    const entry = await logNote(c, /body stalled/);
    assert.match(entry.note, /^QA fault stall-body-next; body stalled after 16 bytes until the client closed it \(\d+\.\d s\)$/);
    assert.equal(entry.status, 200);
    assert.equal((await c.post('/api/chats/messages/chat/', chatBody(ids, 'hello'))).status, 200, 'used up');
  });

  await t.test('/long: one paragraph of ~600 KB in ~6,000 chunks; ~2 MB from the plain endpoint', async () => {
    const ids = await c.start();
    const started = Date.now();
    const streamed = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, '/long')));
    const ms = Date.now() - started;
    // ~2,000 ticks of 1 ms and 600 KB of JSON: ~3 s on an idle machine, twice that on a loaded one. The limit
    // only says that it ends; the event count below says it came in ~100-character chunks.
    assert.ok(ms < 30_000, `${ms} ms`);
    assert.ok(streamed.events.length > 5500 && streamed.events.length < 6500, String(streamed.events.length));
    assert.ok(streamed.answer.length >= LONG_PARAGRAPH_CHARS.stream && streamed.answer.length < LONG_PARAGRAPH_CHARS.stream + 1000);
    assert.ok(!streamed.answer.includes('\n'), 'one paragraph: no line break at all');
    assert.match(streamed.answer, /^Sentence 1 of one very long paragraph/);
    assert.equal(typeof streamed.events[0].response_id, 'string');
    assert.equal(streamed.events.at(-1).done, true);

    const plain = (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, ' /LONG ')))).data;
    assert.ok(plain.response.length >= LONG_PARAGRAPH_CHARS.plain && plain.response.length < LONG_PARAGRAPH_CHARS.plain + 1000);
    assert.ok(!plain.response.includes('\n'));
    await logNote(c, /reply: long-paragraph/);
    // Only the exact command: the keyword still gets the ordinary long answer.
    const keyword = (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'a /long answer please')))).data;
    assert.match(keyword.response, /\*\*1\. About frame sizes\.\*\*/);
  });

  await t.test('CORS preflight', async () => {
    const response = await fetch(`${api.url}/api/chats/messages/chat/stream/`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://shop.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-api-key',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example');
    assert.equal(response.headers.get('access-control-allow-headers'), 'Content-Type, X-API-Key');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    assert.equal(response.headers.get('access-control-expose-headers'), 'Retry-After');

    // The optional endpoints: a PATCH, and a multipart POST with the key.
    for (const [path, method] of [
      ['/api/chats/visitors/some-id/', 'PATCH'],
      ['/api/chats/attachments/', 'POST'],
      ['/api/chats/messages/some-id/feedback/', 'POST'],
    ]) {
      const preflight = await fetch(api.url + path, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://shop.example',
          'Access-Control-Request-Method': method,
          'Access-Control-Request-Headers': 'content-type,x-api-key',
        },
      });
      assert.equal(preflight.status, 204, path);
      assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
      assert.ok((preflight.headers.get('access-control-allow-methods') ?? '').split(', ').includes(method), path);
      assert.equal(preflight.headers.get('access-control-allow-headers'), 'Content-Type, X-API-Key');
    }
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
    await c.fault('slow', 1);
    let started = Date.now();
    await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'hi')));
    assert.ok(Date.now() - started >= 1000);
    assert.match((await c.state()).mode, /slow 1s/);
    await c.fault('normal');
    const since = (await c.state()).lastSeq;
    started = Date.now();
    await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'hi')));
    // Not held any more: sooner than the 1 s delay (a local request, even on a loaded machine), and not said to be slow.
    assert.ok(Date.now() - started < 1000);
    const entry = await logEntry(c, (e) => e.path === '/api/chats/messages/chat/', 'the answer', undefined, since);
    assert.doesNotMatch(entry.note ?? '', /slow/);
  });

  await t.test('expire-sessions and forget-visitors', async () => {
    const ids = await c.start();
    await c.fault('expire-sessions');
    const expired = await c.post('/api/chats/messages/chat/', chatBody(ids, 'hi'));
    assert.equal(expired.status, 404);
    assert.match((await c.json(expired)).message, /has expired/);
    await c.fault('forget-visitors');
    assert.deepEqual((await c.state()).counts, { visitors: 0, sessions: 0, messages: 0, attachments: 0, sockets: 0 });
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
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, retryAfter: res.headers['retry-after'] })),
    );
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
    fetch(`${api.url}/api/chats/sessions/${sessionId}/messages/?${new URLSearchParams({ visitor_id: ids.visitor.id, ...query })}`, {
      headers,
    });

  await t.test('empty, then every message oldest first with matching ids', async () => {
    assert.deepEqual((await c.json(await history())).data, {
      messages: [],
      session: { id: ids.session.id, is_active: true, closed_at: null },
    });
    const chat = (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'one', 'c-1')))).data;
    const streamed = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'two', 'c-2')));
    const done = streamed.events.at(-1);
    assert.ok(done.done && done.message_id && done.response_id, 'done carries the ids');
    const reply = api.agentReply(ids.session.id, 'Hi, **Olena** here', 'Olena', 'https://example.com/o.png');

    const { messages } = (await c.json(await history())).data;
    assert.deepEqual(
      messages.map((/** @type {any} */ m) => `${m.sender}:${m.text.slice(0, 9)}`),
      ['visitor:one', 'assistant:Thanks fo', 'visitor:two', 'assistant:Thanks fo', 'agent:Hi, **Ole'],
    );
    assert.deepEqual(messages[0], {
      id: chat.message_id,
      sender: 'visitor',
      text: 'one',
      created_at: messages[0].created_at,
      client_message_id: 'c-1',
    });
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
    assert.ok(
      times.every((time, i) => i === 0 || time > (times[i - 1] ?? 0)),
      'strictly increasing',
    );
  });

  await t.test('since: strictly after, never skipping or repeating', async () => {
    const all = (await c.json(await history())).data.messages;
    const after = (await c.json(await history({ since: all[1].created_at }))).data.messages;
    assert.deepEqual(after, all.slice(2));
    assert.deepEqual((await c.json(await history({ since: all.at(-1).created_at }))).data.messages, []);
    // Same instant with an offset, sent with its + unencoded (arrives as a space).
    const offset = new Date(Date.parse(all[1].created_at)).toISOString().replace('Z', '+00:00');
    const raw = await fetch(`${api.url}/api/chats/sessions/${ids.session.id}/messages/?visitor_id=${ids.visitor.id}&since=${offset}`, {
      headers: { 'X-API-Key': KEY },
    });
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

  await t.test('unreachable: every API request loses its connection unread, nothing is stored, until normal', async () => {
    const fresh = await c.start();
    const before = (await c.state()).counts.messages;
    await c.fault('unreachable', 30);
    assert.match((await c.state()).mode, /unreachable \(30s left\)/);
    await assert.rejects(c.post('/api/chats/messages/chat/stream/', chatBody(fresh, 'hello', 'unreach-1')));
    await assert.rejects(history());
    assert.equal((await c.state()).counts.messages, before);
    await c.fault('normal');
    assert.equal((await history()).status, 200);
  });

  await t.test('a cut stream is in the history with what was generated (sent + 2 chunks), once', async () => {
    const fresh = await c.start();
    await c.fault('cut-stream');
    const cut = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(fresh, 'markdown', 'cut-h')));
    const retry = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(fresh, 'markdown', 'cut-h')));
    const url = `${api.url}/api/chats/sessions/${fresh.session.id}/messages/?visitor_id=${fresh.visitor.id}`;
    const { messages } = (await c.json(await fetch(url, { headers: { 'X-API-Key': KEY } }))).data;
    assert.deepEqual(
      messages.map((/** @type {any} */ m) => m.sender),
      ['visitor', 'assistant'],
    );
    assert.equal(cut.events.length, 3);
    const chunks = chunkText(retry.answer);
    assert.equal(cut.answer, chunks.slice(0, 3).join(''));
    assert.equal(messages[1].text, chunks.slice(0, 5).join(''), 'the 3 chunks sent and the 2 generated ahead; the retry changed nothing');
    assert.equal(messages[1].id, cut.events[0].response_id, 'matched by the id the first event named');
    await logNote(c, /socket destroyed after 3 of \d+ events, no done; history keeps 5 of \d+ chunks/);
  });

  await t.test('history-flood: since ignored, count synthetic old messages plus the real ones, newest first, until normal', async () => {
    const fresh = await c.start();
    await c.post('/api/chats/messages/chat/', chatBody(fresh, 'one', 'fl-1'));
    await c.post('/api/chats/messages/chat/', chatBody(fresh, 'two', 'fl-2'));
    /** @param {Record<string, string>} [query] */
    const get = async (query = {}) => {
      const params = new URLSearchParams({ visitor_id: fresh.visitor.id, ...query });
      const response = await fetch(`${api.url}/api/chats/sessions/${fresh.session.id}/messages/?${params}`, {
        headers: { 'X-API-Key': KEY },
      });
      assert.equal(response.status, 200);
      return /** @type {any[]} */ ((await c.json(response)).data.messages);
    };
    const real = await get();
    const newest = real.at(-1).created_at;

    for (const count of [0, -1, 1.5, 'x', 100_001]) {
      assert.equal((await c.post('/__qa/fault', { fault: 'history-flood', count })).status, 400, String(count));
    }
    assert.equal((await c.post('/__qa/fault', { fault: 'history-flood', count: 50 })).status, 200);
    assert.match((await c.state()).mode, /history-flood 50/);
    const flooded = await get({ since: newest });
    assert.equal(flooded.length, 54, '50 synthetic + 4 real, since ignored');
    assert.deepEqual(flooded.slice(0, 4), [...real].reverse(), 'the real messages first, newest first');
    const times = flooded.map((m) => Date.parse(m.created_at));
    assert.ok(
      times.every((time, i) => i === 0 || time < (times[i - 1] ?? 0)),
      'strictly decreasing: newest first',
    );
    assert.equal(new Set(flooded.map((m) => m.id)).size, 54, 'distinct ids');
    const synthetic = flooded.slice(4);
    assert.ok(synthetic.every((m) => m.sender === 'agent' && m.agent.name && /^[\w-][\w.:~@-]{0,199}$/.test(m.id)));
    assert.ok(
      synthetic.every((m) => Date.parse(m.created_at) < Date.parse(fresh.session.created_at)),
      'older than the session',
    );
    assert.deepEqual(await get(), flooded, 'the same messages on every request');
    await logNote(c, /QA fault history-flood: 54 messages, newest first, since ignored/);

    await c.fault('history-flood');
    assert.equal((await get({ since: newest })).length, DEFAULT_FLOOD_COUNT + 4, `default count ${DEFAULT_FLOOD_COUNT}`);
    await c.fault('normal');
    assert.deepEqual(await get({ since: newest }), [], 'since honoured again');
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
    assert.deepEqual(await a.next((f) => f.type === 'typing'), {
      type: 'typing',
      payload: { sender: 'agent', is_typing: true, name: 'Olena' },
    });
    const reply = await c.post(`/__agent/sessions/${ids.session.id}/messages`, { text: 'Olena here', name: 'Olena' }, { 'X-API-Key': '' });
    assert.equal(reply.status, 201);
    const agentFrame = await a.next((f) => f.type === 'message:new' && f.payload.sender === 'agent');
    assert.deepEqual(agentFrame.payload, (await c.json(reply)).data);
    assert.equal(agentFrame.payload.agent.name, 'Olena');
    const stop = a.frames.findIndex((f) => f.type === 'typing' && f.payload.is_typing === false);
    assert.ok(stop >= 0 && stop < a.frames.indexOf(agentFrame), 'typing stops before the agent message');

    a.ws.send(JSON.stringify({ type: 'typing', payload: { is_typing: true } }));
    a.ws.send('not json');
    await heard(a.ws);
    assert.equal(api.visitorTyping(ids.session.id), true);
    const listed = (await c.json(await fetch(`${api.url}/__agent/sessions`))).data.sessions;
    const mine = listed.find((/** @type {any} */ s) => s.id === ids.session.id);
    assert.equal(mine.visitor_typing, true);
    assert.equal(mine.unread, 1);
    assert.equal(mine.sockets, 2);
    assert.equal(mine.last_message.sender, 'agent');
    // Sent after the frame that was not JSON, on the same socket: heard, so that frame did not break the socket.
    a.ws.send(JSON.stringify({ type: 'typing', payload: { is_typing: false } }));
    await heard(a.ws);
    assert.equal(api.visitorTyping(ids.session.id), false);

    const read = (await c.json(await fetch(`${api.url}/__agent/sessions/${ids.session.id}/messages`))).data;
    assert.equal(read.messages.length, 3);
    assert.equal(read.session.unread, 0, 'reading the transcript marks it read');
    const since = read.messages[1].created_at;
    assert.equal(
      (await c.json(await fetch(`${api.url}/__agent/sessions/${ids.session.id}/messages?since=${since}`))).data.messages.length,
      1,
    );
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

  await t.test('End chat: history says closed, sockets hear session:closed, chat gets 404, the console takes no replies', async () => {
    const ended = await c.start();
    const where = `${ended.session.id}/?visitor_id=${ended.visitor.id}`;
    const historyUrl = `${api.url}/api/chats/sessions/${ended.session.id}/messages/?visitor_id=${ended.visitor.id}`;
    const open = (await c.json(await fetch(historyUrl, { headers: { 'X-API-Key': KEY } }))).data;
    assert.deepEqual(open.session, { id: ended.session.id, is_active: true, closed_at: null });
    const before = socket(api, where);
    await before.opened;
    const answered = (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ended, 'before the end')))).data;

    const closed = await c.post(`/__agent/sessions/${ended.session.id}/close`, {}, { 'X-API-Key': '' });
    assert.equal(closed.status, 200);
    const closedAt = (await c.json(closed)).data.closed_at;
    assert.ok(!Number.isNaN(Date.parse(closedAt)));
    assert.deepEqual(await before.next((f) => f.type === 'session:closed'), {
      type: 'session:closed',
      payload: { session_id: ended.session.id, closed_at: closedAt },
    });
    // A socket opened later (a tab that missed the frame) hears it at once.
    const after = socket(api, where);
    assert.equal((await after.next((f) => f.type === 'session:closed')).payload.closed_at, closedAt);
    assert.equal(api.endChat(ended.session.id), closedAt, 'ending again keeps the first time');

    const history = (await c.json(await fetch(historyUrl, { headers: { 'X-API-Key': KEY } }))).data;
    assert.deepEqual(history.session, { id: ended.session.id, is_active: false, closed_at: closedAt });
    const chat = await c.post('/api/chats/messages/chat/', chatBody(ended, 'still there?'));
    assert.equal(chat.status, 404, 'as an unknown session');
    assert.match((await c.json(chat)).message, /Session .* closed/);
    const upload = await c.upload(ended, { bytes: 'x', name: 'a.txt', type: 'text/plain' });
    assert.equal(upload.status, 404, 'no uploads into an ended chat');
    const owner = { session_id: ended.session.id, visitor_id: ended.visitor.id };
    const rated = await c.post(`/api/chats/messages/${answered.response_id}/feedback/`, { ...owner, rating: 'up' });
    assert.equal(rated.status, 200, 'its answers can still be rated');
    assert.equal((await c.post(`/__agent/sessions/${ended.session.id}/messages`, { text: 'x' })).status, 409);
    const listed = (await c.json(await fetch(`${api.url}/__agent/sessions`))).data.sessions;
    assert.equal(listed.find((/** @type {any} */ s) => s.id === ended.session.id).closed_at, closedAt);
    before.ws.close();
    after.ws.close();
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
  const response = await fetch(`${api.url}/api/chats/sessions/${ids.session.id}/messages/?visitor_id=${ids.visitor.id}`, {
    headers: { 'X-API-Key': KEY },
  });
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
  // The stream's headers are sent at once and its first chunk 60 s later: the response means the server has the request.
  const response = await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'hi'));
  assert.equal(response.status, 200);
  const pending = readStream(response);
  const started = Date.now();
  await api.close();
  const { events } = await pending;
  assert.deepEqual(events, []);
  // Far sooner than the 60 s the first chunk was held for.
  assert.ok(Date.now() - started < 10_000);
});

test('close() ends a stalled body at once', async () => {
  const api = await startApiServer({ apiKey: KEY });
  const c = client(api);
  await c.fault('stall-body-next');
  const response = await c.post('/api/chats/visitors/', {});
  const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), STALLED_BODY_START);
  const rest = reader.read().then(
    () => 'more',
    () => 'cut',
  );
  const started = Date.now();
  await api.close();
  assert.equal(await rest, 'cut');
  assert.ok(Date.now() - started < 1000);
});

test('generatedAheadChunks: 0 keeps only what was sent', async (t) => {
  const api = await startApiServer({ apiKey: KEY, chunkDelayMs: 2, generatedAheadChunks: 0 });
  t.after(() => api.close());
  const c = client(api);
  const ids = await c.start();
  await c.fault('cut-stream');
  const cut = await readStream(await c.post('/api/chats/messages/chat/stream/', chatBody(ids, 'markdown')));
  const url = `${api.url}/api/chats/sessions/${ids.session.id}/messages/?visitor_id=${ids.visitor.id}`;
  const { messages } = (await c.json(await fetch(url, { headers: { 'X-API-Key': KEY } }))).data;
  assert.equal(messages[1].text, cut.answer);
});

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** A file that starts like a PNG, `size` bytes in all. @param {number} [size] */
function pngBytes(size = 100) {
  const bytes = new Uint8Array(size);
  bytes.set(PNG_MAGIC);
  return bytes;
}
/** @param {string} [name] @param {number} [size] */
const png = (name = 'photo.png', size = 100) => ({ bytes: pngBytes(size), name, type: 'image/png' });
/** @param {string} text @param {string} [name] */
const textFile = (text, name = 'notes.txt') => ({ bytes: text, name, type: 'text/plain' });

/**
 * Wait until the request log has an entry whose note matches (log lines are written when the response closes).
 * `since`: only entries after this `seq`. The wait ends as soon as it is there: `ms` only bounds a failure.
 */
async function logNote(/** @type {ReturnType<typeof client>} */ c, /** @type {RegExp} */ pattern, ms = 10_000, since = 0) {
  return logEntry(c, (e) => pattern.test(e.note ?? ''), `a log note matching ${pattern}`, ms, since);
}

/**
 * Wait until the request log has an entry that `matches`; `since`: only entries after this `seq`.
 * @param {ReturnType<typeof client>} c
 * @param {(entry: any) => boolean} matches
 * @param {string} what
 */
async function logEntry(c, matches, what, ms = 10_000, since = 0) {
  const until = Date.now() + ms;
  for (;;) {
    const entry = (await c.state(since)).log.find(matches);
    if (entry) return entry;
    if (Date.now() > until) throw new Error(`no log entry: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Resolves once the server has handled every frame sent on `ws` so far: it answers a ping after the frames
 * before it, in order (no waiting for a time that a loaded machine may overrun).
 * @param {WebSocket} ws
 */
const heard = (ws) =>
  new Promise((resolve, reject) => {
    ws.once('pong', () => resolve(undefined));
    ws.once('close', () => reject(new Error('the socket closed')));
    ws.ping();
  });

/**
 * A raw upload through node:http, for what fetch cannot do: send part of a body, or no Content-Length.
 * @param {import('./api-server.mjs').ApiServer} api
 * @param {{ contentLength?: number, write: Buffer, destroyAfterMs?: number }} options
 * @returns {Promise<{ status: number, body: string } | 'destroyed'>}
 */
function rawUpload(api, { contentLength, write, destroyAfterMs }) {
  return new Promise((resolve, reject) => {
    /** @type {Record<string, string>} */
    const headers = { 'Content-Type': 'multipart/form-data; boundary=xyz', 'X-API-Key': KEY };
    if (contentLength !== undefined) headers['Content-Length'] = String(contentLength);
    const req = http.request(`${api.url}/api/chats/attachments/`, { method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (error) => (destroyAfterMs !== undefined ? resolve('destroyed') : reject(error)));
    req.write(write);
    if (destroyAfterMs !== undefined) setTimeout(() => req.destroy(), destroyAfterMs);
    else if (contentLength === undefined) req.end();
  });
}

test('visitor profile: PATCH /api/chats/visitors/{id}/', async (t) => {
  const SECRET = 'test-identity-secret';
  const api = await startApiServer({ apiKey: KEY, identitySecret: SECRET });
  t.after(() => api.close());
  const c = client(api);

  await t.test('metadata is merged shallowly', async () => {
    const visitor = (await c.json(await c.post('/api/chats/visitors/', { metadata: { plan: 'pro', name: 'A' } }))).data;
    const path = `/api/chats/visitors/${visitor.id}/`;
    const first = await c.patch(path, { metadata: { name: 'Ann Lee', email: 'ann@example.com' } });
    assert.equal(first.status, 200);
    const body = await c.json(first);
    assert.equal(body.success, true);
    assert.deepEqual(body.data.metadata, { plan: 'pro', name: 'Ann Lee', email: 'ann@example.com' });
    assert.equal(body.data.id, visitor.id);
    assert.equal('external_user_id' in body.data, false, 'only once set');
    const second = await c.json(await c.patch(path, { metadata: { phone: '+380 (44) 123-45-67' } }));
    assert.deepEqual(second.data.metadata, { plan: 'pro', name: 'Ann Lee', email: 'ann@example.com', phone: '+380 (44) 123-45-67' });
    assert.equal((await c.json(await c.patch(path, {}))).data.metadata.phone, '+380 (44) 123-45-67', 'an empty body changes nothing');
    const proto = await c.json(await c.patch(path, '{"metadata":{"__proto__":"x"}}'));
    // biome-ignore lint/suspicious/noProto: the test is that a "__proto__" key stays a plain key
    assert.equal(proto.data.metadata.__proto__, 'x', 'stays a plain key');
    assert.equal(Object.getPrototypeOf(api.state.store.visitors.get(visitor.id)?.metadata), Object.prototype);
    const { log } = await c.state();
    const note = log
      .filter((/** @type {any} */ e) => e.method === 'PATCH')
      .map((/** @type {any} */ e) => e.note)
      .join(' | ');
    assert.match(note, /metadata name, email/);
    assert.doesNotMatch(note, /ann@example\.com/, 'values are not logged');
  });

  await t.test('key, unknown visitor, wrong method', async () => {
    const visitor = (await c.json(await c.post('/api/chats/visitors/', {}))).data;
    assert.equal((await c.patch(`/api/chats/visitors/${visitor.id}/`, { metadata: {} }, { 'X-API-Key': '' })).status, 401);
    assert.equal((await c.patch(`/api/chats/visitors/${visitor.id}/`, { metadata: {} }, { 'X-API-Key': 'wrong' })).status, 401);
    const unknown = await c.patch('/api/chats/visitors/nope/', { metadata: { name: 'x' } });
    assert.equal(unknown.status, 404);
    assert.match((await c.json(unknown)).message, /^Visitor 'nope' not found/);
    assert.equal((await fetch(`${api.url}/api/chats/visitors/${visitor.id}/`)).status, 405);
  });

  await t.test('bad bodies are 400 and change nothing', async () => {
    const visitor = (await c.json(await c.post('/api/chats/visitors/', { metadata: { name: 'Kept' } }))).data;
    const path = `/api/chats/visitors/${visitor.id}/`;
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    /** @type {Array<[unknown, RegExp]>} */
    const cases = [
      [{ metadata: 'name=x' }, /'metadata' must be an object/],
      [{ metadata: ['x'] }, /'metadata' must be an object/],
      [{ metadata: { name: 42 } }, /metadata\.name must be a string/],
      [{ metadata: { name: 'x'.repeat(501) } }, /at most 500 characters/],
      [{ metadata: many }, /at most 50 keys/],
      [{ metadata: { email: 'ann@example' } }, /metadata\.email is not an email address/],
      [{ metadata: { email: 'ann @example.com' } }, /email/],
      [{ metadata: { phone: '12-34' } }, /metadata\.phone/],
      [{ metadata: { phone: '(((( ))))' } }, /at least 5 digits/],
      [{ metadata: { phone: '+1 555 0100 ext 2' } }, /metadata\.phone/],
      [{ external_user_id: 42 }, /'external_user_id' must be a string/],
      [{ external_user_id: '' }, /'external_user_id' must be a string/],
      [{ identity_signature: 'abc' }, /needs 'external_user_id'/],
      ['{"metadata":', /not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const response = await c.patch(path, body, {});
      assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match((await c.json(response)).message, message);
    }
    assert.deepEqual(api.state.store.visitors.get(visitor.id)?.metadata, { name: 'Kept' });
    // The merged metadata is capped too, but existing keys can always be rewritten.
    const full = (await c.json(await c.post('/api/chats/visitors/', {}))).data;
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    assert.equal((await c.patch(`/api/chats/visitors/${full.id}/`, { metadata: fifty })).status, 200);
    assert.equal((await c.patch(`/api/chats/visitors/${full.id}/`, { metadata: { extra: 'x' } })).status, 400);
    assert.equal((await c.patch(`/api/chats/visitors/${full.id}/`, { metadata: { k1: 'new' } })).status, 200);
  });

  await t.test('external_user_id needs its HMAC signature', async () => {
    const ids = await c.start();
    const path = `/api/chats/visitors/${ids.visitor.id}/`;
    const signature = identitySignature(SECRET, 'user-42');
    assert.match(signature, /^[0-9a-f]{64}$/);

    for (const body of [
      { external_user_id: 'user-42', metadata: { name: 'Mallory' } },
      { external_user_id: 'user-42', identity_signature: identitySignature(SECRET, 'user-43'), metadata: { name: 'Mallory' } },
      { external_user_id: 'user-42', identity_signature: identitySignature('another-secret', 'user-42') },
      { external_user_id: 'user-42', identity_signature: signature.toUpperCase() },
      { external_user_id: 'user-42', identity_signature: signature.slice(0, 10) },
    ]) {
      const refused = await c.patch(path, body);
      assert.equal(refused.status, 403, JSON.stringify(body));
      assert.deepEqual(await c.json(refused), { success: false, message: 'identity_signature does not match external_user_id' });
    }
    const untouched = api.state.store.visitors.get(ids.visitor.id);
    assert.deepEqual(untouched?.metadata, {}, 'nothing changed');
    assert.equal(untouched?.external_user_id, undefined);

    const ok = await c.patch(path, { external_user_id: 'user-42', identity_signature: signature, metadata: { name: 'Ann' } });
    assert.equal(ok.status, 200);
    const data = (await c.json(ok)).data;
    assert.equal(data.external_user_id, 'user-42');
    assert.deepEqual(data.metadata, { name: 'Ann' });
    assert.equal((await c.json(await fetch(`${api.url}/api/chats/visitors/${ids.visitor.id}/validate/`))).data.external_user_id, 'user-42');
    const session = (await c.json(await c.post('/api/chats/sessions/', { visitor_id: ids.visitor.id }))).data;
    assert.equal(session.external_user_id, 'user-42', 'new sessions carry the verified id');

    const summary = (await c.json(await fetch(`${api.url}/__agent/sessions`))).data.sessions.find(
      (/** @type {any} */ s) => s.id === ids.session.id,
    );
    assert.equal(summary.visitor.external_user_id, 'user-42');
    assert.equal(summary.visitor.identity_verified, true);
    assert.ok(Date.parse(summary.visitor.identity_verified_at) > 0);
    assert.deepEqual(summary.visitor.metadata, { name: 'Ann' });
  });

  await t.test('the default secret, and the QA page signing helper', async () => {
    const plain = await startApiServer({ apiKey: KEY });
    t.after(() => plain.close());
    const p = client(plain);
    const visitor = (await p.json(await p.post('/api/chats/visitors/', {}))).data;
    const signed = (await p.json(await fetch(`${plain.url}/__qa/identity-signature?external_user_id=u%201`))).data;
    assert.deepEqual(signed, { external_user_id: 'u 1', identity_signature: identitySignature(DEFAULT_IDENTITY_SECRET, 'u 1') });
    assert.equal(
      (await p.patch(`/api/chats/visitors/${visitor.id}/`, { external_user_id: 'u 1', identity_signature: signed.identity_signature }))
        .status,
      200,
    );
    assert.equal((await fetch(`${plain.url}/__qa/identity-signature`)).status, 400);
  });
});

test('attachments: upload, serve, send with a chat message', async (t) => {
  const api = await startApiServer({ apiKey: KEY, chunkDelayMs: 1 });
  t.after(() => api.close());
  const c = client(api);
  const ids = await c.start();

  await t.test('upload answers 201 with an absolute URL that serves the bytes', async () => {
    const file = png('photo.png', 12 * 1024);
    const response = await c.upload(ids, file);
    assert.equal(response.status, 201);
    const { success, data } = await c.json(response);
    assert.equal(success, true);
    assert.deepEqual(Object.keys(data).sort(), ['content_type', 'id', 'name', 'size', 'url']);
    assert.equal(data.name, 'photo.png');
    assert.equal(data.size, 12 * 1024);
    assert.equal(data.content_type, 'image/png');
    assert.equal(data.url, `${api.url}/api/chats/attachments/${data.id}/photo.png`);
    assert.match(data.id, /^[0-9a-f-]{36}$/);

    const served = await fetch(data.url, { headers: { Origin: 'https://shop.example' } }); // no key
    assert.equal(served.status, 200);
    assert.deepEqual(new Uint8Array(await served.arrayBuffer()), file.bytes);
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
    assert.match(served.headers.get('content-disposition') ?? '', /^inline/);
    assert.equal(served.headers.get('cache-control'), 'private, max-age=3600');
    assert.equal(served.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(served.headers.get('access-control-allow-origin'), 'https://shop.example');
    const head = await fetch(data.url, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(12 * 1024));

    const { log } = await c.state();
    assert.ok(
      log.some((/** @type {any} */ e) => e.note === 'upload photo.png, 12 KB, image/png'),
      'the upload is in the request log',
    );
  });

  await t.test('other files download under a clean name', async () => {
    const response = await c.upload(ids, textFile('héllo', '../../секрет\u0000\u202Etxt.exe.txt'));
    assert.equal(response.status, 201);
    const { data } = await c.json(response);
    assert.equal(data.name, 'секретtxt.exe.txt', 'no path, control or bidi characters');
    const served = await fetch(data.url);
    assert.equal(await served.text(), 'héllo');
    assert.equal(served.headers.get('content-type'), 'text/plain');
    assert.equal(served.headers.get('content-disposition'), `attachment; filename*=UTF-8''${encodeURIComponent('секретtxt.exe.txt')}`);
    const long = await c.json(await c.upload(ids, textFile('x', `${'a'.repeat(300)}.csv`)));
    assert.equal(long.data.name, `${'a'.repeat(196)}.csv`);
    // Windows reports .csv as an Excel type; the server files it as text/csv.
    const csv = await c.json(await c.upload(ids, { bytes: 'a,b\n1,2\n', name: 'table.csv', type: 'application/vnd.ms-excel' }));
    assert.equal(csv.data.content_type, 'text/csv');
  });

  await t.test('400, 401, 403, 404, 415 and unknown files', async () => {
    assert.equal((await c.upload(ids, png(), { headers: {} })).status, 401);
    /** @type {Array<[Response, RegExp]>} */
    const bad = [
      [await c.post('/api/chats/attachments/', { session_id: ids.session.id }), /multipart\/form-data/],
      [await c.upload(ids, null), /'file' is required/],
      [await c.upload(ids, null, { fields: { file: 'not a file' } }), /'file' is required and must be a file/],
      [await c.upload(ids, { bytes: '', name: 'empty.txt', type: 'text/plain' }), /File 'empty\.txt' is empty/],
      [await c.upload(ids, png(), { fields: { session_id: null } }), /'session_id' is required/],
      [await c.upload(ids, png(), { fields: { visitor_id: null } }), /'visitor_id' is required/],
    ];
    for (const [response, message] of bad) {
      assert.equal(response.status, 400, String(message));
      assert.match((await c.json(response)).message, message);
    }
    const other = await c.start();
    const stolen = await c.upload(ids, png(), { fields: { visitor_id: other.visitor.id } });
    assert.equal(stolen.status, 403);
    assert.equal((await c.json(stolen)).message, 'Visitor does not own this session');
    const noSession = await c.upload(ids, png(), { fields: { session_id: 'nope' } });
    assert.equal(noSession.status, 404);
    assert.match((await c.json(noSession)).message, /^Session 'nope' not found/);
    const noVisitor = await c.upload(ids, png(), { fields: { visitor_id: 'nope' } });
    assert.match((await c.json(noVisitor)).message, /^Visitor 'nope' not found/);

    for (const file of [
      { bytes: 'MZ', name: 'setup.exe', type: 'application/x-msdownload' },
      { bytes: '<svg onload="alert(1)"/>', name: 'x.svg', type: 'image/svg+xml' },
      { bytes: 'no type', name: 'blob', type: '' },
    ]) {
      const refused = await c.upload(ids, file);
      assert.equal(refused.status, 415, file.type);
      assert.match((await c.json(refused)).message, /are not accepted; send an image \(PNG, JPEG, GIF, WebP\), PDF/);
    }
    const fake = await c.upload(ids, { bytes: '<html><script>alert(1)</script>', name: 'cat.png', type: 'image/png' });
    assert.equal(fake.status, 415);
    assert.equal((await c.json(fake)).message, "File 'cat.png' is not a PNG image: its content does not match image/png");
    assert.equal((await c.upload(ids, { bytes: pngBytes(), name: 'cat.jpg', type: 'image/jpeg' })).status, 415, 'a PNG is not a JPEG');
    assert.equal((await c.upload(ids, { bytes: 'GIF89a....', name: 'a.gif', type: 'image/gif' })).status, 201);

    const missing = await fetch(`${api.url}/api/chats/attachments/nope/x.png`);
    assert.equal(missing.status, 404);
    assert.match((await c.json(missing)).message, /^Attachment 'nope' not found/);
    assert.equal((await c.post(`/api/chats/attachments/nope/x.png`, {})).status, 405);
  });

  await t.test('attachment_ids on chat: the reply names the files, the history carries them', async () => {
    const fresh = await c.start();
    const sock = socket(api, `${fresh.session.id}/?visitor_id=${fresh.visitor.id}`);
    await sock.opened;
    const photo = (await c.json(await c.upload(fresh, png('*b*.png', 2048)))).data;
    const doc = (await c.json(await c.upload(fresh, textFile('x'.repeat(1500), 'doc.txt')))).data;

    const onlyFiles = await c.post('/api/chats/messages/chat/', { ...chatBody(fresh, '', 'f-1'), attachment_ids: [photo.id] });
    assert.equal(onlyFiles.status, 200, 'an empty message is fine with files');
    const answer = (await c.json(onlyFiles)).data;
    assert.equal(answer.response, 'I got your file **\\*b\\*.png** (2 KB). What would you like me to do with it?');

    const streamed = await readStream(
      await c.post('/api/chats/messages/chat/stream/', { ...chatBody(fresh, 'what is this?', 'f-2'), attachment_ids: [photo.id, doc.id] }),
    );
    assert.equal(streamed.events.at(-1).done, true);
    assert.match(
      streamed.answer,
      /^I got your 2 files: \*\*\\\*b\\\*\.png\*\* \(2 KB\) and \*\*doc\.txt\*\* \(1 KB\)\.\n\nThanks for your question! You asked:\n\n> what is this\?/,
    );

    const url = `${api.url}/api/chats/sessions/${fresh.session.id}/messages/?visitor_id=${fresh.visitor.id}`;
    const { messages } = (await c.json(await fetch(url, { headers: { 'X-API-Key': KEY } }))).data;
    assert.deepEqual(
      messages.map((/** @type {any} */ m) => m.sender),
      ['visitor', 'assistant', 'visitor', 'assistant'],
    );
    assert.equal(messages[0].text, '');
    assert.deepEqual(messages[0].attachments, [photo]);
    assert.deepEqual(messages[2].attachments, [photo, doc]);
    assert.equal('attachments' in messages[1], false);
    const frame = await sock.next((f) => f.type === 'message:new' && f.payload.id === answer.message_id);
    assert.deepEqual(frame.payload.attachments, [photo], 'WebSocket frames carry them too');
    sock.ws.close();

    // De-duplication: the same id with the same files replays; with other files it is a 422.
    const again = await c.json(await c.post('/api/chats/messages/chat/', { ...chatBody(fresh, '', 'f-1'), attachment_ids: [photo.id] }));
    assert.equal(again.data.response_id, answer.response_id);
    assert.equal(again.data.message_id, answer.message_id);
    const changed = await c.post('/api/chats/messages/chat/', { ...chatBody(fresh, '', 'f-1'), attachment_ids: [doc.id] });
    assert.equal(changed.status, 422);
    assert.match((await c.json(changed)).message, /other attachments/);
    assert.equal(api.state.store.messages.get(fresh.session.id)?.length, 4);

    const summary = (await c.json(await fetch(`${api.url}/__agent/sessions/${fresh.session.id}/messages`))).data;
    assert.equal(summary.session.attachments, 3);
    assert.deepEqual(summary.messages[0].attachments, [photo]);
  });

  await t.test('attachment_ids: bad, foreign and unknown ids are 400 naming the id', async () => {
    const fresh = await c.start();
    const mine = (await c.json(await c.upload(fresh, png()))).data;
    const foreign = (await c.json(await c.upload(ids, png()))).data; // same server, another session
    /** @type {Array<[unknown, RegExp]>} */
    const cases = [
      [[foreign.id], new RegExp(`Attachment '${foreign.id}' was not uploaded in this session`)],
      [['nope'], /Attachment 'nope' was not uploaded in this session/],
      [[mine.id, mine.id], new RegExp(`Attachment '${mine.id}' is listed twice`)],
      ['abc', /must be an array/],
      [[1], /must be an array/],
      [Array.from({ length: 11 }, (_, i) => `id-${i}`), /at most 10 files/],
    ];
    for (const [attachmentIds, message] of cases) {
      const response = await c.post('/api/chats/messages/chat/', { ...chatBody(fresh, 'hi'), attachment_ids: attachmentIds });
      assert.equal(response.status, 400, String(message));
      assert.match((await c.json(response)).message, message);
    }
    assert.equal(
      (await c.post('/api/chats/messages/chat/', { ...chatBody(fresh, ''), attachment_ids: [] })).status,
      400,
      'no files: text still required',
    );
    assert.equal((await c.post('/api/chats/messages/chat/', { ...chatBody(fresh, 'hi'), attachment_ids: [] })).status, 200);
    assert.equal(api.state.store.messages.get(fresh.session.id)?.length, 2, 'refused messages are not stored');
  });
});

test('attachments: limits, storage cap and QA faults', async (t) => {
  const api = await startApiServer({ apiKey: KEY, maxUploadBytes: 1000, maxAttachmentBytes: 2500 });
  t.after(() => api.close());
  const c = client(api);
  const ids = await c.start();

  await t.test('413 names the limit, whether the file or the whole body is too large', async () => {
    assert.equal((await c.upload(ids, png('a.png', 1000))).status, 201, 'exactly the limit is fine');
    const file = await c.upload(ids, png('big.png', 1001));
    assert.equal(file.status, 413);
    assert.equal((await c.json(file)).message, "File 'big.png' is 1001 B; the limit is 1000 B");
    const body = await c.upload(ids, png('huge.png', 200_000)); // refused from its Content-Length
    assert.equal(body.status, 413);
    assert.equal((await c.json(body)).message, 'The upload is larger than the 1000 B limit');
    // Without a Content-Length: reading stops once the body passes the limit plus the form's room.
    const chunked = await rawUpload(api, { write: Buffer.alloc(1000 + 64 * 1024 + 1) });
    assert.notEqual(chunked, 'destroyed');
    assert.equal(typeof chunked === 'object' && chunked.status, 413);
  });

  await t.test('the oldest files are forgotten past the storage cap', async () => {
    const first = (await c.json(await c.upload(ids, textFile('1'.repeat(1000), 'one.txt')))).data;
    const second = (await c.json(await c.upload(ids, textFile('2'.repeat(1000), 'two.txt')))).data;
    const third = (await c.json(await c.upload(ids, textFile('3'.repeat(1000), 'three.txt')))).data;
    assert.equal((await fetch(first.url)).status, 404);
    assert.equal((await fetch(second.url)).status, 200);
    assert.equal((await fetch(third.url)).status, 200);
    assert.equal(api.state.store.attachments.size, 2);
  });

  await t.test('upload-500-next: the next upload answers 500, once; chat is not affected', async () => {
    await c.fault('upload-500-next');
    assert.match((await c.state()).mode, /upload-500-next/);
    assert.equal((await c.post('/api/chats/messages/chat/', chatBody(ids, 'hi'))).status, 200);
    const failed = await c.upload(ids, png());
    assert.equal(failed.status, 500);
    assert.deepEqual(await c.json(failed), { success: false, message: 'Internal server error' });
    assert.equal((await c.upload(ids, png())).status, 201, 'consumed');
    await logNote(c, /QA fault upload-500-next/);
    // Thumbnails loading never use up the one-shot faults meant for chat.
    const file = (await c.json(await c.upload(ids, png()))).data;
    await c.fault('500-next');
    assert.equal((await fetch(file.url)).status, 200);
    assert.equal((await c.upload(ids, png())).status, 500);
  });

  await t.test('upload-slow holds uploads until normal; a cancelled upload is only a log line', async () => {
    await c.fault('upload-slow', 1);
    assert.match((await c.state()).mode, /upload-slow 1s/);
    let started = Date.now();
    assert.equal((await c.upload(ids, png())).status, 201);
    assert.ok(Date.now() - started >= 1000, 'held');

    await c.fault('upload-slow', 5);
    const controller = new AbortController();
    const pending = c.upload(ids, png('cancel.png'), { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(pending, { name: 'AbortError' });
    assert.match((await logNote(c, /upload aborted by client/)).note, /QA fault upload-slow 5s; upload aborted by client after/);

    // Cut in the middle of the body.
    assert.equal(await rawUpload(api, { contentLength: 50_000, write: Buffer.alloc(1000), destroyAfterMs: 50 }), 'destroyed');
    await logNote(c, /upload aborted by client after 1000 B/);
    await c.fault('normal');
    const since = (await c.state()).lastSeq;
    started = Date.now();
    assert.equal((await c.upload(ids, png())).status, 201);
    // Not held any more: sooner than the 1 s hold (a local upload, even on a loaded machine), and no hold noted.
    assert.ok(Date.now() - started < 1000);
    const entry = await logEntry(c, (e) => e.path === '/api/chats/attachments/', 'the upload', undefined, since);
    assert.doesNotMatch(entry.note ?? '', /upload-slow/);
  });
});

test('feedback: POST /api/chats/messages/{response_id}/feedback/', async (t) => {
  const api = await startApiServer({ apiKey: KEY });
  t.after(() => api.close());
  const c = client(api);
  const ids = await c.start();
  const chat = (await c.json(await c.post('/api/chats/messages/chat/', chatBody(ids, 'hello')))).data;
  const path = `/api/chats/messages/${chat.response_id}/feedback/`;
  const body = { visitor_id: ids.visitor.id, session_id: ids.session.id };

  await t.test('200, and a second rating replaces the first', async () => {
    const up = await c.post(path, { ...body, rating: 'up' });
    assert.equal(up.status, 200);
    assert.deepEqual(await c.json(up), { success: true, data: { response_id: chat.response_id, rating: 'up' } });
    const down = await c.json(await c.post(path, { ...body, rating: 'down', comment: 'Not what I asked' }));
    assert.deepEqual(down.data, { response_id: chat.response_id, rating: 'down', comment: 'Not what I asked' });
    assert.deepEqual(
      (await c.json(await c.post(path, { ...body, rating: 'down', comment: '  ' }))).data,
      { response_id: chat.response_id, rating: 'down' },
      'a blank comment is none',
    );
    await c.post(path, { ...body, rating: 'down', comment: 'Not what I asked' });
    assert.match((await c.state()).log.at(-1).note, /feedback down with comment \(replaces down\)/);

    const summary = (await c.json(await fetch(`${api.url}/__agent/sessions/${ids.session.id}/messages`))).data;
    assert.equal(summary.session.feedback.length, 1, 'one rating per message');
    assert.deepEqual(
      { ...summary.session.feedback[0], rated_at: 'x' },
      { response_id: chat.response_id, rating: 'down', comment: 'Not what I asked', rated_at: 'x' },
    );
    const rated = summary.messages.find((/** @type {any} */ m) => m.id === chat.response_id);
    assert.equal(rated.feedback.rating, 'down');
    const history = await fetch(`${api.url}/api/chats/sessions/${ids.session.id}/messages/?visitor_id=${ids.visitor.id}`, {
      headers: { 'X-API-Key': KEY },
    });
    assert.equal('feedback' in (await c.json(history)).data.messages[1], false, 'the public history is unchanged');

    const agent = api.agentReply(ids.session.id, 'Olena here');
    assert.equal(
      (await c.post(`/api/chats/messages/${agent.id}/feedback/`, { ...body, rating: 'up' })).status,
      200,
      'agent answers can be rated',
    );
  });

  await t.test('400, 401, 403 and 404', async () => {
    /** @type {Array<[unknown, RegExp]>} */
    const cases = [
      [{ ...body, rating: 'meh' }, /'rating' must be 'up' or 'down'/],
      [{ ...body }, /'rating' must be 'up' or 'down'/],
      [{ ...body, rating: 'up', comment: 'x'.repeat(1001) }, /at most 1000 characters/],
      [{ ...body, rating: 'up', comment: 5 }, /'comment' must be a string/],
      [{ rating: 'up', visitor_id: ids.visitor.id }, /'session_id' is required/],
      [{ rating: 'up', session_id: ids.session.id }, /'visitor_id' is required/],
    ];
    for (const [input, message] of cases) {
      const response = await c.post(path, input);
      assert.equal(response.status, 400, String(message));
      assert.match((await c.json(response)).message, message);
    }
    const visitorMessage = await c.post(`/api/chats/messages/${chat.message_id}/feedback/`, { ...body, rating: 'up' });
    assert.equal(visitorMessage.status, 400);
    assert.match((await c.json(visitorMessage)).message, /only assistant and agent messages can be rated/);

    assert.equal((await c.post(path, { ...body, rating: 'up' }, { 'X-API-Key': '' })).status, 401);
    const unknown = await c.post('/api/chats/messages/nope/feedback/', { ...body, rating: 'up' });
    assert.equal(unknown.status, 404);
    assert.equal((await c.json(unknown)).message, "Message 'nope' not found");

    const other = await c.start();
    const stolen = await c.post(path, { ...body, visitor_id: other.visitor.id, rating: 'up' });
    assert.equal(stolen.status, 403);
    assert.equal((await c.json(stolen)).message, 'Visitor does not own this session');
    // The same visitor's other session: the message is not in it.
    const second = (await c.json(await c.post('/api/chats/sessions/', { visitor_id: ids.visitor.id }))).data;
    const elsewhere = await c.post(path, { visitor_id: ids.visitor.id, session_id: second.id, rating: 'up' });
    assert.equal(elsewhere.status, 403);
    assert.match((await c.json(elsewhere)).message, /is not in this session/);
    const noVisitor = await c.post(path, { ...body, visitor_id: 'nope', rating: 'up' });
    assert.equal(noVisitor.status, 404);
    assert.match((await c.json(noVisitor)).message, /^Visitor 'nope' not found/);
    assert.equal((await fetch(api.url + path)).status, 405);
    assert.equal(api.state.store.findMessage(chat.response_id)?.message.feedback?.rating, 'down', 'refusals changed nothing');
  });
});

test('demo page server', async (t) => {
  const demo = await startDemoServer({ apiUrl: 'http://127.0.0.1:9/', apiKey: 'k"<' });
  t.after(() => demo.close());

  const embed = await fetch(`${demo.url}/embed.html`);
  const csp = embed.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src http:\/\/127\.0\.0\.1:9 ws:\/\/127\.0\.0\.1:9;/, 'the WebSocket origin is listed too');
  assert.match(csp, /require-trusted-types-for 'script'; trusted-types 'none'/);
  assert.match(csp, /img-src 'self' https: http:\/\/127\.0\.0\.1:9;/, 'attachment thumbnails from the API');
  assert.doesNotMatch(csp, /unsafe/);
  const html = await embed.text();
  assert.match(html, /data-api-url="http:\/\/127\.0\.0\.1:9"/);
  assert.match(html, /data-api-key="k&#34;&#60;"/, 'templated values are HTML-escaped');
  assert.doesNotMatch(html, /\{\{/);
  assert.doesNotMatch(html, /<script>|<style|style=/, 'no inline script or style');

  const agent = await fetch(`${demo.url}/agent`);
  assert.equal(agent.status, 200);
  assert.match(agent.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(agent.headers.get('content-security-policy') ?? '', /img-src [^;]*http:\/\/127\.0\.0\.1:9/, 'thumbnails from the API');
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
  for (const path of [
    '/nope.html',
    '/dist/',
    '/%2e%2e/server/api.mjs',
    '/..%2fserver/api.mjs',
    '/dist/..%2f..%2fpackage.json',
    '/.hidden',
    '/%00',
  ]) {
    const response = await fetch(demo.url + path);
    assert.equal(response.status, 404, path);
    await response.text();
  }
  assert.equal((await fetch(`${demo.url}/`, { method: 'POST' })).status, 405);
});
