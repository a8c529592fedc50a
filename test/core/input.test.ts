import { describe, expect, it } from 'vitest';
import { ChatError } from '../../src/core';
import { flush, settled, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

describe('visitor input', () => {
  it.each(['', ' ', '   \n\t  ', '\u00a0\u2003', '\r\n'])('blank input %j is rejected with invalid-input and never sent', async (text) => {
    const backend = fresh();
    const { client } = make();
    const error = await client.send(text).catch((e: unknown) => e);
    expect(ChatError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/type a message/i) });
    await flush();
    expect(client.getState().messages).toEqual([]);
    expect(backend.calls).toEqual([]);
  });

  it.each([undefined, null, 42, {}, ['hi']])('a non-string (%j) is rejected the same way', async (value) => {
    const backend = fresh();
    const { client } = make();
    await expect(client.send(value as unknown as string)).rejects.toMatchObject({ code: 'invalid-input' });
    await flush();
    expect(backend.calls).toEqual([]);
  });

  it('over maxMessageLength is refused with a message stating the limit; nothing is sent or stored', async () => {
    const backend = fresh();
    const { client, tab } = make({ maxMessageLength: 10 });
    const error = await client.send('12345678901').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('at most 10 characters') });
    expect((error as Error).message).toContain('11');
    await flush();
    expect(client.getState().messages).toEqual([]);
    expect(backend.calls).toEqual([]);
    expect([...tab.map.values()].join('')).not.toContain('12345678901');
  });

  it('exactly the limit is accepted; trailing whitespace does not count and is not sent', async () => {
    const backend = fresh();
    const { client } = make({ maxMessageLength: 10 });
    await client.send('1234567890   \n');
    await settled(client, 2);
    expect(backend.chats[0]?.body.message).toBe('1234567890');
  });

  it('the default limit is 4000 characters', async () => {
    fresh();
    const { client } = make();
    await expect(client.send('x'.repeat(4001))).rejects.toMatchObject({ message: expect.stringContaining('4000') });
    const ok = await client.send('x'.repeat(4000));
    expect(ok.text).toHaveLength(4000);
    await settled(client, 2);
  });

  it('a rejected message leaves the client fully usable', async () => {
    const backend = fresh();
    const { client } = make({ maxMessageLength: 5 });
    await client.send('   ').catch(() => undefined);
    await client.send('toolong').catch(() => undefined);
    await client.send('ok');
    await settled(client, 2);
    expect(backend.chats.map((c) => c.body.message)).toEqual(['ok']);
    expect(client.getState().error).toBeNull();
  });
});
