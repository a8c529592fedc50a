// A chat an agent ended, in Chromium on the strict-CSP page: heard by polling (ended from the agent
// console) and over the WebSocket, the widget shows "This chat has ended" once and says it, the
// conversation list marks the chat, both survive a reload, and the next message goes to a new session
// with exactly one chat request and no 404 first.

import { describe, expect, it } from 'vitest';
import {
  API_KEY,
  countMessages,
  type LogEntry,
  messages,
  openChat,
  poll,
  SESSIONS,
  STREAM,
  sendMessage,
  transcript,
  uniqueText,
  useStack,
} from './harness';

const ENDED = 'This chat has ended';

describe('a chat an agent ended, on the strict-CSP page', () => {
  const env = useStack();

  const lastSeq = async () => (await env.stack.log()).at(-1)?.seq ?? 0;
  const requestsSince = async (seq: number): Promise<LogEntry[]> => (await env.stack.log()).filter((e) => e.seq > seq);
  const lines = async () => (await transcript(env.page)).map((m) => `${m.author}:${m.status}`);

  /**
   * The embed page (strict CSP, Trusted Types). Its tag starts the widget polling; for the socket the
   * page's own script (as a site would) starts it again with `live: 'websocket'`.
   */
  async function visit(live: 'poll' | 'websocket'): Promise<void> {
    await env.page.goto(env.stack.embedUrl);
    if (live === 'websocket') {
      await env.page.waitForFunction(() => typeof (window as unknown as { ChatSDK?: { init?: unknown } }).ChatSDK?.init === 'function');
      await env.page.evaluate(
        ({ apiKey, apiUrl }) => {
          const sdk = (window as unknown as { ChatSDK: { init(options: object): { destroy(): void } } }).ChatSDK;
          sdk.init({ apiKey, apiUrl }).destroy();
          sdk.init({ apiKey, apiUrl, title: 'Acme support', live: 'websocket' });
        },
        { apiKey: API_KEY, apiUrl: env.stack.api.url },
      );
    }
    await openChat(env.page);
  }

  async function chatOnce(): Promise<{ text: string; sessionId: string; visitorId: string }> {
    const text = uniqueText('ended chat');
    await sendMessage(env.page, text);
    await poll(async () => (await lines()).join()).toBe('visitor:sent,assistant:sent');
    const stored = env.stack.storedIn(text)!;
    return { text, sessionId: stored.sessionId, visitorId: stored.visitorId! };
  }

  /** The conversation list's entry for the chat that began with `title`: its accessible name. */
  async function listEntry(title: string): Promise<string> {
    await env.page.getByRole('button', { name: 'Chats', exact: true }).click();
    const entry = env.page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: new RegExp(title) });
    const name = (await entry.getAttribute('aria-label')) ?? (await entry.textContent()) ?? '';
    await entry.click(); // back to it
    await messages(env.page, 'visitor', title).waitFor();
    return name;
  }

  /** The line shown once, said by the polite region, the list marking the chat; again after a reload. */
  async function expectEnded(title: string, live: 'poll' | 'websocket'): Promise<void> {
    await poll(() => countMessages(env.page, 'system', ENDED)).toBe(1);
    await poll(() => env.page.locator('[aria-live=polite]').last().textContent()).toContain(ENDED);
    expect(await listEntry(title)).toMatch(/Ended$/);

    await env.page.reload();
    if (live === 'websocket') await visit(live);
    else await openChat(env.page);
    expect(await countMessages(env.page, 'system', ENDED)).toBe(1);
    expect(await (await transcript(env.page)).at(-1)?.author).toBe('system');
    expect(await listEntry(title)).toMatch(/Ended$/);
  }

  /** The next message: one session created, one chat request (200), no 404 on the way; stored once, in the new session. */
  async function expectNextInNewSession(closedSession: string): Promise<void> {
    const seq = await lastSeq();
    const next = uniqueText('after the end');
    await sendMessage(env.page, next);
    await poll(async () => (await lines()).slice(-2).join()).toBe('visitor:sent,assistant:sent');
    const requests = await requestsSince(seq);
    expect(requests.filter((e) => e.status === 404)).toEqual([]);
    expect(requests.filter((e) => e.method === 'POST' && e.path === STREAM).map((e) => e.status)).toEqual([200]);
    expect(requests.filter((e) => e.method === 'POST' && e.path === SESSIONS).map((e) => e.status)).toEqual([201]);
    expect(env.stack.stored(next)).toBe(1);
    expect(env.stack.storedIn(next)!.sessionId).not.toBe(closedSession);
    // The line stays where the chat ended, above the new exchange.
    expect((await lines()).slice(-3)).toEqual(['system:sent', 'visitor:sent', 'assistant:sent']);
    expect(await env.stack.problemsOf(env.page)).toEqual([]);
  }

  it('by polling, ended with the agent console’s End chat button', async () => {
    await visit('poll');
    const { text, sessionId, visitorId } = await chatOnce();

    const agentContext = await env.stack.context();
    const agent = await env.stack.watch(await agentContext.newPage());
    await agent.goto(`${env.stack.demo.url}/agent`);
    await agent.getByRole('button', { name: new RegExp(`^Visitor ${visitorId.slice(0, 8)}`) }).click();
    await agent.locator('#transcript').getByText(text, { exact: true }).waitFor();
    await agent.getByRole('button', { name: 'End chat', exact: true }).click();
    await agent.getByRole('status').getByText('Chat ended.', { exact: false }).waitFor();
    await poll(() => agent.getByRole('textbox', { name: 'Reply' }).isDisabled()).toBe(true);
    expect(await env.stack.problemsOf(agent)).toEqual([]);
    await agentContext.close();

    await expectEnded(text, 'poll');
    await expectNextInNewSession(sessionId);
  });

  it('over the WebSocket', async () => {
    await visit('websocket');
    const { text, sessionId } = await chatOnce();
    await poll(() => env.stack.api.socketCount(sessionId)).toBe(1);
    const seq = await lastSeq();
    env.stack.api.endChat(sessionId);
    await poll(() => countMessages(env.page, 'system', ENDED), 3_000).toBe(1);
    // The frame said it: no history request was needed, and the socket of the closed session is let go.
    expect((await requestsSince(seq)).filter((e) => e.method === 'GET' && e.path.includes('/messages/'))).toEqual([]);
    await poll(() => env.stack.api.socketCount(sessionId)).toBe(0);

    await expectEnded(text, 'websocket');
    await expectNextInNewSession(sessionId);
  });
});
