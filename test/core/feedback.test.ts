import { describe, expect, it } from 'vitest';
import { envelope } from '../helpers/contract-server';
import { KEY, settled, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

describe('feedback()', () => {
  it("POSTs rating, comment, visitor and session to the answer's response_id with the key, once; the answer shows it; an event tells", async () => {
    const backend = fresh();
    const { client } = make();
    await client.send('help');
    const [, answer] = await settled(client, 2);
    const seen: unknown[] = [];
    client.on('feedback', (e) => seen.push(e));
    const chat = client.getState().chats[0]!;
    await Promise.all([client.feedback(answer!.id, 'down', '  Not what I asked  '), client.feedback(answer!.id, 'down')]);
    await client.feedback(answer!.id, 'up');
    expect(backend.ratings).toEqual([
      {
        responseId: answer!.serverId,
        key: KEY,
        body: { rating: 'down', comment: 'Not what I asked', visitor_id: chat.visitorId, session_id: chat.sessionId },
      },
    ]);
    expect(client.getState().messages[1]!.feedback).toEqual({ rating: 'down', comment: 'Not what I asked' });
    expect(seen).toEqual([{ chatId: chat.id, messageId: answer!.id, rating: 'down', comment: 'Not what I asked' }]);
  });

  it('a failed request rejects and leaves the answer unrated, so it can be given again', async () => {
    const backend = fresh();
    const { client } = make();
    await client.send('help');
    const [, answer] = await settled(client, 2);
    backend.once('feedback', () => envelope(400, undefined, 'rating must be up or down'));
    await expect(client.feedback(answer!.id, 'up')).rejects.toMatchObject({ status: 400, message: 'rating must be up or down' });
    expect(client.getState().messages[1]!.feedback).toBeUndefined();
    await client.feedback(answer!.id, 'up');
    expect(client.getState().messages[1]!.feedback).toEqual({ rating: 'up' });
    expect(backend.ratings).toHaveLength(2);
  });

  it('refuses what cannot be rated: a visitor message, an unknown id, a bad rating, an answer without a server id', async () => {
    const backend = fresh();
    backend.once(
      'stream',
      () => new Response('data: {"chunk":"no ids","done":true}\n\n', { headers: { 'content-type': 'text/event-stream' } }),
    );
    const { client } = make();
    await client.send('help');
    const [question, answer] = await settled(client, 2);
    expect(answer!.serverId).toBeUndefined();
    for (const [id, rating] of [
      [question!.id, 'up'],
      ['nope', 'up'],
      [answer!.id, 'up'],
      [answer!.id, 'meh'],
    ] as const) {
      await expect(client.feedback(id, rating as 'up')).rejects.toMatchObject({ code: 'invalid-input' });
    }
    expect(backend.ratings).toEqual([]);
  });
});
