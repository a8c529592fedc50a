// Random and adversarial input for the parsers the network and storage feed. Seeded, so a failure
// names a case that can be replayed: set FUZZ_SEED to the seed printed in the failure.
import { describe, expect, it } from 'vitest';
import { ChatError } from '../../src/core';
import { MAX_RETRY_DELAY_MS, parseRetryAfter } from '../../src/core/retry';
import { isStoredChats, sanitizeChats } from '../../src/core/transcript';
import { createApi } from '../../src/core/wire/api';
import { MAX_ANSWER_LENGTH, readChatStream } from '../../src/core/wire/sse';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

/** mulberry32: small, fast, good enough to spread cases. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const enc = new TextEncoder();

const SSE_TOKENS = [
  'data: {"chunk":"hi","done":false}\n\n',
  'data: {"chunk":"é漢👩‍👧","done":false}\n\n',
  'data: {"chunk":"end","done":true}\n\n',
  'data: {"done":true,"message_id":"m","response_id":7}\n\n',
  'data: {"chunk":',
  '"x"}',
  'data:',
  'data: ',
  'event: error\n',
  'event: ping\n',
  'event:\n',
  'id: 1\n',
  'id: \u0000\n',
  'retry: 10x\n',
  ': ping\n',
  ':\n',
  '\n',
  '\r',
  '\r\n',
  '\n\n',
  '\uFEFF',
  'data: null\n\n',
  'data: []\n\n',
  'data: "str"\n\n',
  'data: {"chunk":5}\n\n',
  'data: {"chunk":{"a":1}}\n\n',
  'data: {"error":"e"}\n\n',
  'data: {"error":5}\n\n',
  'data: {"__proto__":{"polluted":1},"chunk":"p"}\n\n',
  `data: ${'['.repeat(5000)}\n\n`,
  `data: {"chunk":"${'\\u0000'.repeat(50)}"}\n\n`,
  'data: 1e999999\n\n',
  'data: {"chunk":"\\ud800"}\n\n',
  'field without colon\n',
  `data: {"chunk":"${'z'.repeat(3000)}"}\n\n`,
];

function randomBytes(rng: Rng, max: number): Uint8Array {
  const out = new Uint8Array(rng.int(max));
  for (let i = 0; i < out.length; i++) out[i] = rng.int(256);
  return out;
}

/** A body built from SSE-ish tokens, raw random bytes and broken UTF-8. */
function adversarialSse(rng: Rng): Uint8Array {
  const parts: Uint8Array[] = [];
  const count = 1 + rng.int(12);
  for (let i = 0; i < count; i++) {
    const r = rng.next();
    if (r < 0.65) parts.push(enc.encode(rng.pick(SSE_TOKENS)));
    else if (r < 0.8) parts.push(randomBytes(rng, 40));
    else if (r < 0.9) parts.push(new Uint8Array([rng.pick([0xc3, 0xe6, 0xf0, 0xff, 0x80, 0xed])]));
    else parts.push(enc.encode(String.fromCharCode(rng.int(0x3000))));
  }
  const size = parts.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}

function chunked(rng: Rng, bytes: Uint8Array, endWithError: boolean): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + rng.int(rng.next() < 0.3 ? 4 : 200);
    pieces.push(bytes.slice(at, at + size));
    at += size;
  }
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      if (endWithError) controller.error(new TypeError('reset'));
      else controller.close();
    },
  });
}

describe(`fuzz (seed ${SEED})`, () => {
  it('readChatStream: 2500 random and adversarial bodies either resolve or reject with a ChatError', async () => {
    const rng = prng(SEED);
    let resolved = 0;
    let rejected = 0;
    for (let i = 0; i < 2500; i++) {
      const bytes = rng.next() < 0.1 ? randomBytes(rng, 400) : adversarialSse(rng);
      const body = chunked(rng, bytes, rng.next() < 0.2);
      const chunks: unknown[] = [];
      try {
        const end = await readChatStream(new Response(body), {
          signal: new AbortController().signal,
          firstByteTimeoutMs: 10_000,
          idleTimeoutMs: 10_000,
          onChunk: (c) => chunks.push(c),
        });
        resolved++;
        expect(typeof end).toBe('object');
        if (end.messageId !== undefined) expect(typeof end.messageId).toBe('string');
        if (end.responseId !== undefined) expect(typeof end.responseId).toBe('string');
      } catch (error) {
        rejected++;
        if (!ChatError.is(error))
          throw new Error(`case ${i}: threw ${String(error)} for ${JSON.stringify(new TextDecoder().decode(bytes))}`);
        expect(typeof error.message).toBe('string');
        expect(error.message.length).toBeGreaterThan(0);
      }
      expect(chunks.every((c) => typeof c === 'string' && c.length > 0)).toBe(true);
      expect(chunks.join('').length).toBeLessThanOrEqual(MAX_ANSWER_LENGTH);
    }
    // Both paths were exercised, so the generator is not degenerate.
    expect(resolved).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the API client: 2000 random responses give well-typed results or a ChatError, never anything else', async () => {
    const rng = prng(SEED + 1);
    const STATUSES = [200, 201, 204, 299, 301, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504];
    const TYPES = ['application/json', 'text/html', 'text/event-stream', 'text/plain', '', 'application/problem+json'];
    const BODIES = [
      () => JSON.stringify({ success: true, data: { id: 'x', response: 'r', expires_at: 'e' } }),
      () =>
        JSON.stringify({
          success: rng.pick([true, false, 'true', 1, null]),
          data: rng.pick([{}, [], 'd', null, { id: 5 }, { response: 7 }]),
          message: rng.pick(['m', 5, null, {}]),
        }),
      () => `{"success":true,"data":{"id":"${'i'.repeat(rng.int(300))}"}}`,
      () => `<html>${'x'.repeat(rng.int(100))}`,
      () => '',
      () => 'null',
      () => '['.repeat(rng.int(20000)),
      () => new TextDecoder().decode(randomBytes(rng, 200)),
      () => 'data: {"chunk":"a","done":true}\n\n',
    ];
    const signal = new AbortController().signal;
    for (let i = 0; i < 2000; i++) {
      const status = rng.pick(STATUSES);
      const type = rng.pick(TYPES);
      const body = rng.pick(BODIES)();
      const headers: Record<string, string> = {};
      if (type) headers['content-type'] = type;
      if (rng.next() < 0.3) headers['retry-after'] = rng.pick(['5', 'soon', '-1', 'Wed, 21 Oct 2015 07:28:00 GMT', '99999999999']);
      const fetchStub = (async () =>
        rng.next() < 0.05
          ? Promise.reject(new TypeError('Failed to fetch'))
          : new Response(status === 204 ? null : body, { status, headers })) as unknown as typeof fetch;
      const api = createApi({ apiUrl: 'https://api.test', apiKey: 'k', timeoutMs: 1000, fetch: () => fetchStub });
      const which = rng.int(5);
      try {
        if (which === 0) expect(typeof (await api.createVisitor(signal)).id).toBe('string');
        else if (which === 1) expect(typeof (await api.validateVisitor('v', signal))).toBe('boolean');
        else if (which === 2) {
          const session = await api.createSession('v', signal);
          expect(session.id.length).toBeGreaterThan(0);
          if (session.expires_at !== undefined) expect(typeof session.expires_at).toBe('string');
        } else if (which === 3)
          expect(typeof (await api.chat({ message: 'm', session_id: 's', visitor_id: 'v', client_message_id: 'c' }, signal)).response).toBe(
            'string',
          );
        else {
          // A stream stays linked to its signal (Stop ends it), so each gets its own, as the client does.
          const attempt = new AbortController().signal;
          const response = await api.chatStream({ message: 'm', session_id: 's', visitor_id: 'v', client_message_id: 'c' }, attempt, 1000);
          expect(response.headers.get('content-type')).toContain('text/event-stream');
          await response.body?.cancel();
        }
      } catch (error) {
        if (!ChatError.is(error))
          throw new Error(`case ${i}: ${status} ${type} ${JSON.stringify(body.slice(0, 80))} threw ${String(error)}`);
        if (error.retryAfterMs !== undefined) {
          expect(error.retryAfterMs).toBeGreaterThanOrEqual(0);
          expect(error.retryAfterMs).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
        }
        if (error.retryable && error.code === 'http') expect([409, 429, 503]).toContain(error.status);
      }
    }
  });

  it('Retry-After: 3000 random header values parse to undefined or a delay within the cap', () => {
    const rng = prng(SEED + 2);
    const pieces = [
      '1',
      '0',
      '-',
      '.',
      ' ',
      'GMT',
      'Mon, ',
      '31 Dec 2099 ',
      '23:59:59',
      'e9',
      'Infinity',
      'NaN',
      '\u0000',
      '99999999999999999999',
    ];
    for (let i = 0; i < 3000; i++) {
      const value = Array.from({ length: 1 + rng.int(5) }, () => rng.pick(pieces)).join('');
      const ms = parseRetryAfter(value, 0);
      if (ms !== undefined) {
        expect(Number.isFinite(ms), value).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
      }
    }
  });

  it('stored chats: 1500 random JSON structures are sanitised into well-formed chats, never throw', () => {
    const rng = prng(SEED + 3);
    const leaf = (): unknown => rng.pick([null, true, 0, -1, 'sent', 'visitor', 'queued', 'streaming', 'x', '', [], {}, '__proto__']);
    const value = (depth: number): unknown => {
      if (depth > 3 || rng.next() < 0.3) return leaf();
      if (rng.next() < 0.4) return Array.from({ length: rng.int(4) }, () => value(depth + 1));
      const keys = [
        'id',
        'author',
        'text',
        'status',
        'createdAt',
        'messages',
        'sessionId',
        'error',
        'code',
        'message',
        'chats',
        'currentChatId',
        'replyTo',
        '__proto__',
        'constructor',
      ];
      const out: Record<string, unknown> = {};
      for (let k = rng.int(8); k > 0; k--)
        Object.defineProperty(out, rng.pick(keys), { value: value(depth + 1), enumerable: true, configurable: true, writable: true });
      return out;
    };
    let kept = 0;
    for (let i = 0; i < 1500; i++) {
      const candidate =
        rng.next() < 0.5
          ? {
              currentChatId: 'c',
              chats: Array.from({ length: rng.int(4) }, () => ({
                id: 'c',
                createdAt: 't',
                messages: Array.from({ length: rng.int(5) }, () =>
                  rng.next() < 0.3
                    ? {
                        id: 'm',
                        author: 'visitor',
                        text: 't',
                        status: rng.pick(['sent', 'queued', 'streaming', 'sending', 'nope']),
                        createdAt: 't',
                        error: value(2),
                      }
                    : value(1),
                ),
              })),
            }
          : value(0);
      // Round-trip through JSON, like storage does.
      const parsed: unknown = JSON.parse(JSON.stringify(candidate) ?? 'null');
      if (!isStoredChats(parsed)) continue;
      const clean = sanitizeChats(parsed);
      for (const chat of clean.chats) {
        expect(typeof chat.id).toBe('string');
        for (const m of chat.messages) {
          kept++;
          expect(['visitor', 'assistant', 'agent', 'system']).toContain(m.author);
          expect(['queued', 'sent', 'failed']).toContain(m.status); // sending/streaming never survive a reload
          expect(typeof m.text).toBe('string');
          if (m.error) expect(typeof m.error.message).toBe('string');
        }
      }
    }
    expect(kept).toBeGreaterThan(50);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
