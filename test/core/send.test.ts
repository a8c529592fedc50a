import { HttpResponse, http } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../src/core';
import { controlledStream } from '../helpers/contract-server';
import { API, KEY, settled, texts, useCoreHarness, wire } from './harness';

const { fresh, make, server } = useCoreHarness();

describe('send', () => {
  it('streaming: the exact wire body, the key, and an answer that grows chunk by chunk', async () => {
    const backend = fresh();
    backend.setReply(() => ['Hel', 'lo ', 'there']);
    const { client } = make();
    const seen: string[] = [];
    client.on('message', ({ message }) => {
      if (message.author === 'assistant') seen.push(`${message.status}:${message.text}`);
    });
    const question = await client.send('Hello, how can you help?  ');
    expect(question).toMatchObject({ author: 'visitor', text: 'Hello, how can you help?' });
    const [q, a] = await settled(client, 2);
    const sent = backend.chats[0]!;
    expect(sent.path).toBe('/api/chats/messages/chat/stream/');
    expect(sent.key).toBe(KEY);
    expect(sent.body).toEqual({
      message: 'Hello, how can you help?',
      session_id: client.getState().chats[0]?.sessionId,
      visitor_id: client.getState().visitorId,
      client_message_id: question.id,
    });
    expect(q).toMatchObject({ id: question.id, status: 'sent' });
    expect(a).toMatchObject({ author: 'assistant', text: 'Hello there', status: 'sent', replyTo: question.id });
    expect(seen).toEqual(['streaming:', 'streaming:Hel', 'streaming:Hello ', 'streaming:Hello there', 'sent:Hello there']);
  });

  it('streaming: server ids from the final event are kept', async () => {
    const backend = fresh();
    const { client } = make();
    backend.once('stream', () => {
      const s = controlledStream();
      s.push('data: {"chunk":"ok","done":false}\n\n');
      s.push('data: {"chunk":"","done":true,"message_id":"m-9","response_id":"r-9"}\n\n');
      s.close();
      return s.response();
    });
    await client.send('x');
    const [q, a] = await settled(client, 2);
    expect(q?.serverId).toBe('m-9');
    expect(a).toMatchObject({ text: 'ok', serverId: 'r-9' });
  });

  it('non-streaming: posts to /chat/ with the same body shape and keeps the server ids', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    const question = await client.send('plain');
    const [q, a] = await settled(client, 2);
    expect(wire(backend)).toEqual(['visitor', 'session', 'chat']);
    expect(backend.chats[0]).toMatchObject({ path: '/api/chats/messages/chat/', key: KEY });
    expect(Object.keys(backend.chats[0]!.body).sort()).toEqual(['client_message_id', 'message', 'session_id', 'visitor_id']);
    expect(backend.chats[0]!.body.client_message_id).toBe(question.id);
    expect(q).toMatchObject({ status: 'sent', serverId: expect.stringMatching(/^m\d+$/) });
    expect(a).toMatchObject({ author: 'assistant', text: 'You said: plain', status: 'sent', serverId: expect.stringMatching(/^r\d+$/) });
  });

  it.each([`${API}/`, `${API}///`, ` ${API} `])('apiUrl %j: a trailing slash (or spaces) does not change the paths', async (apiUrl) => {
    const backend = fresh();
    const { client } = make({ apiUrl });
    await client.send('x');
    await settled(client, 2);
    expect(backend.calls.map((c) => c.path)).toEqual(['/api/chats/visitors/', '/api/chats/sessions/', '/api/chats/messages/chat/stream/']);
  });

  it('an apiUrl with a base path keeps it', async () => {
    const backend = fresh();
    const paths: string[] = [];
    server.use(
      http.all('https://gw.test/*', ({ request }) => {
        paths.push(new URL(request.url).pathname);
        return HttpResponse.json({ success: false, message: 'nope' }, { status: 500 });
      }),
    );
    const { client } = make({ apiUrl: 'https://gw.test/chat-api/' });
    await client.send('x');
    await settled(client, 1);
    expect(paths).toEqual(['/chat-api/api/chats/visitors/']);
    expect(backend.calls).toEqual([]);
  });

  it('several quick sends go out one at a time, in order, each answered under its question', async () => {
    const backend = fresh();
    const { client } = make();
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) ids.push((await client.send(text)).id);
    const messages = await settled(client, 6);
    expect(backend.chats.map((c) => c.body.message)).toEqual(['one', 'two', 'three']);
    expect(backend.chats.map((c) => c.body.client_message_id)).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    expect(texts(messages)).toEqual([
      'visitor:one:sent',
      'assistant:You said: one:sent',
      'visitor:two:sent',
      'assistant:You said: two:sent',
      'visitor:three:sent',
      'assistant:You said: three:sent',
    ]);
  });

  it('the visitor message is on the transcript at once, before any answer', async () => {
    fresh();
    const { client } = make();
    const message = await client.send('instant');
    expect(client.getState().messages.map((m) => m.id)).toEqual([message.id]);
    expect(['queued', 'sending']).toContain(client.getState().messages[0]?.status);
    await settled(client, 2);
  });

  it('the transcript keeps what the visitor typed exactly (markup, unicode, inner whitespace)', async () => {
    const backend = fresh();
    const { client } = make({ streaming: false });
    const text = '  <b>hi</b> **x** 👩‍👩‍👧 漢字\n\tline two';
    await client.send(text);
    await settled(client, 2);
    expect(client.getState().messages[0]?.text).toBe(text);
    expect(backend.chats[0]?.body.message).toBe(text);
  });

  it('the state is a new immutable snapshot after each change; subscribers get every one', async () => {
    fresh();
    const { client } = make();
    const snapshots: ChatMessage[][] = [];
    client.subscribe((state) => snapshots.push([...state.messages]));
    const before = client.getState();
    await client.send('x');
    await settled(client, 2);
    const after = client.getState();
    expect(after).not.toBe(before);
    expect(before.messages).toEqual([]);
    expect(snapshots.length).toBeGreaterThan(2);
    expect(snapshots.at(-1)?.map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('options are validated: missing apiKey or a bad apiUrl throw an OptionError naming the option', () => {
    expect(() => make({ apiKey: '' })).toThrow(/apiKey/);
    expect(() => make({ apiUrl: 'api.example.com' })).toThrow(/apiUrl/);
    expect(() => make({ apiUrl: 'javascript:alert(1)' })).toThrow(/apiUrl/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(() => make({ maxRetries: -1, requestTimeout: Number.NaN })).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
