import { describe, expect, it, vi } from 'vitest';
import { createChatClient } from '../../src/core';
import { readRecord, SCHEMA_VERSION, safeStorage, writeRecord } from '../../src/core/storage';
import { MAX_CHATS } from '../../src/core/transcript';
import { API, KEY, MemoryStorage, settled, stored, storeVisitor, texts, useCoreHarness, wire } from './harness';

const { fresh, make } = useCoreHarness();

const CHATS_KEY = `chatsdk:chats:${API}`;
const VISITOR_KEY = `chatsdk:visitor:${API}`;

/** A storage with a quota in characters, like the browser's ~5 MB. */
class QuotaStorage extends MemoryStorage {
  constructor(public quota: number) {
    super();
  }
  override setItem(key: string, value: string): void {
    let used = value.length + key.length;
    for (const [k, v] of this.map) if (k !== key) used += k.length + v.length;
    if (used > this.quota) throw new DOMException('full', 'QuotaExceededError');
    super.setItem(key, value);
  }
}

const message = (over: Record<string, unknown> = {}) => ({
  id: 'm1',
  author: 'visitor',
  text: 'hello',
  status: 'sent',
  createdAt: '2030-01-01T00:00:00.000Z',
  ...over,
});
const chatRecord = (messages: unknown[], over: Record<string, unknown> = {}) => ({
  id: 'c1',
  createdAt: '2030-01-01T00:00:00.000Z',
  messages,
  ...over,
});
const putChats = (tab: MemoryStorage, data: unknown, v: unknown = SCHEMA_VERSION) => tab.map.set(CHATS_KEY, JSON.stringify({ v, data }));

describe('storage that throws', () => {
  it('localStorage and sessionStorage that throw on every read and write: the chat works in memory', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    const tab = new MemoryStorage();
    local.failReads = local.failWrites = tab.failReads = tab.failWrites = true;
    const { client } = make({}, { local, tab });
    await client.send('one');
    await settled(client, 2);
    await client.send('two');
    const messages = await settled(client, 4);
    expect(texts(messages)).toEqual([
      'visitor:one:sent',
      'assistant:You said: one:sent',
      'visitor:two:sent',
      'assistant:You said: two:sent',
    ]);
    // One visitor for the page's lifetime, not one per send (no retry storm either).
    expect(backend.count('POST', '/visitors/')).toBe(1);
    expect(backend.count('POST', '/sessions/')).toBe(1);
    expect(local.map.size + tab.map.size).toBe(0);
  });

  it('storage whose reads throw but writes work (some blocked modes): still one visitor, one session', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    const tab = new MemoryStorage();
    local.failReads = tab.failReads = true;
    const { client } = make({}, { local, tab });
    for (const text of ['a', 'b', 'c']) await client.send(text);
    await settled(client, 6);
    expect(backend.count('POST', '/visitors/')).toBe(1);
    expect(backend.count('GET', '/validate/')).toBe(0);
    expect(backend.count('POST', '/sessions/')).toBe(1);
  });

  it('storage whose writes throw (Safari private mode): works, and keeps what it wrote for this page', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    local.failWrites = true;
    const tab = new MemoryStorage();
    tab.failWrites = true;
    const { client } = make({}, { local, tab });
    await client.send('a');
    await settled(client, 2);
    await client.send('b');
    await settled(client, 4);
    expect(backend.count('POST', '/visitors/')).toBe(1);
    expect(client.getState().visitorId).toBe(backend.chats[1]?.body.visitor_id);
  });

  it('a storage getter that throws (SecurityError on window.localStorage) falls back to memory', async () => {
    const backend = fresh();
    const denied = {
      get(): never {
        throw new DOMException('Access is denied', 'SecurityError');
      },
      configurable: true,
    };
    Object.defineProperty(globalThis, 'localStorage', denied);
    Object.defineProperty(globalThis, 'sessionStorage', denied);
    try {
      const client = createChatClient({ apiKey: KEY, apiUrl: API });
      try {
        await client.send('x');
        await settled(client, 2);
        await client.send('y');
        await settled(client, 4);
        expect(backend.count('POST', '/visitors/')).toBe(1);
      } finally {
        client.destroy();
      }
    } finally {
      delete (globalThis as Record<string, unknown>).localStorage;
      delete (globalThis as Record<string, unknown>).sessionStorage;
    }
  });

  it('storage that starts failing mid-session keeps the last good state readable', () => {
    const real = new MemoryStorage();
    const safe = safeStorage(() => real);
    safe.setItem('k', 'v1');
    real.failWrites = true;
    expect(safe.trySetItem('k', 'v2')).toBe(false);
    expect(safe.getItem('k')).toBe('v2'); // memory wins while the real storage refuses
    real.failWrites = false;
    expect(safe.trySetItem('k', 'v3')).toBe(true);
    expect(real.map.get('k')).toBe('v3');
    safe.removeItem('k');
    expect(safe.getItem('k')).toBeNull();
  });
});

describe('full storage', () => {
  it('the transcript is trimmed (oldest settled messages first) so the newest still fits', async () => {
    fresh();
    const tab = new QuotaStorage(6000);
    const local = new MemoryStorage();
    const { client } = make({ streaming: false }, { local, tab });
    for (let i = 0; i < 12; i++) {
      await client.send(`message ${i} ${'x'.repeat(150)}`);
      await settled(client, (i + 1) * 2);
    }
    // The live transcript is complete...
    expect(client.getState().messages).toHaveLength(24);
    // ...storage holds a trimmed copy that includes the latest exchange.
    const saved = stored(tab, 'chatsdk:chats:')!.data.chats[0].messages as { text: string }[];
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.length).toBeLessThan(24);
    expect(saved.at(-1)?.text).toBe(`You said: message 11 ${'x'.repeat(150)}`);
    expect(saved[0]?.text).not.toMatch(/^message 0 /);
  });

  it('trimming never drops queued or failed visitor messages', async () => {
    fresh();
    const win = new EventTarget();
    vi.stubGlobal('window', win);
    const nav = { onLine: true };
    vi.stubGlobal('navigator', nav);
    const tab = new QuotaStorage(5000);
    const { client } = make({ streaming: false }, { tab });
    for (let i = 0; i < 6; i++) {
      await client.send(`old ${i} ${'x'.repeat(150)}`);
      await settled(client, (i + 1) * 2);
    }
    nav.onLine = false;
    await client.send(`unsent ${'y'.repeat(150)}`);
    const saved = (stored(tab, 'chatsdk:chats:')!.data.chats[0].messages as { text: string; status: string }[]).map((m) => m.status);
    expect(saved.at(-1)).toBe('queued');
  });
});

describe('garbage in storage', () => {
  it.each([
    ['invalid JSON', '{not json'],
    ['a JSON string', '"hello"'],
    ['null', 'null'],
    ['an array', '[1,2,3]'],
    ['an old schema version', JSON.stringify({ v: 0, data: { currentChatId: 'c1', chats: [chatRecord([message()])] } })],
    ['a future schema version', JSON.stringify({ v: 99, data: { currentChatId: 'c1', chats: [chatRecord([message()])] } })],
    ['no version', JSON.stringify({ currentChatId: 'c1', chats: [chatRecord([message()])] })],
    ['chats not an array', JSON.stringify({ v: 1, data: { currentChatId: 'c1', chats: 'nope' } })],
    ['a 5 MB string', 'x'.repeat(5_000_000)],
  ])('chats stored as %s: ignored, the chat starts empty and works, storage is repaired', async (_name, raw) => {
    fresh();
    const tab = new MemoryStorage();
    tab.map.set(CHATS_KEY, raw);
    const { client } = make({}, { tab });
    expect(client.getState().messages).toEqual([]);
    await client.send('fresh start');
    await settled(client, 2);
    expect(stored(tab, 'chatsdk:chats:')).toMatchObject({
      v: SCHEMA_VERSION,
      data: { chats: [{ messages: [{ text: 'fresh start' }, {}] }] },
    });
  });

  it.each([
    ['invalid JSON', '{{'],
    ['an id of the wrong type', JSON.stringify({ v: 1, data: { id: 42 } })],
    ['an empty id', JSON.stringify({ v: 1, data: { id: '' } })],
    ['a huge id', JSON.stringify({ v: 1, data: { id: 'v'.repeat(10_000) } })],
    ['an old version', JSON.stringify({ v: 0, data: { id: 'old' } })],
    ['a bare string (older SDK)', 'v-legacy'],
    ['__proto__ tricks', '{"v":1,"data":{"__proto__":{"id":"evil"}}}'],
  ])('visitor stored as %s: discarded, a new visitor is created (no validate call)', async (_name, raw) => {
    const backend = fresh();
    const local = new MemoryStorage();
    local.map.set(VISITOR_KEY, raw);
    const { client } = make({}, { local });
    const id = await client.connect();
    expect(wire(backend)).toEqual(['visitor']);
    expect(stored(local, 'chatsdk:visitor:')).toEqual({ v: 1, data: { id } });
  });

  it('wrong shapes inside a valid record: bad messages and chats are dropped, good ones kept', () => {
    fresh();
    const tab = new MemoryStorage();
    putChats(tab, {
      currentChatId: 'c1',
      chats: [
        chatRecord([
          message({ id: 'ok1' }),
          message({ id: 'bad-author', author: 'admin' }),
          message({ id: 'bad-status', status: 'delivered' }),
          message({ id: 42 }),
          message({ id: 'no-text', text: undefined }),
          'a string',
          null,
          message({ id: 'ok2', author: 'assistant', text: '<script>x</script>', extra: 'dropped', replyTo: 'ok1' }),
        ]),
        { id: 'c2', messages: 'nope' },
        null,
        chatRecord([], { id: 'c3', sessionId: 5, visitorId: ['x'], expiresAt: {} }),
      ],
    });
    const { client } = make({}, { tab });
    const state = client.getState();
    expect(state.chats.map((c) => c.id)).toEqual(['c1', 'c3']);
    expect(state.messages.map((m) => m.id)).toEqual(['ok1', 'ok2']);
    expect(state.messages[1]).toEqual({
      id: 'ok2',
      author: 'assistant',
      text: '<script>x</script>',
      status: 'sent',
      createdAt: '2030-01-01T00:00:00.000Z',
      replyTo: 'ok1',
    });
    expect(state.chats[1]).toEqual({ id: 'c3', createdAt: '2030-01-01T00:00:00.000Z', messages: [] });
  });

  it('a stored error with an unknown code or junk fields is not trusted as-is', () => {
    fresh();
    const tab = new MemoryStorage();
    putChats(tab, {
      currentChatId: 'c1',
      chats: [
        chatRecord([
          message({ id: 'a', status: 'failed', error: { code: 'rm -rf', message: 'x', retryable: true } }),
          message({ id: 'c', status: 'failed', error: { code: 'http', message: 'x', retryable: 'yes', status: '500' } }),
          message({ id: 'b', status: 'failed', error: { code: 'network', message: 'offline', retryable: true, status: 0 } }),
        ]),
      ],
    });
    const { client } = make({}, { tab });
    const [a, , b] = client.getState().messages;
    // An error code the SDK never writes is dropped (a UI may switch on it); the message stays, failed.
    expect(a).toMatchObject({ text: 'hello', status: 'failed' });
    expect(a?.error).toBeUndefined();
    expect(b?.error).toEqual({ code: 'network', message: 'offline', retryable: true, status: 0 });
    expect(client.getState().messages[1]?.error).toEqual({ code: 'http', message: 'x', retryable: false });
  });

  it('a current chat id that does not exist falls back to the last chat', () => {
    fresh();
    const tab = new MemoryStorage();
    putChats(tab, {
      currentChatId: 'gone',
      chats: [chatRecord([message()], { id: 'c1' }), chatRecord([message({ id: 'm2' })], { id: 'c2' })],
    });
    const { client } = make({}, { tab });
    expect(client.getState().currentChatId).toBe('c2');
  });

  it('too many stored chats and messages are cut to the bounds', () => {
    fresh();
    const tab = new MemoryStorage();
    const chats = Array.from({ length: MAX_CHATS + 5 }, (_, i) => chatRecord([message({ id: `m${i}` })], { id: `c${i}` }));
    putChats(tab, { currentChatId: `c${MAX_CHATS + 4}`, chats });
    const { client } = make({}, { tab });
    expect(client.getState().chats).toHaveLength(MAX_CHATS);
    expect(client.getState().chats[0]?.id).toBe('c5');
  });

  it('__proto__ / constructor keys anywhere in stored data never pollute prototypes', async () => {
    fresh();
    const tab = new MemoryStorage();
    const local = new MemoryStorage();
    tab.map.set(
      CHATS_KEY,
      '{"v":1,"__proto__":{"polluted":1},"data":{"__proto__":{"polluted":2},"constructor":{"prototype":{"polluted":3}},' +
        '"currentChatId":"c1","chats":[{"__proto__":{"polluted":4},"id":"c1","createdAt":"t","messages":[' +
        '{"__proto__":{"polluted":5},"id":"m","author":"visitor","text":"t","status":"sent","createdAt":"t",' +
        '"error":{"__proto__":{"polluted":6},"code":"network","message":"m"}}]}]}}',
    );
    local.map.set(VISITOR_KEY, '{"v":1,"data":{"id":"v","__proto__":{"polluted":7}}}');
    const { client } = make({}, { local, tab });
    const state = client.getState();
    expect(state.messages).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((state.messages[0] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(state.messages[0])).toBe(Object.prototype);
    expect(Object.getPrototypeOf(state.chats[0])).toBe(Object.prototype);
  });

  it('readRecord/writeRecord round-trip with the schema version, and reject mismatches', () => {
    const real = new MemoryStorage();
    const safe = safeStorage(() => real);
    const isNumber = (v: unknown): v is number => typeof v === 'number';
    expect(writeRecord(safe, 'k', 5)).toBe(true);
    expect(JSON.parse(real.map.get('k')!)).toEqual({ v: SCHEMA_VERSION, data: 5 });
    expect(readRecord(safe, 'k', isNumber)).toBe(5);
    real.map.set('k', JSON.stringify({ v: SCHEMA_VERSION, data: 'five' }));
    expect(readRecord(safe, 'k', isNumber)).toBeNull();
  });

  it('the visitor id another page wrote is read as the SDK wrote it (storeVisitor matches the real format)', async () => {
    const backend = fresh();
    backend.visitors.add('v-ok');
    const local = new MemoryStorage();
    storeVisitor(local, 'v-ok');
    const { client } = make({}, { local });
    expect(await client.connect()).toBe('v-ok');
  });
});
