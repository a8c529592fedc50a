// Live updates (issue 7) in Chromium: human agents' replies reach the widget by history polling and
// over the WebSocket, with the typing indicator, the unread badge, reconnection after dropped sockets
// (a reply sent during the gap arrives once), the agent console page, a reload that syncs what arrived
// while the page was away, and a backend without the live endpoints.

import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  button,
  chatLog,
  composer,
  countMessages,
  type LogEntry,
  launcher,
  messages,
  openChat,
  poll,
  type Stack,
  sendMessage,
  startStack,
  transcript,
  uniqueText,
} from './harness';

/** The history endpoint of one session, as the request log shows it. */
const historyPath = (sessionId: string) => `/api/chats/sessions/${sessionId}/messages/`;
const socketPath = (sessionId: string) => `/ws/chats/sessions/${sessionId}/`;

/** Fast cadences for tests that are not about the default 3 s (the core never polls faster than 1 s). */
const FAST = { pollInterval: 1000, pollIntervalClosed: 1000 };

/** The indicator in the log (the polite region beside it announces the same words). */
const typingIndicator = (page: Page, name = 'Olena') => chatLog(page).getByText(`${name} is typing…`, { exact: true });
const reconnecting = (page: Page) => page.getByText('Reconnecting…', { exact: true });
/** The launcher by its whole accessible name, e.g. "Open chat, 2 unread". */
const launcherNamed = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

/** The widget's messages as `author:text` lines (order and duplicates visible at a glance). */
const lines = async (page: Page) => (await transcript(page)).map((m) => `${m.author}:${m.status}`);

interface Chat {
  text: string;
  sessionId: string;
  visitorId: string;
}

/**
 * Open the widget, send a message and wait for its answer: the visitor now has a backend session
 * (found in the backend's state by the message text) that an agent can reply to.
 */
async function startChat(stack: Stack, page: Page, url: string): Promise<Chat> {
  await page.goto(url);
  await openChat(page);
  const text = uniqueText('hello agent');
  await sendMessage(page, text);
  // (No `expect` here: also used in a beforeAll.)
  await until(async () => (await lines(page)).join() === 'visitor:sent,assistant:sent');
  const stored = stack.storedIn(text);
  if (!stored) throw new Error(`the backend did not store "${text}"`);
  return { text, sessionId: stored.sessionId, visitorId: stored.visitorId! };
}

/** Wait for a condition outside a test (`expect.poll` works only inside one), polling every 50 ms. */
async function until(condition: () => Promise<boolean>, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeout} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Console messages of one page (type and text; the URL of the resource or script that logged it). */
function recordConsole(page: Page): { type: string; text: string; url: string }[] {
  const seen: { type: string; text: string; url: string }[] = [];
  page.on('console', (m: ConsoleMessage) => seen.push({ type: m.type(), text: m.text(), url: m.location().url }));
  page.on('pageerror', (e) => seen.push({ type: 'pageerror', text: e.message, url: '' }));
  return seen;
}

describe('live updates against the reference backend', () => {
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    await stack.reset();
    await context?.close();
    context = await stack.context();
    page = await stack.watch(await context.newPage());
  });

  const requestsSince = async (seq: number): Promise<LogEntry[]> => (await stack.log()).filter((e) => e.seq > seq);
  const lastSeq = async () => (await stack.log()).at(-1)?.seq ?? 0;

  it('polling at the default 3 s cadence: an agent reply appears within 5 s, once, with the agent name', async () => {
    // The plain script-tag page: default options (live: poll, 3 s while open).
    const { sessionId } = await startChat(stack, page, stack.plainUrl);
    const reply = uniqueText('agent says hi');
    const sent = Date.now();
    stack.api.agentReply(sessionId, reply);
    const agentMessage = messages(page, 'agent', reply);
    await agentMessage.waitFor({ state: 'visible', timeout: 5_000 });
    const waited = Date.now() - sent;
    expect(waited, 'ms from the agent reply to the widget showing it').toBeLessThan(5_000);
    expect(await agentMessage.textContent()).toContain('Olena');
    expect(await lines(page)).toEqual(['visitor:sent', 'assistant:sent', 'agent:sent']);

    // The next poll (since the newest message) does not add it again.
    const seq = await lastSeq();
    await poll(
      async () => (await requestsSince(seq)).filter((e) => e.path === historyPath(sessionId) && e.status === 200).length,
      8_000,
    ).toBeGreaterThanOrEqual(1);
    expect(await countMessages(page, 'agent', reply)).toBe(1);
    expect(await lines(page)).toEqual(['visitor:sent', 'assistant:sent', 'agent:sent']);
    // The app and its parts share code through module imports, not globals: nothing of ours on the page's.
    expect(
      await page.evaluate(() =>
        Object.getOwnPropertySymbols(globalThis)
          .map(String)
          .filter((k) => k.includes('chatsdk')),
      ),
    ).toEqual([]);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('with the window closed the launcher badge counts agent replies ("Open chat, 2 unread"); opening clears it', async () => {
    const { sessionId } = await startChat(stack, page, stack.initUrl(FAST));
    await button(page, 'Close chat').click();
    await launcherNamed(page, 'Open chat').waitFor();

    const first = uniqueText('while closed one');
    const second = uniqueText('while closed two');
    stack.api.agentReply(sessionId, first);
    await launcherNamed(page, 'Open chat, 1 unread').waitFor();
    stack.api.agentReply(sessionId, second);
    await launcherNamed(page, 'Open chat, 2 unread').waitFor();
    expect(await launcher(page).textContent()).toContain('2');

    await launcher(page).click();
    await composer(page).waitFor();
    await messages(page, 'agent', second).waitFor();
    expect(await lines(page)).toEqual(['visitor:sent', 'assistant:sent', 'agent:sent', 'agent:sent']);
    await button(page, 'Close chat').click();
    // Read on open: closed again, the launcher has no count.
    await launcherNamed(page, 'Open chat').waitFor();
    expect(await launcherNamed(page, 'Open chat, 2 unread').count()).toBe(0);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('an agent reply in a chat not shown: within a minute the Chats button gets its dot, it is announced, and the list leads to it', async () => {
    // The page's clock runs naturally; it is moved a minute ahead instead of waiting for the once-a-minute round.
    await context.clock.install();
    const first = await startChat(stack, page, stack.initUrl(FAST));
    await button(page, 'New chat').click();
    await sendMessage(page, uniqueText('second chat'));
    await poll(async () => (await lines(page)).join()).toBe('visitor:sent,assistant:sent');

    const reply = uniqueText('answer in the first chat');
    stack.api.agentReply(first.sessionId, reply);
    const seq = await lastSeq();
    await page.clock.fastForward(61_000);
    const chats = page.getByRole('button', { name: 'Chats, unread', exact: true });
    await chats.waitFor({ timeout: 5_000 });
    expect((await requestsSince(seq)).filter((e) => e.path === historyPath(first.sessionId)).length).toBeGreaterThanOrEqual(1);
    await poll(() => page.locator('[aria-live=polite]').last().textContent()).toContain('New message in another chat');
    expect(await lines(page)).toEqual(['visitor:sent', 'assistant:sent']); // the chat shown is unchanged

    await chats.click();
    const item = page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: new RegExp(first.text) });
    expect(await item.textContent()).toContain('unread');
    await item.click();
    await messages(page, 'agent', reply).waitFor();
    await page.getByRole('button', { name: 'Chats', exact: true }).waitFor();
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('over the WebSocket: the agent typing indicator, the reply pushed without polling, the visitor typing sent', async () => {
    const { sessionId } = await startChat(stack, page, stack.initUrl({ live: 'websocket' }));
    await poll(() => stack.api.socketCount(sessionId)).toBe(1);

    stack.api.agentTyping(sessionId, true);
    await typingIndicator(page).waitFor({ state: 'visible', timeout: 3_000 });

    const seq = await lastSeq();
    const reply = uniqueText('over the socket');
    stack.api.agentReply(sessionId, reply);
    await messages(page, 'agent', reply).waitFor({ state: 'visible', timeout: 3_000 });
    // The server sends typing off before the message; the indicator goes with it.
    await typingIndicator(page).waitFor({ state: 'hidden', timeout: 3_000 });
    expect(
      (await requestsSince(seq)).filter((e) => e.path === historyPath(sessionId)),
      'no history request: it came over the socket',
    ).toEqual([]);
    expect(await countMessages(page, 'agent', reply)).toBe(1);
    expect(await reconnecting(page).count()).toBe(0);

    // The visitor's typing goes to the agent over the same socket.
    await page.bringToFront();
    await composer(page).pressSequentially('I am typ');
    await poll(() => stack.api.visitorTyping(sessionId), 5_000).toBe(true);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('the script tag: data-live="websocket" (with data-sound="true") connects a socket, and the agent reply arrives over it', async () => {
    const seen = recordConsole(page);
    const { sessionId } = await startChat(stack, page, stack.tagUrl({ live: 'websocket', sound: 'true' }));
    await poll(() => stack.api.socketCount(sessionId)).toBe(1);
    const reply = uniqueText('tag socket');
    stack.api.agentReply(sessionId, reply);
    await messages(page, 'agent', reply).waitFor({ timeout: 3_000 });
    // Both attributes are understood: no "[ChatSDK] Option … must be …" warning.
    expect(seen.filter((m) => m.text.includes('[ChatSDK]') && m.type !== 'info')).toEqual([]);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('agent avatars: an https avatar from an allowed origin is shown (no referrer); an http one, or one from elsewhere, is never requested and shows the initial', async () => {
    const https = 'https://avatars.example.test/olena.png';
    const http = 'http://127.0.0.1:9/tracker.png';
    const elsewhere = 'https://tracker.example.test/pixel.png';
    // A 1x1 PNG for the https avatar (Chromium's TLS is not involved: the route answers it).
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
    const avatarRequests: { url: string; referer?: string }[] = [];
    await context.route(https, (route) => {
      avatarRequests.push({ url: route.request().url(), referer: route.request().headers().referer });
      return route.fulfill({ contentType: 'image/png', body: png });
    });
    page.on('request', (r) => {
      if (r.url().startsWith('http://127.0.0.1:9/') || r.url().startsWith('https://tracker.')) avatarRequests.push({ url: r.url() });
    });
    const { sessionId } = await startChat(
      stack,
      page,
      stack.initUrl({ live: 'websocket', imageOrigins: ['https://avatars.example.test'] }),
    );
    await poll(() => stack.api.socketCount(sessionId)).toBe(1);
    const safe = uniqueText('https avatar');
    const unsafe = uniqueText('http avatar');
    stack.api.agentReply(sessionId, safe, 'Olena', https);
    stack.api.agentReply(sessionId, unsafe, 'Mallory', http);
    const tracked = uniqueText('tracking avatar');
    stack.api.agentReply(sessionId, tracked, 'Trudy', elsewhere);
    await messages(page, 'agent', unsafe).waitFor();
    await messages(page, 'agent', tracked).waitFor();
    expect(await messages(page, 'agent', tracked).locator('img').count()).toBe(0);
    const image = messages(page, 'agent', safe).locator(`img[src="${https}"]`);
    await image.waitFor();
    await poll(() => image.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(1);
    expect(await messages(page, 'agent', unsafe).textContent()).toContain('Mallory');
    expect(await messages(page, 'agent', unsafe).locator('img').count()).toBe(0);
    const httpImages = await page.evaluate(() =>
      [...(document.querySelector('chat-sdk-widget')?.shadowRoot?.querySelectorAll('img') ?? [])]
        .map((i) => i.getAttribute('src') ?? '')
        .filter((s) => /^http:/i.test(s)),
    );
    expect(httpImages).toEqual([]);
    expect(avatarRequests).toEqual([{ url: https, referer: undefined }]);
  });

  it('a gap fill that fails after the reconnect is retried ("Reconnecting…" meanwhile) until the reply sent during the gap arrives', async () => {
    const { sessionId } = await startChat(stack, page, stack.initUrl({ live: 'websocket' }));
    await poll(() => stack.api.socketCount(sessionId)).toBe(1);
    const seq = await lastSeq();
    // Each fault holds until the widget has met it (its retry delays are random), then is switched off.
    stack.api.fault('refuse-sockets', 60);
    stack.api.fault('history-503', 60);
    stack.api.fault('drop-sockets');
    await poll(() => stack.api.socketCount(sessionId)).toBe(0);
    const gap = uniqueText('during the gap');
    stack.api.agentReply(sessionId, gap);
    await poll(async () => (await requestsSince(seq)).some((e) => e.path === socketPath(sessionId) && e.status === 503), 10_000).toBe(true);
    stack.api.fault('refuse-sockets', 0);
    await poll(() => stack.api.socketCount(sessionId), 10_000).toBe(1);
    const reopened = (await requestsSince(seq)).filter((e) => e.path === socketPath(sessionId) && e.status === 101).at(-1)!.seq;
    // The socket is open, but what it missed is not here yet: that is still a connection problem.
    await poll(async () => (await requestsSince(reopened)).some((e) => e.path === historyPath(sessionId) && e.status === 503), 10_000).toBe(
      true,
    );
    // The server logs the 503 before the page has read it and drawn: wait for the draw, do not sample.
    await reconnecting(page).waitFor({ state: 'visible', timeout: 5_000 });
    stack.api.fault('history-503', 0);
    await messages(page, 'agent', gap).waitFor({ state: 'visible', timeout: 15_000 });
    await reconnecting(page).waitFor({ state: 'hidden', timeout: 5_000 });
    expect(await countMessages(page, 'agent', gap)).toBe(1);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('sockets dropped: "Reconnecting…" shows, a reply sent during the gap arrives once after the reconnect', async () => {
    const { sessionId } = await startChat(stack, page, stack.initUrl({ live: 'websocket' }));
    await poll(() => stack.api.socketCount(sessionId)).toBe(1);
    const seq = await lastSeq();

    // Keep the gap open until a reconnect attempt has been refused (HTTP 503): the retry delays are random.
    stack.api.fault('refuse-sockets', 60);
    stack.api.fault('drop-sockets');
    await poll(() => stack.api.socketCount(sessionId)).toBe(0);
    await reconnecting(page).waitFor({ state: 'visible', timeout: 5_000 });
    const gap = uniqueText('during the gap');
    stack.api.agentReply(sessionId, gap);
    await poll(async () => (await requestsSince(seq)).some((e) => e.path === socketPath(sessionId) && e.status === 503), 10_000).toBe(true);
    stack.api.fault('refuse-sockets', 0);

    // Backoff 0.5-1 s, 1-2 s, 2-4 s: connected again within about 7 s, then the gap is fetched.
    await messages(page, 'agent', gap).waitFor({ state: 'visible', timeout: 15_000 });
    await reconnecting(page).waitFor({ state: 'hidden', timeout: 5_000 });
    await poll(() => stack.api.socketCount(sessionId)).toBe(1);
    const log = await requestsSince(seq);
    const upgrades = log.filter((e) => e.method === 'GET' && e.path === socketPath(sessionId));
    // Refused (HTTP 503) while the gap was open, then one socket opened (101).
    expect(upgrades.filter((e) => e.status === 101).length, 'one reconnect').toBe(1);
    expect(upgrades.filter((e) => e.status === 503).length, 'refused while the gap was open').toBeGreaterThanOrEqual(1);
    expect(upgrades.at(-1)?.status).toBe(101);
    // The gap reply came from the history, fetched after the new socket opened.
    const reopened = upgrades.at(-1)!.seq;
    expect(
      log.some((e) => e.seq > reopened && e.path === historyPath(sessionId) && e.status === 200),
      'the gap was fetched from the history',
    ).toBe(true);

    // Once, and the new socket delivers the next reply (also once).
    const next = uniqueText('after reconnect');
    stack.api.agentReply(sessionId, next);
    await messages(page, 'agent', next).waitFor({ timeout: 3_000 });
    expect(await countMessages(page, 'agent', gap)).toBe(1);
    expect(await countMessages(page, 'agent', next)).toBe(1);
    expect(await lines(page)).toEqual(['visitor:sent', 'assistant:sent', 'agent:sent', 'agent:sent']);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('the agent console (/agent): picks the session, shows the visitor typing, its typing and reply reach the widget', async () => {
    const { text, sessionId, visitorId } = await startChat(stack, page, stack.initUrl({ live: 'websocket' }));
    await poll(() => stack.api.socketCount(sessionId)).toBe(1);

    const agentContext = await stack.context();
    const agent = await stack.watch(await agentContext.newPage());
    await agent.goto(`${stack.demo.url}/agent`);
    await agent.getByRole('button', { name: new RegExp(`^Visitor ${visitorId.slice(0, 8)}`) }).click();
    const agentTranscript = agent.locator('#transcript');
    await agentTranscript.getByText(text, { exact: true }).waitFor();
    expect(await agent.getByText(`Session ${sessionId}`).count()).toBeGreaterThan(0);

    // The visitor types: the console says so (over the widget's socket).
    await page.bringToFront();
    await composer(page).pressSequentially('a question');
    await agent.getByText('Visitor is typing…').waitFor({ timeout: 6_000 });

    // The agent types as "Taras": the widget shows it; Send delivers the reply.
    await agent.bringToFront();
    await agent.getByLabel('Name', { exact: true }).fill('Taras');
    const reply = agent.getByRole('textbox', { name: 'Reply' });
    await reply.pressSequentially('Hello, this is Taras');
    await typingIndicator(page, 'Taras').waitFor({ timeout: 5_000 });
    const answer = uniqueText('from the console');
    await reply.fill(`Hello, this is Taras. ${answer}`);
    await agent.getByRole('button', { name: 'Send', exact: true }).click();
    await agent.getByRole('status').getByText('Sent as Taras.').waitFor();

    const inWidget = messages(page, 'agent', answer);
    await inWidget.waitFor({ timeout: 5_000 });
    expect(await inWidget.textContent()).toContain('Taras');
    await typingIndicator(page, 'Taras').waitFor({ state: 'hidden', timeout: 3_000 });
    expect(await countMessages(page, 'agent', answer)).toBe(1);
    // Stored once, as the agent's message.
    const stored = (stack.api.state.store.messages.get(sessionId) ?? []).filter((m) => m.text.includes(answer));
    expect(stored.map((m) => [m.author, m.agent?.name])).toEqual([['agent', 'Taras']]);
    expect(await stack.problemsOf(page)).toEqual([]);
    expect(await stack.problemsOf(agent)).toEqual([]);
    await agentContext.close();
  });

  it('a reload restores the chat and syncs an agent reply that arrived while the page was away', async () => {
    // Long intervals: the only sync is the one made for the restored chat.
    const url = stack.initUrl({ pollInterval: 60_000, pollIntervalClosed: 60_000 });
    const { sessionId, text } = await startChat(stack, page, url);
    const before = await transcript(page);

    await page.goto('about:blank');
    const reply = uniqueText('while you were away');
    stack.api.agentReply(sessionId, reply);

    await page.goto(url);
    await openChat(page);
    await messages(page, 'agent', reply).waitFor({ timeout: 5_000 });
    const after = await transcript(page);
    expect(after.map((m) => `${m.author}:${m.status}`)).toEqual(['visitor:sent', 'assistant:sent', 'agent:sent']);
    // The restored messages are the same (no second copy of the question or of the streamed answer).
    expect(after.slice(0, 2)).toEqual(before);
    expect(after[0]!.text).toContain(text);
    expect(after[2]!.text).toContain('Olena');
    expect(stack.stored(text)).toBe(1);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('the WebSocket part unreachable: one console warning names its file, the chat works and agent replies come by polling', async () => {
    await page.route('**/chat-sdk-socket.js', (route) => route.abort());
    const seen = recordConsole(page);
    const { sessionId } = await startChat(stack, page, stack.initUrl({ ...FAST, live: 'websocket' }));
    await poll(() => seen.filter((m) => m.type === 'warning' && m.text.includes('chat-sdk-socket.js')).length).toBe(1);
    await sendMessage(page, uniqueText('still here'));
    await poll(async () => (await lines(page)).join()).toBe('visitor:sent,assistant:sent,visitor:sent,assistant:sent');
    expect(stack.api.socketCount(sessionId)).toBe(0);
    const reply = uniqueText('by polling');
    stack.api.agentReply(sessionId, reply);
    await messages(page, 'agent', reply).waitFor({ state: 'visible', timeout: 10_000 });
    expect(await stack.count('GET', historyPath(sessionId))).toBeGreaterThan(0);
    expect(seen.filter((m) => m.text.includes('[ChatSDK]')).map((m) => m.type)).toEqual(['warning']);
  });
});

describe('a backend without the live endpoints (startApiServer({ live: false }))', () => {
  let stack: Stack;
  let page: Page;
  let seen: { type: string; text: string; url: string }[];
  let sessionId: string;
  const info = () => seen.filter((m) => m.type === 'info' && m.text.includes('[ChatSDK]'));

  beforeAll(async () => {
    stack = await startStack({ live: false });
    // One visitor chatting on for several polling intervals (1 s): three exchanges, closing and
    // reopening the window in between (presence changes wake the poller).
    const context = await stack.context();
    page = await stack.watch(await context.newPage());
    seen = recordConsole(page);
    ({ sessionId } = await startChat(stack, page, stack.initUrl(FAST)));
    await until(async () => (await stack.log()).some((e) => e.path === historyPath(sessionId)));
    await sendMessage(page, uniqueText('still working'));
    await until(async () => (await lines(page)).join() === 'visitor:sent,assistant:sent,visitor:sent,assistant:sent');
    await button(page, 'Close chat').click();
    await launcherNamed(page, 'Open chat').waitFor();
    await launcher(page).click();
    await composer(page).waitFor();
    await sendMessage(page, uniqueText('and still'));
    await until(async () => (await lines(page)).filter((l) => l === 'assistant:sent').length === 3);
    expect(await lines(page)).toEqual([
      'visitor:sent',
      'assistant:sent',
      'visitor:sent',
      'assistant:sent',
      'visitor:sent',
      'assistant:sent',
    ]);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('the chat keeps working: one history request (404), then no more; no errors or warnings', async () => {
    // (GETs: the CORS preflight before the first one is logged too.)
    const history = (await stack.log()).filter((e) => e.method === 'GET' && e.path === historyPath(sessionId));
    expect(
      history.map((e) => e.status),
      'one history request, answered 404',
    ).toEqual([404]);
    expect(stack.api.socketCount()).toBe(0);
    // Chromium itself reports 404 responses ("Failed to load resource": the history request, the test
    // page's missing favicon); nothing else may complain.
    const complaints = seen.filter(
      (m) =>
        ['error', 'warning', 'pageerror'].includes(m.type) &&
        !(m.text.startsWith('Failed to load resource') && (m.url.includes(historyPath(sessionId)) || m.url.endsWith('/favicon.ico'))),
    );
    expect(complaints).toEqual([]);
    expect(await reconnecting(page).count()).toBe(0);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('live updates stop with exactly one console.info naming the missing history endpoint', async () => {
    // The reference backend's 404 is "No route for GET /api/chats/sessions/<id>/messages/".
    expect(info().map((m) => m.text)).toEqual([expect.stringMatching(/history/i)]);
  });
});
