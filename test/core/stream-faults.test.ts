import { describe, expect, it, vi } from 'vitest';
import { controlledStream, envelope } from '../helpers/contract-server';
import { advance, fakeTimers, flush, settled, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

/**
 * After one finished exchange, ask 'q' and answer it with a stream the test holds (fake timers from
 * here on), with a 5 s idle timeout and the given first-byte timeout.
 */
async function askOverHeldStream(streamFirstByteTimeout: number) {
  const backend = fresh();
  const { client } = make({ streamIdleTimeout: 5000, streamFirstByteTimeout });
  await client.send('warm');
  await settled(client, 2);
  fakeTimers();
  const s = controlledStream();
  backend.once('stream', (request) => s.response(request));
  await client.send('q');
  return { backend, client, s };
}

const view = (messages: readonly { author: string; text: string; status: string; stopped?: boolean }[]) =>
  messages.map((m) => `${m.author}:${m.text}:${m.status}${m.stopped ? ':stopped' : ''}`);

describe('interrupted streams', () => {
  it('a cut stream keeps the partial answer, marks it failed (interrupted), and the question stays sent', async () => {
    const backend = fresh();
    const { client } = make();
    const s = controlledStream();
    backend.once('stream', (request) => s.response(request));
    const errors = vi.fn();
    client.on('error', errors);
    const question = await client.send('tell me a story');
    s.chunk('Once upon ');
    s.chunk('a time');
    await vi.waitFor(() => expect(client.getState().messages[1]?.text).toBe('Once upon a time'));
    s.cut();
    const messages = await settled(client, 2);
    expect(view(messages)).toEqual(['visitor:tell me a story:sent', 'assistant:Once upon a time:failed']);
    expect(messages[1]?.error).toMatchObject({ code: 'interrupted', retryable: true });
    expect(errors).toHaveBeenCalledWith({ error: expect.objectContaining({ code: 'interrupted' }), messageId: messages[1]?.id });
    expect(messages[1]?.replyTo).toBe(question.id);
    expect(client.getState().status).toBe('idle');
  });

  it('retry() on the interrupted answer replaces it: ONE assistant message, same client_message_id', async () => {
    const backend = fresh();
    const { client } = make();
    backend.once('stream', () => {
      const s = controlledStream();
      s.chunk('partial');
      s.close(); // clean close without done
      return s.response();
    });
    const question = await client.send('q');
    const [, broken] = await settled(client, 2);
    expect(broken).toMatchObject({ text: 'partial', status: 'failed' });
    await client.retry(broken!.id);
    const messages = await settled(client, 2);
    expect(view(messages)).toEqual(['visitor:q:sent', 'assistant:You said: q:sent']);
    expect(messages[1]?.id).toBe(broken!.id);
    expect(messages[1]?.error).toBeUndefined();
    expect(backend.chats.map((c) => c.body.client_message_id)).toEqual([question.id, question.id]);
  });

  it('retry() by the question id works the same, and a retry while one is pending does nothing', async () => {
    const backend = fresh();
    const { client } = make();
    backend.once('stream', () => {
      const s = controlledStream();
      s.cut();
      return s.response();
    });
    const question = await client.send('q');
    await settled(client, 2);
    await client.retry(question.id);
    await client.retry(question.id);
    await settled(client, 2);
    expect(backend.chats).toHaveLength(2);
    expect(client.getState().messages.filter((m) => m.author === 'assistant')).toHaveLength(1);
  });

  it('retry() of an unknown id is a no-op', async () => {
    const backend = fresh();
    const { client } = make();
    await client.retry('nope');
    await flush();
    expect(backend.calls).toEqual([]);
  });

  it('event: error mid-stream shows the server message and keeps the partial', async () => {
    const backend = fresh();
    const { client } = make();
    backend.once('stream', () => {
      const s = controlledStream();
      s.chunk('so far ');
      s.push('event: error\ndata: {"message":"The model is overloaded"}\n\n');
      return s.response();
    });
    await client.send('q');
    const messages = await settled(client, 2);
    expect(messages[1]).toMatchObject({
      text: 'so far ',
      status: 'failed',
      error: { code: 'interrupted', message: 'The model is overloaded' },
    });
  });

  it('stop() aborts the stream (the server sees the connection close) and keeps the partial, marked stopped', async () => {
    const backend = fresh();
    const { client } = make();
    const s = controlledStream();
    backend.once('stream', (request) => s.response(request));
    const errors = vi.fn();
    client.on('error', errors);
    await client.send('q');
    s.chunk('tok ');
    s.chunk('tok');
    await vi.waitFor(() => expect(client.getState().messages[1]?.text).toBe('tok tok'));
    expect(client.getState().status).toBe('streaming');
    client.stop();
    await vi.waitFor(() => expect(s.cancelled).toBe(true));
    const messages = await settled(client, 2);
    expect(view(messages)).toEqual(['visitor:q:sent', 'assistant:tok tok:sent:stopped']);
    expect(messages[1]?.error).toBeUndefined();
    expect(errors).not.toHaveBeenCalled();
    expect(client.getState().status).toBe('idle');
    s.chunk('late'); // anything the server still pushes is ignored
    await flush();
    expect(client.getState().messages[1]?.text).toBe('tok tok');
  });

  it('stop() before the answer started fails the question with "Stopped", text kept, retryable', async () => {
    const backend = fresh();
    const { client } = make();
    await client.send('warm');
    await settled(client, 2);
    backend.once('stream', () => new Promise(() => undefined));
    const question = await client.send('never mind');
    await vi.waitFor(() => expect(backend.chats).toHaveLength(2));
    client.stop();
    const messages = await settled(client, 3);
    expect(messages[2]).toMatchObject({
      id: question.id,
      text: 'never mind',
      status: 'failed',
      error: { code: 'aborted', retryable: true },
    });
  });

  it('a stopped answer can be asked again with retry(): it is replaced, not duplicated', async () => {
    const backend = fresh();
    const { client } = make();
    const s = controlledStream();
    backend.once('stream', (request) => s.response(request));
    await client.send('q');
    s.chunk('half');
    await vi.waitFor(() => expect(client.getState().messages[1]?.text).toBe('half'));
    client.stop();
    const [, stopped] = await settled(client, 2);
    await client.retry(stopped!.id);
    const messages = await settled(client, 2);
    expect(view(messages)).toEqual(['visitor:q:sent', 'assistant:You said: q:sent']);
  });

  it('idle timeout: a stream that goes silent is cut off as interrupted, partial kept, no spinner left', async () => {
    const { client, s } = await askOverHeldStream(10_000);
    await flush();
    s.chunk('start');
    await advance(4000, 500);
    expect(client.getState().messages.at(-1)).toMatchObject({ text: 'start', status: 'streaming' });
    await advance(1500, 500);
    expect(client.getState().messages.at(-1)).toMatchObject({ text: 'start', status: 'failed', error: { code: 'interrupted' } });
    expect(client.getState().status).toBe('idle');
  });

  it('first-byte timeout: headers arrive but no byte of the body -> interrupted, nothing re-sent by itself', async () => {
    const { backend, client } = await askOverHeldStream(8000);
    await advance(7500, 500);
    expect(client.getState().messages.at(-1)?.status).toBe('streaming');
    await advance(1000, 500);
    expect(client.getState().messages.at(-1)).toMatchObject({ text: '', status: 'failed', error: { code: 'interrupted' } });
    await advance(60_000, 5000);
    expect(backend.count('POST', '/stream/')).toBe(2);
  });

  it('a stream that opens with an error status is handled like any failed send (text kept)', async () => {
    const backend = fresh();
    const { client } = make();
    backend.once('stream', () => envelope(500, undefined, 'boom'));
    await client.send('q');
    const messages = await settled(client, 1);
    expect(messages[0]).toMatchObject({ status: 'failed', text: 'q', error: { status: 500, message: 'boom' } });
  });

  it('destroy() mid-stream cancels it, and nothing is emitted afterwards', async () => {
    const backend = fresh();
    const { client } = make();
    const s = controlledStream();
    backend.once('stream', (request) => s.response(request));
    await client.send('q');
    s.chunk('a');
    await vi.waitFor(() => expect(client.getState().messages[1]?.text).toBe('a'));
    const after = vi.fn();
    client.on('message', after);
    client.subscribe(after);
    client.destroy();
    await vi.waitFor(() => expect(s.cancelled).toBe(true));
    s.chunk('b');
    await flush();
    expect(after).not.toHaveBeenCalled();
    await expect(client.send('more')).rejects.toMatchObject({ code: 'aborted' });
  });
});
