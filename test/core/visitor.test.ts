import { describe, expect, it, vi } from 'vitest';
import { deferred, envelope } from '../helpers/contract-server';
import { MemoryStorage, settled, stored, storeVisitor, useCoreHarness, wire } from './harness';

const { fresh, make } = useCoreHarness();

/** A `storage` event as another tab's write produces it. */
const storageEvent = (key: string, newValue: string | null): Event =>
  Object.assign(new Event('storage'), { key, newValue, oldValue: null, storageArea: null, url: 'https://host.test/' });

describe('visitor', () => {
  it('creates a visitor on first use, stores it in localStorage and announces it', async () => {
    const backend = fresh();
    const { client, local } = make();
    const ready = vi.fn();
    client.on('ready', ready);
    const id = await client.connect();
    expect(wire(backend)).toEqual(['visitor']);
    expect(backend.visitors.has(id)).toBe(true);
    expect(stored(local, 'chatsdk:visitor:')).toEqual({ v: 1, data: { id } });
    expect(client.getState().visitorId).toBe(id);
    expect(ready).toHaveBeenCalledWith({ visitorId: id });
  });

  it('validates a stored visitor once and keeps it (no new visitor), and says it is ready', async () => {
    const backend = fresh();
    backend.visitors.add('known');
    const local = new MemoryStorage();
    storeVisitor(local, 'known');
    const { client } = make({}, { local });
    const ready = vi.fn();
    client.on('ready', ready);
    expect(await client.connect()).toBe('known');
    await client.send('one');
    await settled(client, 2);
    await client.send('two');
    await settled(client, 4);
    expect(wire(backend)).toEqual(['validate', 'session', 'stream', 'stream']);
    expect(backend.calls[0]?.path).toBe('/api/chats/visitors/known/validate/');
    expect(backend.chats.map((c) => c.body.visitor_id)).toEqual(['known', 'known']);
    // `ready` means "known and validated": it fires for a stored visitor too, after validation.
    expect(ready).toHaveBeenCalledTimes(1);
    expect(ready).toHaveBeenCalledWith({ visitorId: 'known' });
  });

  it('replaces a stored visitor the server does not know (404): removes it, creates and stores a new one', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    storeVisitor(local, 'forgotten');
    const { client } = make({}, { local });
    await client.send('hello');
    const messages = await settled(client, 2);
    expect(wire(backend)).toEqual(['validate', 'visitor', 'session', 'stream']);
    const fresh_id = client.getState().visitorId!;
    expect(fresh_id).not.toBe('forgotten');
    expect(stored(local, 'chatsdk:visitor:')?.data.id).toBe(fresh_id);
    expect(backend.chats[0]?.body.visitor_id).toBe(fresh_id);
    expect(messages.map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('racing callers at start-up share one request: one visitor, not several', async () => {
    const backend = fresh();
    const { client } = make();
    const ids = await Promise.all([client.connect(), client.connect(), client.send('a'), client.newChat(), client.connect()]);
    await settled(client);
    expect(backend.count('POST', '/visitors/')).toBe(1);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[4]).toBe(ids[0]);
    expect(backend.visitors.size).toBe(1);
  });

  it('racing sends in two chats create one visitor, and a stored one is validated once', async () => {
    const backend = fresh();
    backend.visitors.add('known');
    const local = new MemoryStorage();
    storeVisitor(local, 'known');
    const { client } = make({ streaming: false }, { local });
    await client.send('first chat');
    await client.newChat();
    await client.send('second chat');
    await vi.waitFor(() => expect(backend.chats).toHaveLength(2));
    await vi.waitFor(() =>
      expect(
        client
          .getState()
          .chats.flatMap((c) => c.messages)
          .filter((m) => m.status === 'sent'),
      ).toHaveLength(4),
    );
    expect(backend.count('GET', '/validate/')).toBe(1);
    expect(backend.count('POST', '/visitors/')).toBe(0);
  });

  it('reset() while the stored visitor is being validated: the next message goes out as a new visitor, never the old one', async () => {
    const backend = fresh();
    backend.visitors.add('previous');
    const local = new MemoryStorage();
    storeVisitor(local, 'previous');
    const release = deferred();
    backend.once('validate', async () => {
      await release.promise;
      return envelope(200, { id: 'previous' });
    });
    const { client } = make({ maxRetries: 0 }, { local });
    await client.send('before the sign-out');
    client.reset();
    release.resolve();
    await client.send('after it');
    await settled(client, 2);
    expect(backend.chats.map((chat) => chat.body.message)).toEqual(['after it']);
    expect(backend.chats[0]!.body.visitor_id).not.toBe('previous');
    expect(stored(local, 'chatsdk:visitor:')).toEqual({ v: 1, data: { id: backend.chats[0]!.body.visitor_id } });
  });

  it('a visitor id stored for another API URL is not used', async () => {
    const backend = fresh();
    backend.visitors.add('other-api-visitor');
    const local = new MemoryStorage();
    storeVisitor(local, 'other-api-visitor', 'https://other.test');
    const { client } = make({}, { local });
    const id = await client.connect();
    expect(id).not.toBe('other-api-visitor');
    expect(wire(backend)).toEqual(['visitor']);
  });

  it('adopts the visitor another tab stored (storage event) instead of creating its own', async () => {
    vi.stubGlobal('window', new EventTarget());
    const backend = fresh();
    const local = new MemoryStorage();
    const tabA = make({}, { local }).client;
    const tabB = make({}, { local }).client;
    const first = await tabA.connect();
    expect(await tabB.connect()).toBe(first); // B validates A's visitor
    // The server forgets the visitor; tab A finds out first and replaces it.
    backend.visitors.clear();
    await tabA.send('from A');
    await settled(tabA, 2);
    const replaced = tabA.getState().visitorId!;
    expect(replaced).not.toBe(first);
    // The browser tells tab B about A's write.
    const key = [...local.map.keys()].find((k) => k.startsWith('chatsdk:visitor:'))!;
    window.dispatchEvent(storageEvent(key, local.map.get(key)!));
    expect(tabB.getState().visitorId).toBe(replaced);
    const before = backend.calls.length;
    await tabB.send('from B');
    await settled(tabB, 2);
    // B sent with A's visitor: no validation, no visitor of its own, no 404 round trip.
    expect(wire(backend).slice(before)).toEqual(['session', 'stream']);
    expect(backend.chats.at(-1)?.body.visitor_id).toBe(replaced);
    expect(backend.count('POST', '/visitors/')).toBe(2);
  });

  it('two tabs recovering a forgotten visitor at once create one visitor, not two (Web Locks)', async () => {
    // A LockManager like the browser's: one holder per name at a time, the others wait in order.
    const tails = new Map<string, Promise<unknown>>();
    const locks = {
      request<T>(name: string, work: () => Promise<T>): Promise<T> {
        const run = (tails.get(name) ?? Promise.resolve()).then(work, work);
        tails.set(
          name,
          run.catch(() => undefined),
        );
        return run;
      },
    };
    vi.stubGlobal('navigator', { onLine: true, locks });
    const backend = fresh();
    const local = new MemoryStorage();
    const tabA = make({}, { local }).client;
    const tabB = make({}, { local }).client;
    const first = await tabA.connect();
    expect(await tabB.connect()).toBe(first);
    backend.visitors.clear();
    await Promise.all([tabA.send('from A'), tabB.send('from B')]);
    await settled(tabA, 2);
    await settled(tabB, 2);
    expect(backend.count('POST', '/visitors/')).toBe(2); // the first one, and one replacement
    expect(tabA.getState().visitorId).toBe(tabB.getState().visitorId);
    expect(tabA.getState().messages.map((m) => m.status)).toEqual(['sent', 'sent']);
    expect(tabB.getState().messages.map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('without a storage event, a tab still picks up the id another tab stored (validates it, creates none)', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    const tabA = make({}, { local }).client;
    const tabB = make({}, { local }).client;
    await tabA.connect();
    await tabB.connect();
    backend.visitors.clear();
    await tabA.send('from A');
    await settled(tabA, 2);
    const replaced = tabA.getState().visitorId;
    const before = backend.calls.length;
    await tabB.send('from B');
    await settled(tabB, 2);
    expect(wire(backend).slice(before)).toEqual(['validate', 'session', 'stream']);
    expect(backend.chats.at(-1)?.body.visitor_id).toBe(replaced);
    expect(backend.count('POST', '/visitors/')).toBe(2);
  });

  it('a visitor that cannot be created leaves the message failed with its text, and retry() sends it later', async () => {
    const backend = fresh();
    backend.once('visitors', () => envelope(500, undefined, 'database down'));
    const { client } = make();
    const errors = vi.fn();
    client.on('error', errors);
    const message = await client.send('keep me');
    const [failed] = await settled(client, 1);
    expect(failed).toMatchObject({ id: message.id, text: 'keep me', status: 'failed', error: { status: 500, message: 'database down' } });
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ messageId: message.id }));
    await client.retry(message.id);
    const after = await settled(client, 2);
    expect(after.map((m) => m.status)).toEqual(['sent', 'sent']);
    expect(backend.chats.map((c) => c.body.client_message_id)).toEqual([message.id]);
  });

  it('connect() reports a failure to create the visitor as the client error, and clears it on success', async () => {
    const backend = fresh();
    backend.once('visitors', () => envelope(500, undefined, 'nope'));
    const { client } = make();
    await expect(client.connect()).rejects.toMatchObject({ name: 'ChatError', status: 500 });
    expect(client.getState().error).toMatchObject({ status: 500, message: 'nope' });
    await client.connect();
    expect(client.getState().error).toBeNull();
  });

  it('the visitor id is never sent with the API key to visitor or session endpoints, and goes into a path only when it can', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    storeVisitor(local, 'a:b~c@d.e');
    const { client } = make({}, { local });
    await client.send('x');
    await settled(client, 2);
    expect(backend.calls[0]?.path).toBe('/api/chats/visitors/a%3Ab~c%40d.e/validate/');
    expect(backend.calls.filter((c) => !c.path.includes('/messages/')).every((c) => c.key === null)).toBe(true);
    expect(backend.calls.filter((c) => c.path.includes('/messages/')).every((c) => c.key === 'pk_test')).toBe(true);
  });
});

describe('ids that cannot go into a URL path', () => {
  for (const stored of ['..', '.', 'a/b?c', '../../admin', 'x'.repeat(201)]) {
    it(`a stored visitor id ${JSON.stringify(stored.slice(0, 20))} is not used: a new visitor is made, and no request climbs out of its path`, async () => {
      const backend = fresh();
      const local = new MemoryStorage();
      storeVisitor(local, stored);
      const { client } = make({}, { local });
      await client.send('x');
      await settled(client, 2);
      expect(backend.calls[0]).toMatchObject({ method: 'POST', path: '/api/chats/visitors/' });
      expect(backend.calls.every((call) => call.path.startsWith('/api/chats/') && !/\/\.\.?\//.test(call.path))).toBe(true);
    });
  }

  it('a session id from the server that cannot go into a path fails the message with a clear error and Retry; no request uses it', async () => {
    const backend = fresh();
    backend.once('sessions', () => envelope(201, { id: '..' }));
    const { client } = make({ maxRetries: 0 });
    await client.send('hello');
    const [message] = await settled(client, 1);
    expect(message).toMatchObject({
      text: 'hello',
      status: 'failed',
      error: { code: 'protocol', message: 'The session id ".." cannot be used in a request.' },
    });
    expect(backend.calls.every((call) => !/\/\.\.?\//.test(call.path))).toBe(true);
    await client.retry(message!.id);
    expect((await settled(client, 2)).map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('a stored chat whose session id cannot go into a path is not reused: the next message starts a new session', async () => {
    const backend = fresh();
    const { client, local, tab } = make();
    await client.send('first');
    await settled(client, 2);
    client.destroy();
    const key = [...tab.map.keys()].find((name) => name.startsWith('chatsdk:chats:'))!;
    tab.setItem(key, tab.getItem(key)!.replace(/"sessionId":"[^"]+"/, '"sessionId":"../../admin"'));
    const before = wire(backend).length;
    const again = make({}, { local, tab }).client;
    await again.send('second');
    await settled(again, 4);
    // A new session first: no request ever carries the stored id, in a path or a body.
    expect(wire(backend).slice(before)).toEqual(['validate', 'session', 'stream']);
    expect(backend.calls.every((call) => !call.path.includes('admin'))).toBe(true);
  });

  it('feedback for an answer whose id cannot go into a path is refused with a clear error, and nothing is sent', async () => {
    const backend = fresh();
    backend.once('chat', () => envelope(200, { response: 'Hi', message_id: 'm1', response_id: '..', session_id: 'ignored' }));
    const { client } = make({ streaming: false });
    await client.send('help');
    const [, answer] = await settled(client, 2);
    await expect(client.feedback(answer!.id, 'up')).rejects.toMatchObject({
      code: 'protocol',
      message: 'The answer id ".." cannot be used in a request.',
    });
    expect(backend.ratings).toEqual([]);
    expect(client.getState().messages[1]!.feedback).toBeUndefined();
  });

  it('a visitor id from the server that cannot go into a path is refused with a clear error', async () => {
    const backend = fresh();
    backend.once('visitors', () => envelope(201, { id: '..' }));
    const { client } = make({ maxRetries: 0 });
    await expect(client.connect()).rejects.toMatchObject({ code: 'protocol', message: 'The visitor id ".." cannot be used in a request.' });
    expect(backend.calls.some((call) => call.path.includes('/validate/'))).toBe(false);
  });
});
