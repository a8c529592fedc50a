import { describe, expect, it, vi } from 'vitest';
import { ChatError } from '../../src/core';
import { envelope } from '../helpers/contract-server';
import { KEY, MemoryStorage, settled, stored, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

describe('identify()', () => {
  it('PATCHes the visitor with the key: metadata, external_user_id and identity_signature; marks the visitor identified', async () => {
    const backend = fresh();
    const { client, local } = make();
    expect(client.getState().identified).toBe(false);
    await client.identify({ name: ' Ada ', email: 'ada@example.com', plan: 'pro', externalUserId: 'user-42' }, { signature: 'abc123' });
    const visitorId = client.getState().visitorId!;
    expect(backend.calls.find((c) => c.method === 'PATCH')).toEqual({
      method: 'PATCH',
      path: `/api/chats/visitors/${visitorId}/`,
      key: KEY,
    });
    expect(backend.updates.get(visitorId)).toEqual([
      { metadata: { name: 'Ada', email: 'ada@example.com', plan: 'pro' }, external_user_id: 'user-42', identity_signature: 'abc123' },
    ]);
    expect(client.getState().identified).toBe(true);
    expect(stored(local, 'chatsdk:profile:')?.data).toEqual({ visitorId, identified: true, externalUserId: 'user-42' });
  });

  it('is remembered for that visitor on this device: a new client (reload) is identified without asking', async () => {
    fresh();
    const local = new MemoryStorage();
    const first = make({}, { local }).client;
    await first.identify({ email: 'ada@example.com' });
    first.destroy();
    const again = make({}, { local }).client;
    expect(again.getState().identified).toBe(true);
  });

  it('attributes only (no name, email or phone) do not count as contact details', async () => {
    const backend = fresh();
    const { client } = make();
    await client.identify({ plan: 'pro' });
    expect(backend.updates.size).toBe(1);
    expect(client.getState().identified).toBe(false);
  });

  it('refuses a bad email or phone, or a non-string attribute, before any request, naming the value', async () => {
    const backend = fresh();
    const { client } = make();
    await expect(client.identify({ email: 'ada@' })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('"ada@" is not an email'),
    });
    await expect(client.identify({ phone: '12ab' })).rejects.toMatchObject({
      message: expect.stringContaining('"12ab" is not a phone number'),
    });
    await expect(client.identify({ age: 42 as unknown as string })).rejects.toMatchObject({
      message: expect.stringContaining('"age" must be a string'),
    });
    await expect(client.identify(null as never)).rejects.toBeInstanceOf(ChatError);
    expect(backend.calls).toEqual([]);
    await client.identify({ phone: '+380 (67) 123-45-67' });
    expect(backend.updates.size).toBe(1);
  });

  it('a visitor the server forgot (404) is replaced once and the details go to the new one', async () => {
    const backend = fresh();
    const { client } = make();
    await client.connect();
    const old = client.getState().visitorId!;
    backend.visitors.delete(old);
    await client.identify({ name: 'Ada' });
    const now = client.getState().visitorId!;
    expect(now).not.toBe(old);
    expect(backend.updates.get(now)).toEqual([{ metadata: { name: 'Ada' } }]);
    expect(client.getState().identified).toBe(true);
  });

  it('a refused signature (403) rejects with the server message and leaves the visitor unidentified', async () => {
    const backend = fresh();
    const { client, local } = make();
    backend.once('identify', () => envelope(403, undefined, 'identity_signature does not match external_user_id'));
    await expect(client.identify({ name: 'Ada', externalUserId: 'u1' }, { signature: 'forged' })).rejects.toMatchObject({
      status: 403,
      message: 'identity_signature does not match external_user_id',
    });
    expect(client.getState().identified).toBe(false);
    expect(stored(local, 'chatsdk:profile:')).toBeNull();
  });

  it('another signed-in user on this device starts afresh: no visitor, chat or transcript of the first carries over', async () => {
    const backend = fresh();
    const { client } = make();
    await client.identify({ name: 'Ada', externalUserId: 'ada' });
    await client.send('private to Ada');
    await settled(client, 2);
    const ada = client.getState().visitorId;
    await client.identify({ name: 'Bob', externalUserId: 'bob' });
    expect(client.getState().visitorId).not.toBe(ada);
    expect(client.getState().messages).toEqual([]);
    expect(client.getState().chats).toHaveLength(1);
    expect(backend.updates.get(client.getState().visitorId!)).toEqual([{ metadata: { name: 'Bob' }, external_user_id: 'bob' }]);
  });
});

describe('reset()', () => {
  it('forgets the visitor, its chats and the transcript: storage holds no visitor data, the next send starts a new visitor', async () => {
    const backend = fresh();
    const { client, local, tab } = make();
    await client.identify({ email: 'ada@example.com' });
    await client.send('hello');
    await settled(client, 2);
    const before = client.getState().visitorId;
    const chats: string[] = [];
    client.on('chat', ({ chatId }) => chats.push(chatId));

    client.reset();
    expect(client.getState()).toMatchObject({ visitorId: null, messages: [], identified: false, unread: 0 });
    expect([...local.map.keys()]).toEqual([]);
    expect([...tab.map.keys()]).toEqual([]);
    expect(chats).toEqual([client.getState().currentChatId]);

    await client.send('I am someone else');
    await settled(client, 2);
    expect(client.getState().visitorId).not.toBe(before);
    expect(backend.chats.at(-1)?.body.visitor_id).toBe(client.getState().visitorId);
  });

  it('a message in flight is dropped without an error event (the visitor signed out)', async () => {
    const backend = fresh();
    const { client } = make();
    backend.once('stream', () => new Promise<Response>(() => undefined));
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    await client.send('going nowhere');
    await expect.poll(() => client.getState().status).toBe('sending');
    client.reset();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(client.getState().messages).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('another tab hears it (storage event) and forgets its chats too', async () => {
    vi.stubGlobal('window', new EventTarget());
    fresh();
    const local = new MemoryStorage();
    const writes: [string, string][] = [];
    const write = local.setItem.bind(local);
    local.setItem = (key: string, value: string) => {
      writes.push([key, value]);
      write(key, value);
    };
    const a = make({}, { local }).client;
    const b = make({}, { local }).client;
    await b.send('tab b');
    await settled(b, 2);
    a.reset();
    const [key, value] = writes.find(([k]) => k.startsWith('chatsdk:reset:'))!;
    expect(local.map.has(key)).toBe(false);
    // The browser tells tab B about A's write.
    window.dispatchEvent(Object.assign(new Event('storage'), { key, newValue: value, oldValue: null }));
    expect(b.getState()).toMatchObject({ visitorId: null, messages: [] });
    expect(b.getState().chats).toHaveLength(1);
  });
});
