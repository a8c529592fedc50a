// What the core keeps for the window's message times and suggested questions: a message's time (the client's
// clock when made here, the server's once the history names it, kept across a reload), and the follow-up
// suggestions a finished answer carries (from the stream's `done` event or the plain answer, checked, stored).
import { describe, expect, it, vi } from 'vitest';
import { envelope, sseBody, sseResponse } from '../helpers/contract-server';
import { advance, fakeTimers, flush, MemoryStorage, settled, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

describe('message times', () => {
  it("the client's clock when made, kept across a reload, then the server's created_at once the history names the message", async () => {
    fakeTimers();
    vi.setSystemTime(new Date('2030-05-04T10:20:30.000Z'));
    const backend = fresh();
    const tab = new MemoryStorage();
    const local = new MemoryStorage();
    const first = make({ live: 'off' }, { tab, local }).client;
    await first.send('hi');
    await flush();
    const made = first.getState().messages.map((m) => `${m.author}@${m.createdAt}`);
    expect(made).toEqual(['visitor@2030-05-04T10:20:30.000Z', 'assistant@2030-05-04T10:20:30.000Z']);
    first.destroy();

    vi.setSystemTime(new Date('2030-05-05T08:00:00.000Z'));
    const again = make({}, { tab, local }).client;
    expect(again.getState().messages.map((m) => `${m.author}@${m.createdAt}`)).toEqual(made);
    // The server stamped them a little later than this tab's clock said.
    const sessionId = again.getState().chats[0]!.sessionId!;
    const copies = backend.history.get(sessionId)!;
    copies[0]!.created_at = '2030-05-04T10:20:31.250Z';
    copies[1]!.created_at = '2030-05-04T10:20:32.500Z';
    again.setPresence({ open: true, pageVisible: true });
    await advance(100);
    expect(again.getState().messages.map((m) => m.createdAt)).toEqual(['2030-05-04T10:20:31.250Z', '2030-05-04T10:20:32.500Z']);
  });
});

describe('follow-up suggestions', () => {
  it("the stream's done event: usable texts kept on the answer as given (no blanks, no non-text, none over 200 characters), at most 4", async () => {
    const backend = fresh();
    const offered = ['Show me code', ' ', 42, 'x'.repeat(201), ' Track my order ', 'A', 'B', 'C'];
    backend.once('stream', () => sseResponse(sseBody(['Sure', '.'], { end: { response_id: 'r1', suggestions: offered } })));
    const { client } = make();
    await client.send('hello');
    const [question, answer] = await settled(client, 2);
    expect(answer).toMatchObject({
      text: 'Sure.',
      status: 'sent',
      serverId: 'r1',
      suggestions: ['Show me code', ' Track my order ', 'A', 'B'],
    });
    expect(question!.suggestions).toBeUndefined();
  });

  it('only the done event offers them; an answer without any has none', async () => {
    const backend = fresh();
    backend.once('stream', () =>
      sseResponse(
        'data: {"chunk":"one","done":false,"suggestions":["Too early"]}\n\ndata: {"chunk":" two","done":true,"suggestions":"not a list"}\n\n',
      ),
    );
    const { client } = make();
    await client.send('hello');
    const [, answer] = await settled(client, 2);
    expect(answer!.text).toBe('one two');
    expect('suggestions' in answer!).toBe(false);
  });

  it('the plain answer (streaming: false) carries them too; they survive a reload, and a stored list that is not one is dropped', async () => {
    const backend = fresh();
    backend.once('chat', (_request, body) =>
      envelope(200, { response: 'Done.', message_id: 'm1', response_id: 'r1', session_id: body.session_id, suggestions: ['What else?'] }),
    );
    const tab = new MemoryStorage();
    const local = new MemoryStorage();
    const first = make({ streaming: false }, { tab, local }).client;
    await first.send('hello');
    const [, answer] = await settled(first, 2);
    expect(answer!.suggestions).toEqual(['What else?']);
    first.destroy();
    expect(make({}, { tab, local }).client.getState().messages[1]!.suggestions).toEqual(['What else?']);

    const [key, value] = [...tab.map].find(([name]) => name.includes('chats'))!;
    tab.map.set(key, value.replace('["What else?"]', '{"0":"What else?"}'));
    expect(make({}, { tab, local }).client.getState().messages[1]!.suggestions).toBeUndefined();
  });
});
