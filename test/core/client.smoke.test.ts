import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatClient } from '../../src/core';
import { createChatClient } from '../../src/core';
import { API, createTestServer, KEY, MemoryStorage } from '../helpers/contract-server';

const { server, fresh } = createTestServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

let client: ChatClient | undefined;
afterEach(() => client?.destroy());

const make = (extra: Partial<Parameters<typeof createChatClient>[0]> = {}) => {
  const local = new MemoryStorage();
  const tab = new MemoryStorage();
  client = createChatClient({ apiKey: KEY, apiUrl: `${API}/`, localStorage: local, sessionStorage: tab, ...extra });
  return { client, local, tab };
};

describe('createChatClient (smoke)', () => {
  it('streams an answer and persists the transcript', async () => {
    const backend = fresh();
    const { client, tab } = make();
    await client.send('hello');
    await vi.waitFor(() => expect(client.getState().messages.at(-1)?.status).toBe('sent'));
    const [question, answer] = client.getState().messages;
    expect(question).toMatchObject({ author: 'visitor', text: 'hello', status: 'sent' });
    expect(answer).toMatchObject({ author: 'assistant', text: 'You said: hello', status: 'sent' });
    expect(backend.chats[0]?.body).toMatchObject({ message: 'hello', client_message_id: question?.id });
    expect([...tab.map.values()].join()).toContain('You said: hello');
  });

  it('non-streaming', async () => {
    fresh();
    const { client } = make({ streaming: false });
    await client.send('hi');
    await vi.waitFor(() => expect(client.getState().messages.at(-1)?.text).toBe('You said: hi'));
  });
});
