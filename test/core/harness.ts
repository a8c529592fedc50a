// Shared set-up for the core's unit tests: one msw server per file, clients destroyed after each
// test, globals and timers restored. Not a test file itself.
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import type { ChatClient, ChatClientOptions, ChatMessage } from '../../src/core';
import { createChatClient } from '../../src/core';
import { API, type ContractBackend, createTestServer, KEY, MemoryStorage } from '../helpers/contract-server';

export type Options = Partial<ChatClientOptions>;

export function useCoreHarness() {
  const { server, fresh } = createTestServer();
  const clients: ChatClient[] = [];
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  /** A client on fresh (or given) storage doubles. */
  function make(extra: Options = {}, stores: { local?: MemoryStorage; tab?: MemoryStorage } = {}) {
    const local = stores.local ?? new MemoryStorage();
    const tab = stores.tab ?? new MemoryStorage();
    const client = createChatClient({ apiKey: KEY, apiUrl: API, localStorage: local, sessionStorage: tab, ...extra });
    clients.push(client);
    return { client, local, tab };
  }

  /** A client with fake timers whose current chat has a session (one exchange done). */
  async function withSession(extra: Options = {}, stores: { local?: MemoryStorage; tab?: MemoryStorage } = {}) {
    fakeTimers();
    const backend = fresh();
    const made = make(extra, stores);
    await made.client.send('hi');
    await flush();
    expect(texts(made.client.getState().messages)).toEqual(['visitor:hi:sent', 'assistant:You said: hi:sent']);
    const sessionId = made.client.getState().chats[0]!.sessionId!;
    return { ...made, backend, sessionId };
  }

  return { server, fresh, make, withSession };
}

/** Use fake timers for the timer functions only, so msw and streams keep working. */
export const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });

/** Let promises, msw and stream reads run, without moving fake time forward. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0);
  }
}

/** Move fake time forward in steps, letting I/O run between them. */
export async function advance(ms: number, step = 50): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    await vi.advanceTimersByTimeAsync(Math.min(step, ms - done));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await flush(5);
}

const busy = (m: ChatMessage) => m.status === 'queued' || m.status === 'sending' || m.status === 'streaming';

/** Wait (real timers) until no message of the current chat is queued, sending or streaming. */
export async function settled(client: ChatClient, count?: number): Promise<readonly ChatMessage[]> {
  await vi.waitFor(
    () => {
      const messages = client.getState().messages;
      if (count !== undefined) expect(messages).toHaveLength(count);
      expect(messages.filter(busy)).toEqual([]);
    },
    { interval: 5, timeout: 3000 },
  );
  return client.getState().messages;
}

/** `POST sessions`, `GET validate`, ... in the order they hit the backend. */
export function wire(backend: ContractBackend): string[] {
  const name = (path: string): string => {
    if (path.endsWith('/validate/')) return 'validate';
    if (path.endsWith('/visitors/')) return 'visitor';
    if (path.endsWith('/sessions/')) return 'session';
    if (path.endsWith('/chat/stream/')) return 'stream';
    if (path.endsWith('/chat/')) return 'chat';
    return path;
  };
  return backend.calls.map((c) => name(c.path));
}

/** The stored JSON (the `{v, data}` record) under the first key containing `fragment`. */
export function stored(storage: MemoryStorage, fragment: string): { v: number; data: any } | null {
  for (const [key, value] of storage.map) if (key.includes(fragment)) return JSON.parse(value);
  return null;
}

/** Put a visitor id in local storage the way the SDK stores it. */
export function storeVisitor(storage: MemoryStorage, id: string, apiUrl = API): void {
  storage.map.set(`chatsdk:visitor:${apiUrl}`, JSON.stringify({ v: 1, data: { id } }));
}

export const texts = (messages: readonly ChatMessage[]) => messages.map((m) => `${m.author}:${m.text}:${m.status}`);
export { API, KEY, MemoryStorage };
