import { describe, expect, it } from 'vitest';
import { envelope } from '../helpers/contract-server';
import { MemoryStorage, settled, stored, storeVisitor, useCoreHarness, wire } from './harness';

const { fresh, make } = useCoreHarness();

/** Send one message so visitor and session exist; returns the wire position after it. */
async function warmUp(client: ReturnType<typeof make>['client'], backend: ReturnType<typeof fresh>) {
  await client.send('warm-up');
  await settled(client, 2);
  return backend.calls.length;
}

describe.each([true, false])('seed-003 recovery (streaming: %s)', (streaming) => {
  const path = streaming ? 'stream' : 'chat';

  it('chat 404 "visitor not found" -> new visitor, new session, resend with the same client_message_id', async () => {
    const backend = fresh();
    const { client, local } = make({ streaming });
    const start = await warmUp(client, backend);
    const oldVisitor = client.getState().visitorId;
    backend.visitors.clear(); // the backend forgot the visitor (e.g. a data purge)
    const message = await client.send('after purge');
    const messages = await settled(client, 4);
    expect(wire(backend).slice(start)).toEqual([path, 'visitor', 'session', path]);
    const [failedTry, resend] = backend.chats.slice(-2).map((c) => c.body);
    expect(failedTry?.client_message_id).toBe(message.id);
    expect(resend?.client_message_id).toBe(message.id);
    expect(resend?.visitor_id).not.toBe(oldVisitor);
    expect(stored(local, 'chatsdk:visitor:')?.data.id).toBe(resend?.visitor_id);
    expect(messages.slice(2).map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('session creation 400 (unknown visitor) -> re-create the visitor and retry the session once', async () => {
    const backend = fresh();
    backend.visitors.add('stale');
    const local = new MemoryStorage();
    storeVisitor(local, 'stale');
    const { client } = make({ streaming }, { local });
    await client.connect();
    backend.visitors.delete('stale'); // validated, then forgotten before the session request
    await client.send('hi');
    const messages = await settled(client, 2);
    expect(wire(backend)).toEqual(['validate', 'session', 'visitor', 'session', path]);
    expect(backend.chats[0]?.body.visitor_id).not.toBe('stale');
    expect(messages.map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  it('chat 403 (visitor does not own the session) -> a new session for the same visitor, resend', async () => {
    const backend = fresh();
    const { client } = make({ streaming });
    const start = await warmUp(client, backend);
    const visitor = client.getState().visitorId;
    const oldSession = client.getState().chats[0]?.sessionId;
    backend.once(path, () => envelope(403, undefined, 'Visitor does not own this session'));
    await client.send('x');
    const messages = await settled(client, 4);
    expect(wire(backend).slice(start)).toEqual([path, 'session', path]);
    const resend = backend.chats.at(-1)!.body;
    expect(resend.visitor_id).toBe(visitor);
    expect(resend.session_id).not.toBe(oldSession);
    expect(messages.at(-1)?.status).toBe('sent');
  });

  it('chat 404 "session not found" -> a new session (the visitor is kept), resend', async () => {
    const backend = fresh();
    const { client } = make({ streaming });
    const start = await warmUp(client, backend);
    const visitor = client.getState().visitorId;
    backend.sessions.clear();
    await client.send('x');
    const messages = await settled(client, 4);
    expect(wire(backend).slice(start)).toEqual([path, 'session', path]);
    expect(backend.chats.at(-1)?.body.visitor_id).toBe(visitor);
    expect(backend.count('POST', '/visitors/')).toBe(1);
    expect(messages.at(-1)?.status).toBe('sent');
  });

  it('a 403 that keeps coming is recovered once, then the message fails with its text; retry() resends it', async () => {
    const backend = fresh();
    const { client } = make({ streaming });
    const start = await warmUp(client, backend);
    for (let i = 0; i < 5; i++) backend.once(path, () => envelope(403, undefined, 'Forbidden'));
    const message = await client.send('stubborn');
    const messages = await settled(client, 3);
    expect(wire(backend).slice(start)).toEqual([path, 'session', path]);
    expect(messages.at(-1)).toMatchObject({
      id: message.id,
      text: 'stubborn',
      status: 'failed',
      error: { code: 'http', status: 403, retryable: true },
    });
    expect(backend.pending(path)).toBe(3);
    // The fault goes away; the visitor retries by hand.
    backend.clearOnce();
    const before = backend.chats.length;
    await client.retry(message.id);
    const after = await settled(client, 4);
    expect(after.slice(2).map((m) => m.status)).toEqual(['sent', 'sent']);
    expect(backend.chats.slice(before).every((c) => c.body.client_message_id === message.id)).toBe(true);
  });

  it('"visitor not found" forever: each recovery runs at most once, then failed (no loop)', async () => {
    const backend = fresh();
    const { client } = make({ streaming });
    const start = await warmUp(client, backend);
    for (let i = 0; i < 10; i++) backend.once(path, () => envelope(404, undefined, "Visitor 'x' not found"));
    await client.send('x');
    const messages = await settled(client, 3);
    const chatCalls = wire(backend)
      .slice(start)
      .filter((c) => c === path).length;
    expect(chatCalls).toBeLessThanOrEqual(3);
    expect(backend.count('POST', '/visitors/')).toBe(2);
    expect(messages.at(-1)).toMatchObject({ status: 'failed', error: { status: 404 } });
  });

  it('session 400 twice: the visitor is re-created once, then the message fails (no loop)', async () => {
    const backend = fresh();
    const { client } = make({ streaming });
    backend.once('sessions', () => envelope(400, undefined, 'Visitor does not exist'));
    backend.once('sessions', () => envelope(400, undefined, 'Visitor does not exist'));
    await client.send('x');
    const messages = await settled(client, 1);
    expect(wire(backend)).toEqual(['visitor', 'session', 'visitor', 'session']);
    expect(messages[0]).toMatchObject({ text: 'x', status: 'failed', error: { status: 400 } });
  });

  it('recovery whose own request fails ends failed with the text kept, not stuck', async () => {
    const backend = fresh();
    const { client } = make({ streaming });
    const start = await warmUp(client, backend);
    backend.visitors.clear();
    backend.once('visitors', () => envelope(500, undefined, 'cannot create'));
    await client.send('still here');
    const messages = await settled(client, 3);
    expect(wire(backend).slice(start)).toEqual([path, 'visitor']);
    expect(messages.at(-1)).toMatchObject({ text: 'still here', status: 'failed', error: { status: 500 } });
  });

  it('401 (bad key) is not "recovered": no new visitor or session, a clear error', async () => {
    const backend = fresh();
    const { client } = make({ streaming, apiKey: 'pk_wrong' });
    await client.send('x');
    const messages = await settled(client, 1);
    expect(wire(backend)).toEqual(['visitor', 'session', path]);
    expect(messages[0]?.error).toMatchObject({ status: 401, message: 'Invalid API key' });
  });
});
