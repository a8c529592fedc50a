import { getEventListeners } from 'node:events';
import { HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { ChatError } from '../../src/core';
import { createApi, httpError, readEnvelope } from '../../src/core/wire/api';
import { MAX_ANSWER_LENGTH } from '../../src/core/wire/sse';
import { controlledStream, deferred, envelope, sseResponse } from '../helpers/contract-server';
import { settled, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

const html = (status = 200) =>
  new HttpResponse('<!doctype html><html><body><h1>Welcome to Hotel Wi-Fi</h1></body></html>', {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  });
const raw = (body: string | Uint8Array, status = 200, type = 'application/json') =>
  new HttpResponse(body, { status, headers: { 'content-type': type } });

describe('bad server data becomes a clear error on the message (text kept, nothing thrown)', () => {
  const cases: [string, 'visitors' | 'sessions' | 'chat' | 'stream', () => Response, Record<string, unknown>][] = [
    ['an HTML 200 page for the visitor', 'visitors', () => html(), { code: 'protocol', message: expect.stringMatching(/not JSON/) }],
    [
      'an HTML 502 page from a proxy',
      'chat',
      () => html(502),
      { code: 'http', status: 502, message: expect.stringMatching(/problem \(502\)/) },
    ],
    [
      'an envelope without success',
      'chat',
      () => raw(JSON.stringify({ data: { response: 'hi' } })),
      { code: 'protocol', message: expect.stringMatching(/envelope/) },
    ],
    [
      'success: false with 200',
      'chat',
      () => raw(JSON.stringify({ success: false, message: 'Quota exceeded for key' })),
      { code: 'http', status: 200, message: 'Quota exceeded for key' },
    ],
    ['success: "true" (a string)', 'sessions', () => raw(JSON.stringify({ success: 'true', data: { id: 's' } })), { code: 'protocol' }],
    [
      'no data',
      'sessions',
      () => raw(JSON.stringify({ success: true })),
      { code: 'protocol', message: expect.stringMatching(/without data/) },
    ],
    ['data as an array', 'chat', () => raw(JSON.stringify({ success: true, data: ['hi'] })), { code: 'protocol' }],
    [
      'a visitor without id',
      'visitors',
      () => envelope(201, { created_at: 'now' }),
      { code: 'protocol', message: expect.stringMatching(/"id"/) },
    ],
    ['a visitor id that is a number', 'visitors', () => envelope(201, { id: 42 }), { code: 'protocol' }],
    ['a session without id', 'sessions', () => envelope(201, { expires_at: 'x' }), { code: 'protocol' }],
    [
      'an answer without response',
      'chat',
      () => envelope(200, { message_id: 'm' }),
      { code: 'protocol', message: expect.stringMatching(/"response"/) },
    ],
    ['an answer that is a number', 'chat', () => envelope(200, { response: 42 }), { code: 'protocol' }],
    ['an empty 200 body', 'chat', () => raw(''), { code: 'protocol' }],
    ['a JSON null body', 'chat', () => raw('null'), { code: 'protocol' }],
    [
      'an error status with a non-string message',
      'chat',
      () => raw(JSON.stringify({ success: false, message: { html: '<b>' } }), 422),
      { code: 'http', status: 422, message: 'The chat server answered 422.' },
    ],
    [
      'an HTML page instead of the event stream',
      'stream',
      () => html(),
      { code: 'protocol', message: expect.stringMatching(/text\/html/) },
    ],
    [
      'a stream answered with no content type',
      'stream',
      () => new HttpResponse('data: {"chunk":"x","done":true}\n\n'),
      { code: 'protocol' },
    ],
    [
      'a stream answered with a JSON envelope',
      'stream',
      () => envelope(200, { response: 'plain' }),
      { code: 'protocol', message: expect.stringMatching(/instead of an event stream/) },
    ],
    [
      'a stream answered with a JSON failure',
      'stream',
      () => raw(JSON.stringify({ success: false, message: 'Key suspended' })),
      { code: 'http', message: 'Key suspended' },
    ],
  ];

  it.each(cases)('%s', async (_name, path, response, error) => {
    const backend = fresh();
    const { client } = make({ streaming: path !== 'chat' });
    backend.once(path, response);
    const errors = vi.fn();
    client.on('error', errors);
    const message = await client.send('still mine');
    const messages = await settled(client);
    const question = messages.find((m) => m.id === message.id);
    expect(question).toMatchObject({ text: 'still mine', status: 'failed', error });
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ messageId: message.id }));
    // Not retried in a loop: the same garbage would come back.
    expect(backend.calls.length).toBeLessThanOrEqual(3);
  });

  it('the server message is capped, and a long HTML error body never becomes the message', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    backend.once('chat', () => raw(JSON.stringify({ success: false, message: 'x'.repeat(10_000) }), 400));
    await client.send('q');
    const [q] = await settled(client, 1);
    expect(q?.error?.message.length).toBe(500);
  });

  it('control characters and markup in an answer are kept verbatim as text', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    const nasty = 'a\u0000b\u0007\u001b[2J\u202e<img src=x onerror=alert(1)>\r\n\u2028end';
    backend.once('chat', () => envelope(200, { response: nasty }));
    await client.send('q');
    const [, a] = await settled(client, 2);
    expect(a?.text).toBe(nasty);
  });

  it('invalid UTF-8 in a JSON answer becomes U+FFFD, no crash', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    const head = new TextEncoder().encode('{"success":true,"data":{"response":"ok ');
    const tail = new TextEncoder().encode(' end"}}');
    backend.once('chat', () => raw(new Uint8Array([...head, 0xc3, 0x28, 0xff, ...tail])));
    await client.send('q');
    const [, a] = await settled(client, 2);
    expect(a?.text).toBe('ok \uFFFD(\uFFFD end');
  });

  it('a 1 MB plain answer is shown in full', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    const big = 'lorem ipsum '.repeat(90_000).slice(0, MAX_ANSWER_LENGTH);
    backend.once('chat', () => envelope(200, { response: big }));
    await client.send('q');
    const [, a] = await settled(client, 2);
    expect(a?.text.length).toBe(MAX_ANSWER_LENGTH);
  });

  it('a streamed answer over the cap stops with a clear error, keeping the first megabyte', async () => {
    const backend = fresh();
    const { client } = make();
    backend.once('stream', () => {
      const s = controlledStream();
      for (let i = 0; i < 12; i++) s.chunk('y'.repeat(100_000));
      s.chunk('', true);
      s.close();
      return s.response();
    });
    await client.send('q');
    const [q, a] = await settled(client, 2);
    expect(q?.status).toBe('sent');
    expect(a).toMatchObject({ status: 'failed', error: { code: 'protocol', message: expect.stringMatching(/too long/) } });
    expect(a?.text.length).toBe(MAX_ANSWER_LENGTH);
  });

  it('a stream with charset=windows-1252 is still read as UTF-8', async () => {
    const backend = fresh();
    const { client } = make();
    backend.once(
      'stream',
      () =>
        new HttpResponse(new TextEncoder().encode('data: {"chunk":"héllo 漢","done":true}\n\n'), {
          headers: { 'content-type': 'text/event-stream; charset=windows-1252' },
        }),
    );
    await client.send('q');
    const [, a] = await settled(client, 2);
    expect(a?.text).toBe('héllo 漢');
  });

  it('a malformed event mid-stream keeps the partial answer and marks it failed', async () => {
    const backend = fresh();
    const { client } = make();
    backend.once('stream', () => sseResponse('data: {"chunk":"good ","done":false}\n\ndata: {oops\n\n'));
    await client.send('q');
    const [, a] = await settled(client, 2);
    expect(a).toMatchObject({ text: 'good ', status: 'failed', error: { code: 'protocol' } });
  });

  it('__proto__ keys in server JSON do not pollute prototypes', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    backend.once('visitors', () => raw('{"success":true,"__proto__":{"polluted":1},"data":{"id":"v1","__proto__":{"polluted":2}}}', 201));
    backend.visitors.add('v1');
    backend.once('chat', () =>
      raw('{"success":true,"data":{"response":"hi","constructor":{"prototype":{"polluted":3}},"__proto__":{"polluted":4}}}'),
    );
    await client.send('q');
    const [, a] = await settled(client, 2);
    expect(a?.text).toBe('hi');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('api helpers directly', () => {
  it('readEnvelope returns data, and throws ChatError (only) for everything else', async () => {
    expect(await readEnvelope(raw(JSON.stringify({ success: true, data: { a: 1 } })))).toEqual({ a: 1 });
    for (const body of ['', 'x', '[]', '{}', '{"success":1}', '{"success":true,"data":"s"}', '{"success":false}']) {
      const error = await readEnvelope(raw(body)).catch((e: unknown) => e);
      expect(ChatError.is(error), body).toBe(true);
    }
  });

  it('httpError: 409, 429 and 503 are retryable with Retry-After; other statuses are not', async () => {
    const e429 = await httpError(new Response('{"success":false,"message":"slow down"}', { status: 429, headers: { 'retry-after': '3' } }));
    expect(e429).toMatchObject({ code: 'http', status: 429, retryable: true, retryAfterMs: 3000, message: 'slow down' });
    expect((await httpError(new Response('', { status: 503 }))).retryable).toBe(true);
    expect((await httpError(new Response('', { status: 409 }))).retryable).toBe(true);
    for (const status of [400, 401, 403, 404, 422, 500, 502, 504]) {
      expect((await httpError(new Response('', { status }))).retryable, String(status)).toBe(false);
    }
    expect((await httpError(new Response('<html>', { status: 401 }))).message).toMatch(/API key was refused/);
  });

  it('a fetch that throws synchronously or rejects with a non-Error is a network ChatError', async () => {
    const weird = [
      () => {
        throw 'a string';
      },
      () => Promise.reject(null),
      () => Promise.reject(new DOMException('x', 'NetworkError')),
    ];
    for (const f of weird) {
      const api = createApi({ apiUrl: 'https://api.test', apiKey: 'k', timeoutMs: 1000, fetch: () => f as unknown as typeof fetch });
      const error = await api.createVisitor(new AbortController().signal).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ChatError', code: 'network', retryable: true });
    }
  });
});

describe('requests and the caller’s signal', () => {
  it('a JSON answer leaves no listener on the signal (the client polls with one signal all its life); a stream stays linked', async () => {
    const f = vi.fn(async (url: string) =>
      url.endsWith('/stream/')
        ? sseResponse('data: {"chunk":"","done":true}\n\n')
        : raw(JSON.stringify({ success: true, data: { id: 'v1' } }), 201),
    );
    const api = createApi({ apiUrl: 'https://api.test', apiKey: 'k', timeoutMs: 1000, fetch: () => f as unknown as typeof fetch });
    const life = new AbortController();
    for (let i = 0; i < 20; i++) await api.createVisitor(life.signal);
    await api.createSession('v1', life.signal);
    await expect(api.createVisitor(life.signal)).resolves.toEqual({ id: 'v1' });
    expect(getEventListeners(life.signal, 'abort')).toHaveLength(0);

    const attempt = new AbortController();
    await api.chatStream({ message: 'hi', session_id: 's', visitor_id: 'v1', client_message_id: 'c' }, attempt.signal, 1000);
    expect(getEventListeners(attempt.signal, 'abort')).toHaveLength(1); // Stop can still end the body
  });
});

describe('a backend that stalls, trickles or floods after its headers', () => {
  const encoder = new TextEncoder();
  /** A 200 JSON response whose body sends `parts` (one per `gapMs`), then stalls, or ends with `end`. */
  const slowBody = (parts: string[], gapMs: number, end = false) => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent < parts.length) {
          if (sent) await new Promise((resolve) => setTimeout(resolve, gapMs));
          controller.enqueue(encoder.encode(parts[sent++]!));
        } else if (end) controller.close();
        else await new Promise(() => undefined); // stalls: no byte, no end
      },
    });
    return new Response(stream, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const apiWith = (respond: () => Response, timeoutMs = 300) =>
    createApi({ apiUrl: 'https://api.test', apiKey: 'k', timeoutMs, fetch: () => (async () => respond()) as unknown as typeof fetch });

  it('a body that stalls after the headers times out within requestTimeout', async () => {
    const api = apiWith(() => slowBody(['{"success":true,'], 0));
    const started = Date.now();
    await expect(api.createVisitor(new AbortController().signal)).rejects.toMatchObject({ code: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a body trickled over 2 s is not accepted under a 300 ms timeout', async () => {
    const body = JSON.stringify({ success: true, data: { id: 'v1' } });
    const api = apiWith(() => slowBody(body.match(/.{1,4}/g)!, 200, true));
    await expect(api.createVisitor(new AbortController().signal)).rejects.toMatchObject({ code: 'timeout' });
  });

  it('aborting (Stop, destroy) ends a body being read, at once', async () => {
    const api = apiWith(() => slowBody(['{"success":true,"data":{"response":"par'], 0), 30_000);
    const stop = new AbortController();
    const reply = api.chat({ message: 'q', session_id: 's', visitor_id: 'v', client_message_id: 'c' }, stop.signal);
    setTimeout(() => stop.abort(), 50);
    await expect(reply).rejects.toMatchObject({ code: 'aborted' });
  });

  it('a 50 MB plain reply is refused with a clear error, and its body is not read to the end', async () => {
    let pulled = 0;
    const flood = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled += 1_000_000;
            controller.enqueue(
              encoder.encode(pulled === 1_000_000 ? `{"success":true,"data":{"response":"${'x'.repeat(999_950)}` : 'x'.repeat(1_000_000)),
            );
            if (pulled >= 50_000_000) controller.close();
          },
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    const api = apiWith(flood, 30_000);
    await expect(
      api.chat({ message: 'q', session_id: 's', visitor_id: 'v', client_message_id: 'c' }, new AbortController().signal),
    ).rejects.toMatchObject({
      code: 'protocol',
      message: 'The chat server sent a response too large to read (over 8,000,000 characters).',
    });
    expect(pulled).toBeLessThan(12_000_000);
  });

  it('a plain answer over the answer cap is refused like a streamed one', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    backend.once('chat', () => envelope(200, { response: 'y'.repeat(MAX_ANSWER_LENGTH + 1) }));
    await client.send('q');
    const [question] = await settled(client, 1);
    expect(question).toMatchObject({ status: 'failed', error: { code: 'protocol', message: 'The answer is too long to show in full.' } });
  });

  it('a history body over its cap is refused; the chat goes on', async () => {
    const api = apiWith(
      () =>
        new Response(`{"success":true,"data":{"messages":"${'z'.repeat(8_000_001)}"}}`, {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
      30_000,
    );
    await expect(api.history('s1', 'v1', undefined, new AbortController().signal)).rejects.toMatchObject({
      code: 'protocol',
      message: expect.stringMatching(/too large/),
    });
  });

  it('a history message longer than an answer may be is cut, visibly; the others are whole', async () => {
    const { readHistory } = await import('../../src/core/live/history');
    const long = 'h'.repeat(MAX_ANSWER_LENGTH + 10);
    const read = readHistory([
      { id: 'a', sender: 'agent', text: long, created_at: '2026-01-01T00:00:00Z' },
      { id: 'b', sender: 'agent', text: 'short', created_at: '2026-01-01T00:00:01Z' },
    ]);
    expect(read.map((entry) => entry.message.text.length)).toEqual([MAX_ANSWER_LENGTH + 2, 5]);
    expect(read[0]!.message.text.endsWith('h …')).toBe(true);
  });

  it('a visitor request that stalls after its headers: the send fails after requestTimeout, and the next send goes through', async () => {
    const backend = fresh();
    backend.once('visitors', () => slowBody(['{"success":'], 0));
    const { client } = make({ requestTimeout: 300, maxRetries: 0 });
    await client.send('first');
    const [first] = await settled(client, 1);
    expect(first).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    await client.send('second');
    const messages = await settled(client, 3);
    expect(messages.map((m) => `${m.author}:${m.status}`)).toEqual(['visitor:failed', 'visitor:sent', 'assistant:sent']);
  });

  it('Stop while the visitor request the window started stalls: the message is stopped at once, with Retry', async () => {
    const backend = fresh();
    backend.once('visitors', () => slowBody(['{"success":'], 0));
    const { client } = make({ requestTimeout: 5_000, maxRetries: 0 });
    const opened = client.connect();
    await client.send('first');
    const started = Date.now();
    client.stop();
    const [first] = await settled(client, 1);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(first).toMatchObject({ status: 'failed', error: { code: 'aborted', message: 'Stopped before it was sent.', retryable: true } });
    client.destroy();
    await expect(opened).rejects.toMatchObject({ code: 'aborted' });
  });

  it('Stop does not cancel the visitor request the window waits for too: it goes on, once, and the window gets its visitor', async () => {
    const backend = fresh();
    const release = deferred();
    backend.once('visitors', async () => {
      await release.promise;
      return envelope(201, { id: 'v-shared' });
    });
    const { client } = make({ maxRetries: 0 });
    await client.send('first');
    const opened = client.connect();
    client.stop();
    const [first] = await settled(client, 1);
    expect(first).toMatchObject({ status: 'failed', error: { code: 'aborted' } });
    release.resolve();
    await expect(opened).resolves.toBe('v-shared');
    expect(backend.count('POST', '/visitors/')).toBe(1);
  });

  it('the stream endpoint answering JSON with "event-stream" in a parameter is not read as a stream', async () => {
    const api = apiWith(() => raw(JSON.stringify({ success: true, data: {} }), 200, 'application/json; profile=text/event-stream'));
    await expect(
      api.chatStream({ message: 'q', session_id: 's', visitor_id: 'v', client_message_id: 'c' }, new AbortController().signal, 1000),
    ).rejects.toMatchObject({
      code: 'protocol',
      message: 'The chat server answered with application/json instead of an event stream.',
    });
  });
});

describe('an error status whose body stalls', () => {
  const stalled = (status: number) =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"success":false,'));
        },
      }),
      { status, headers: { 'content-type': 'application/json' } },
    );
  const apiAnswering = (status: number) =>
    createApi({
      apiUrl: 'https://api.test',
      apiKey: 'k',
      timeoutMs: 200,
      fetch: () => (async () => stalled(status)) as unknown as typeof fetch,
    });

  it('is still that status (a 500 is not retried as a time-out; a 404 on validate still says "unknown visitor")', async () => {
    await expect(apiAnswering(500).createVisitor(new AbortController().signal)).rejects.toMatchObject({
      code: 'http',
      status: 500,
      retryable: false,
    });
    await expect(apiAnswering(404).validateVisitor('v1', new AbortController().signal)).resolves.toBe(false);
  });
});
