import { describe, expect, it } from 'vitest';
import { controlledStream } from '../helpers/contract-server';
import { settled, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

describe('several chats in a tab', () => {
  it('switching away from a streaming answer keeps it streaming; it completes in its chat, which gets an unread dot', async () => {
    const backend = fresh();
    const { client, tab } = make();
    client.setPresence({ open: true, pageVisible: true });
    const stream = controlledStream();
    backend.once('stream', (request) => stream.response(request));
    await client.send('long question');
    stream.push('data: {"chunk":"Part one. ","done":false}\n\n');
    await expect.poll(() => client.getState().messages[1]?.text).toBe('Part one. ');
    const first = client.getState().currentChatId;

    const second = await client.newChat();
    expect(client.getState().messages).toEqual([]);
    stream.push('data: {"chunk":"Part two.","done":false}\n\n');
    stream.push('data: {"chunk":"","done":true,"response_id":"r-long"}\n\n');
    stream.close();
    const chatOne = () => client.getState().chats.find((c) => c.id === first)!;
    await expect.poll(() => chatOne().messages[1]?.status).toBe('sent');
    expect(chatOne().messages[1]!.text).toBe('Part one. Part two.');
    expect(chatOne().unread).toBe(1);
    // The window is open and in view: the launcher badge does not count it.
    expect(client.getState().unread).toBe(0);

    client.switchChat(first);
    expect(client.getState().currentChatId).toBe(first);
    expect(chatOne().unread).toBeUndefined();
    expect(JSON.parse([...tab.map.values()][0]!).data.chats.find((c: { id: string }) => c.id === first).unread).toBeUndefined();
    expect(client.getState().chats.map((c) => c.id)).toEqual([first, second]);
  });

  it('an answer in the current chat while the window is closed counts on its chat and on the badge, until opened', async () => {
    fresh();
    const { client } = make();
    await client.send('hi');
    await settled(client, 2);
    expect(client.getState().chats[0]!.unread).toBe(1);
    expect(client.getState().unread).toBe(1);
    client.setPresence({ open: true, pageVisible: true });
    expect(client.getState().chats[0]!.unread).toBeUndefined();
    expect(client.getState().unread).toBe(0);
  });
});
