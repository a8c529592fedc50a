// @ts-check
/**
 * Self-test of the reference backend and the demo page server, through real HTTP.
 *   node --test demo/server/selftest.mjs
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from './api-server.mjs';
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
  assert.match(csp, /connect-src http:\/\/127\.0\.0\.1:9;/);
  assert.match(csp, /require-trusted-types-for 'script'; trusted-types 'none'/);
  assert.doesNotMatch(csp, /unsafe/);
  const html = await embed.text();
  assert.match(html, /data-api-url="http:\/\/127\.0\.0\.1:9"/);
  assert.match(html, /data-api-key="k&#34;&#60;"/, 'templated values are HTML-escaped');
  assert.doesNotMatch(html, /\{\{/);
  assert.doesNotMatch(html, /<script>|<style|style=/, 'no inline script or style');

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
