import { describe, expect, it, vi } from 'vitest';
import type { ChatClientEvents } from '../../src/core';
import { envelope } from '../helpers/contract-server';
import { flush, settled, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

describe('events', () => {
  it('on() returns an unsubscribe function; after it the handler is not called', async () => {
    fresh();
    const { client } = make();
    const kept = vi.fn();
    const dropped = vi.fn();
    client.on('message', kept);
    const off = client.on('message', dropped);
    off();
    off(); // twice is harmless
    await client.send('x');
    await settled(client, 2);
    expect(kept).toHaveBeenCalled();
    expect(dropped).not.toHaveBeenCalled();
  });

  it('subscribe() returns an unsubscribe function too', async () => {
    fresh();
    const { client } = make();
    const listener = vi.fn();
    const off = client.subscribe(listener);
    off();
    await client.send('x');
    await settled(client, 2);
    expect(listener).not.toHaveBeenCalled();
  });

  it('emits ready, message (added and updated), and status through a whole exchange', async () => {
    fresh();
    const { client } = make();
    const log: string[] = [];
    const on = <K extends keyof ChatClientEvents>(name: K, f: (e: ChatClientEvents[K]) => string) => client.on(name, (e) => log.push(f(e)));
    on('ready', (e) => `ready:${e.visitorId}`);
    on('status', (e) => `status:${e.status}`);
    on('message', (e) => `message:${e.message.author}:${e.message.status}:${e.message.text}`);
    const chatId = client.getState().currentChatId;
    const seenChat = vi.fn();
    client.on('message', (e) => seenChat(e.chatId));
    await client.send('hi');
    await settled(client, 2);
    const visitor = client.getState().visitorId!;
    expect(log).toContain(`ready:${visitor}`);
    expect(log[0]).toBe('message:visitor:queued:hi');
    expect(log).toContain('message:visitor:sent:hi');
    expect(log).toContain('message:assistant:streaming:');
    expect(log.filter((l) => l.startsWith('status:')).at(-1)).toBe('status:idle');
    expect(log.at(-1)).toBe('message:assistant:sent:You said: hi');
    expect(log.filter((l) => l.startsWith('status:'))).toEqual(
      expect.arrayContaining(['status:sending', 'status:streaming', 'status:idle']),
    );
    expect(log.indexOf(`ready:${visitor}`)).toBeLessThan(log.indexOf('message:visitor:sent:hi'));
    expect(new Set(seenChat.mock.calls.map(([id]) => id))).toEqual(new Set([chatId]));
  });

  it('emits error with the messageId for a failed message, and without one for a client error', async () => {
    const backend = fresh();
    const { client } = make();
    const errors = vi.fn();
    client.on('error', errors);
    backend.once('visitors', () => envelope(500, undefined, 'down'));
    await expect(client.connect()).rejects.toBeTruthy();
    expect(errors).toHaveBeenLastCalledWith({ error: expect.objectContaining({ status: 500, message: 'down' }) });
    backend.once('stream', () => envelope(500, undefined, 'chat down'));
    const m = await client.send('x');
    await settled(client, 1);
    expect(errors).toHaveBeenLastCalledWith({ error: expect.objectContaining({ message: 'chat down' }), messageId: m.id });
  });

  it('a throwing event handler does not break the client (or reach the caller), and is reported', async () => {
    fresh();
    const { client } = make();
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const name of ['message', 'status', 'ready', 'error', 'chat'] as const) {
      client.on(name, () => {
        throw new Error(`bad ${name} handler`);
      });
    }
    const after = vi.fn();
    client.on('message', after);
    await client.send('still works');
    const messages = await settled(client, 2);
    expect(messages.map((m) => m.status)).toEqual(['sent', 'sent']);
    expect(messages[1]?.text).toBe('You said: still works');
    expect(after).toHaveBeenCalled();
    expect(report).toHaveBeenCalled();
    await client.newChat();
  });

  it('a throwing subscribe() listener does not break sending or streaming either', async () => {
    fresh();
    const { client } = make();
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    client.subscribe(() => {
      throw new Error('bad listener');
    });
    const good = vi.fn();
    client.subscribe(good);
    await client.send('x');
    await client.send('y');
    const messages = await settled(client, 4);
    expect(messages.map((m) => m.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(messages[1]?.text).toBe('You said: x');
    expect(good).toHaveBeenCalled();
    expect(report).toHaveBeenCalled();
  });

  it('a handler may unsubscribe itself while being called', async () => {
    fresh();
    const { client } = make();
    const calls: string[] = [];
    const off = client.on('message', () => {
      calls.push('once');
      off();
    });
    client.on('message', () => calls.push('other'));
    await client.send('x');
    await settled(client, 2);
    expect(calls.filter((c) => c === 'once')).toHaveLength(1);
    expect(calls.filter((c) => c === 'other').length).toBeGreaterThan(1);
  });

  it('destroy() removes all handlers and listeners', async () => {
    fresh();
    const { client } = make();
    const handler = vi.fn();
    client.on('status', handler);
    client.subscribe(handler);
    client.destroy();
    client.destroy();
    await flush();
    expect(handler).not.toHaveBeenCalled();
    await expect(client.connect()).rejects.toMatchObject({ code: 'aborted' });
    await expect(client.newChat()).rejects.toMatchObject({ code: 'aborted' });
    await expect(client.retry('x')).rejects.toMatchObject({ code: 'aborted' });
    expect(() => client.stop()).not.toThrow();
  });
});
