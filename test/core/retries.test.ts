import { HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatClient } from '../../src/core';
import { backoffDelay, MAX_RETRY_DELAY_MS, parseRetryAfter } from '../../src/core/retry';
import { deferred, envelope } from '../helpers/contract-server';
import { advance, fakeTimers, flush, MemoryStorage, storeVisitor, useCoreHarness, wire } from './harness';

const { fresh, make } = useCoreHarness();

const networkError = () => HttpResponse.error();
const withRetryAfter = (status: number, value: string) =>
  HttpResponse.json({ success: false, message: 'busy' }, { status, headers: { 'retry-after': value } });

const statuses = (client: ChatClient) => client.getState().messages.map((m) => `${m.author}:${m.status}`);

/** Give the client a visitor and a session, so the timings below are about the chat request only. */
async function warm(client: ChatClient) {
  await client.send('warm');
  await vi.waitFor(() => expect(client.getState().messages.map((m) => m.status)).toEqual(['sent', 'sent']));
}

beforeEach(() => {
  // Backoff = ceiling/2 + random * ceiling/2: with 0.5 the delays are 375, 750, 1500, 3000 ms.
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
});

describe('retry policy helpers', () => {
  it('backoff grows exponentially with jitter inside [ceiling/2, ceiling], capped', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, 500, 15_000, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, 500, 15_000, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(30, 500, 15_000, () => 1)).toBe(15_000);
  });

  it('Retry-After: seconds, HTTP date, capped, garbage ignored', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_DELAY_MS);
    for (const bad of [null, '', 'soon', '-5', '1.5', '7s']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});

describe('automatic retries (fake timers)', () => {
  it('a network error is retried with growing backoff, same client_message_id, shown as queued meanwhile', async () => {
    const backend = fresh();
    const { client } = make();
    await warm(client);
    fakeTimers();
    backend.once('stream', networkError);
    backend.once('stream', networkError);
    const message = await client.send('flaky');
    await flush();
    expect(backend.count('POST', '/stream/')).toBe(2);
    expect(client.getState().messages.at(-1)).toMatchObject({ status: 'queued', error: { code: 'network' } });
    await advance(350);
    expect(backend.count('POST', '/stream/')).toBe(2); // 375 ms not up yet
    await advance(50);
    expect(backend.count('POST', '/stream/')).toBe(3);
    await advance(700);
    expect(backend.count('POST', '/stream/')).toBe(3); // second wait is 750 ms
    await advance(100);
    expect(backend.count('POST', '/stream/')).toBe(4);
    expect(statuses(client).slice(2)).toEqual(['visitor:sent', 'assistant:sent']);
    expect(client.getState().messages[2]?.error).toBeUndefined();
    expect(backend.chats.slice(1).map((c) => c.body.client_message_id)).toEqual([message.id, message.id, message.id]);
  });

  it('gives up after maxRetries and marks the message failed with its text; nothing more is sent', async () => {
    const backend = fresh();
    const { client } = make({ maxRetries: 3 });
    await warm(client);
    fakeTimers();
    for (let i = 0; i < 10; i++) backend.once('stream', networkError);
    const errors = vi.fn();
    client.on('error', errors);
    const message = await client.send('lost wifi');
    await advance(10_000, 100);
    expect(backend.count('POST', '/stream/')).toBe(1 + 4); // warm-up + first try + 3 retries
    expect(client.getState().messages.at(-1)).toMatchObject({
      id: message.id,
      text: 'lost wifi',
      status: 'failed',
      error: { code: 'network', retryable: true },
    });
    expect(errors).toHaveBeenCalledTimes(1);
    await advance(120_000, 5000);
    expect(backend.count('POST', '/stream/')).toBe(5);
  });

  it('429 honours Retry-After in seconds', async () => {
    const backend = fresh();
    const { client } = make();
    await warm(client);
    fakeTimers();
    backend.once('stream', () => withRetryAfter(429, '7'));
    await client.send('x');
    await advance(6900, 100);
    expect(backend.count('POST', '/stream/')).toBe(2);
    expect(client.getState().messages.at(-1)).toMatchObject({ status: 'queued', error: { status: 429 } });
    await advance(200);
    expect(backend.count('POST', '/stream/')).toBe(3);
    expect(statuses(client).slice(2)).toEqual(['visitor:sent', 'assistant:sent']);
  });

  it('409 (an earlier attempt is still being answered) waits Retry-After and retries with the same client_message_id', async () => {
    const backend = fresh();
    const { client } = make();
    await warm(client);
    fakeTimers();
    backend.once('stream', () => withRetryAfter(409, '2'));
    await client.send('x');
    await advance(1900, 100);
    expect(backend.count('POST', '/stream/')).toBe(2);
    expect(client.getState().messages.at(-1)).toMatchObject({ status: 'queued', error: { status: 409 } });
    await advance(200);
    expect(statuses(client).slice(2)).toEqual(['visitor:sent', 'assistant:sent']);
    const [first, second] = backend.chats.slice(-2).map((chat) => chat.body.client_message_id);
    expect(second).toBe(first);
  });

  it('503 honours Retry-After as an HTTP date', async () => {
    const backend = fresh();
    const { client } = make();
    await warm(client);
    fakeTimers();
    vi.setSystemTime(Date.parse('2030-01-01T00:00:00.000Z'));
    backend.once('stream', () => withRetryAfter(503, 'Tue, 01 Jan 2030 00:00:10 GMT'));
    await client.send('x');
    await advance(9800, 200);
    expect(backend.count('POST', '/stream/')).toBe(2);
    await advance(400);
    expect(backend.count('POST', '/stream/')).toBe(3);
  });

  it(`a huge Retry-After is capped at ${MAX_RETRY_DELAY_MS / 1000} s`, async () => {
    const backend = fresh();
    const { client } = make();
    await warm(client);
    fakeTimers();
    backend.once('stream', () => withRetryAfter(429, '3600'));
    await client.send('x');
    await advance(MAX_RETRY_DELAY_MS - 500, 1000);
    expect(backend.count('POST', '/stream/')).toBe(2);
    await advance(1000);
    expect(backend.count('POST', '/stream/')).toBe(3);
  });

  it('503 without Retry-After (or with garbage) falls back to backoff', async () => {
    const backend = fresh();
    const { client } = make();
    await warm(client);
    fakeTimers();
    backend.once('stream', () => envelope(503, undefined, 'maintenance'));
    backend.once('stream', () => withRetryAfter(503, 'later please'));
    await client.send('x');
    await advance(400);
    expect(backend.count('POST', '/stream/')).toBe(3);
    await advance(800);
    expect(backend.count('POST', '/stream/')).toBe(4);
    expect(statuses(client).slice(2)).toEqual(['visitor:sent', 'assistant:sent']);
  });

  it('a Retry-After wait is honoured even when another chat gets through meanwhile', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    await warm(client);
    fakeTimers();
    backend.once('chat', () => withRetryAfter(429, '20'));
    await client.send('rate limited');
    await flush();
    await client.newChat();
    await client.send('other chat');
    await advance(1000);
    expect(backend.chats.map((c) => c.body.message)).toEqual(['warm', 'rate limited', 'other chat']);
    await advance(10_000, 500);
    expect(backend.chats).toHaveLength(3); // still waiting: the server asked for 20 s
    await advance(10_000, 500);
    expect(backend.chats.map((c) => c.body.message)).toEqual(['warm', 'rate limited', 'other chat', 'rate limited']);
  });

  it.each([500, 502, 504])('%i on a chat send is NOT retried automatically: failed, and retry() resends it', async (status) => {
    const backend = fresh();
    const { client } = make();
    await warm(client);
    fakeTimers();
    backend.once('stream', () => envelope(status, undefined, 'it broke'));
    const message = await client.send('maybe processed');
    await advance(60_000, 1000);
    expect(backend.count('POST', '/stream/')).toBe(2);
    expect(client.getState().messages.at(-1)).toMatchObject({ text: 'maybe processed', status: 'failed', error: { status } });
    await client.retry(message.id);
    await advance(100);
    expect(backend.count('POST', '/stream/')).toBe(3);
    expect(backend.chats.slice(1).map((c) => c.body.client_message_id)).toEqual([message.id, message.id]);
    expect(statuses(client).slice(2)).toEqual(['visitor:sent', 'assistant:sent']);
  });

  it('visitor creation: network errors and 503 are retried; session creation too', async () => {
    const backend = fresh();
    const { client } = make();
    fakeTimers();
    backend.once('visitors', networkError);
    backend.once('visitors', () => envelope(503));
    backend.once('sessions', networkError);
    await client.send('x');
    await advance(5000, 100);
    expect(wire(backend)).toEqual(['visitor', 'visitor', 'visitor', 'session', 'session', 'stream']);
    expect(backend.visitors.size).toBe(1);
    expect(statuses(client)).toEqual(['visitor:sent', 'assistant:sent']);
  });

  it('visitor validation follows the same rules: 503 retried, 500 fails the message (no visitor created)', async () => {
    const backend = fresh();
    backend.visitors.add('known');
    const local = new MemoryStorage();
    storeVisitor(local, 'known');
    const { client } = make({}, { local });
    fakeTimers();
    backend.once('validate', () => envelope(503));
    backend.once('validate', () => envelope(500));
    await client.send('x');
    await advance(5000, 100);
    expect(wire(backend)).toEqual(['validate', 'validate']);
    expect(client.getState().messages[0]).toMatchObject({ status: 'failed', error: { status: 500 } });
  });

  it('a request that hangs times out after requestTimeout and is retried', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false, requestTimeout: 2000 });
    await warm(client);
    fakeTimers();
    const hang = deferred();
    backend.once('chat', async () => {
      await hang.promise;
      return undefined;
    });
    await client.send('slow');
    await advance(1900, 100);
    expect(client.getState().messages.at(-1)?.status).toBe('sending');
    await advance(200);
    expect(client.getState().messages.at(-1)).toMatchObject({ status: 'queued', error: { code: 'timeout' } });
    await advance(400);
    expect(backend.chats).toHaveLength(3);
    expect(statuses(client).slice(2)).toEqual(['visitor:sent', 'assistant:sent']);
    hang.resolve();
  });

  it('a later message waits for an earlier one that is waiting to retry: messages never reorder', async () => {
    const backend = fresh();
    const { client } = make();
    await warm(client);
    fakeTimers();
    backend.once('stream', () => withRetryAfter(503, '5'));
    await client.send('first');
    await client.send('second');
    await advance(4000, 200);
    expect(backend.chats.map((c) => c.body.message)).toEqual(['warm', 'first']);
    expect(statuses(client)).toEqual(['visitor:sent', 'assistant:sent', 'visitor:queued', 'visitor:queued']);
    await advance(1500);
    expect(backend.chats.map((c) => c.body.message)).toEqual(['warm', 'first', 'first', 'second']);
    expect(client.getState().messages.map((m) => m.text)).toEqual([
      'warm',
      'You said: warm',
      'first',
      'You said: first',
      'second',
      'You said: second',
    ]);
  });

  it('a message that fails for good does not hold back the ones after it', async () => {
    const backend = fresh();
    const { client } = make();
    await warm(client);
    backend.once('stream', () => envelope(500));
    await client.send('doomed');
    await client.send('fine');
    await vi.waitFor(() => expect(client.getState().messages.at(-1)?.status).toBe('sent'));
    expect(
      client
        .getState()
        .messages.slice(2)
        .map((m) => `${m.text}:${m.status}`),
    ).toEqual(['doomed:failed', 'fine:sent', 'You said: fine:sent']);
  });
});

describe('offline', () => {
  it('offline at send -> queued (nothing on the wire, client status offline), then sent in order on "online"', async () => {
    const backend = fresh();
    const win = new EventTarget();
    vi.stubGlobal('window', win);
    const nav = { onLine: false };
    vi.stubGlobal('navigator', nav);
    const { client } = make();
    const statusEvents: string[] = [];
    client.on('status', ({ status }) => statusEvents.push(status));
    await client.send('one');
    await client.send('two');
    await client.send('three');
    await flush();
    expect(backend.calls).toEqual([]);
    expect(client.getState().messages.map((m) => m.status)).toEqual(['queued', 'queued', 'queued']);
    expect(client.getState().status).toBe('offline');
    nav.onLine = true;
    win.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(client.getState().messages.map((m) => m.status)).toEqual(Array(6).fill('sent')));
    expect(backend.chats.map((c) => c.body.message)).toEqual(['one', 'two', 'three']);
    expect(
      client
        .getState()
        .messages.filter((m) => m.author === 'visitor')
        .map((m) => m.text),
    ).toEqual(['one', 'two', 'three']);
    expect(statusEvents).toContain('offline');
    expect(client.getState().status).toBe('idle');
  });

  it('offline without an online event: re-checks by itself (every 15 s)', async () => {
    const backend = fresh();
    vi.stubGlobal('window', new EventTarget());
    const nav = { onLine: false };
    vi.stubGlobal('navigator', nav);
    fakeTimers();
    const { client } = make();
    await client.send('x');
    await advance(60_000, 5000);
    expect(backend.calls).toEqual([]);
    nav.onLine = true;
    await advance(15_000, 1000);
    expect(client.getState().messages.map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('going offline between retries waits for the network instead of burning retries', async () => {
    const backend = fresh();
    const win = new EventTarget();
    vi.stubGlobal('window', win);
    const nav = { onLine: true };
    vi.stubGlobal('navigator', nav);
    const { client } = make({ maxRetries: 1 });
    await warm(client);
    fakeTimers();
    backend.once('stream', () => {
      nav.onLine = false; // the Wi-Fi drops during the request
      return HttpResponse.error();
    });
    await client.send('x');
    await advance(120_000, 5000);
    expect(backend.count('POST', '/stream/')).toBe(2);
    expect(client.getState().messages.at(-1)?.status).toBe('queued');
    nav.onLine = true;
    win.dispatchEvent(new Event('online'));
    await advance(100);
    expect(statuses(client).slice(2)).toEqual(['visitor:sent', 'assistant:sent']);
  });
});
