// Conversations across reloads, tabs and New chat; the offline outbox; two tabs recovering from a
// backend that forgot every visitor.

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  button,
  countMessages,
  lastStatus,
  openChat,
  poll,
  SESSIONS,
  STREAM,
  type Stack,
  sendMessage,
  startStack,
  storedVisitorId,
  transcript,
  uniqueText,
  VISITORS,
} from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(async () => {
  await stack.reset();
});

async function openTab(context: BrowserContext): Promise<Page> {
  const page = await stack.watch(await context.newPage());
  await page.goto(stack.plainUrl);
  await openChat(page);
  return page;
}

/** Send and wait until the answer to it has settled as sent. */
async function ask(page: Page, text: string): Promise<void> {
  await sendMessage(page, text);
  await poll(() => countMessages(page, 'visitor', text)).toBe(1);
  await poll(async () => {
    const all = await transcript(page);
    const index = all.findIndex((m) => m.author === 'visitor' && m.text.includes(text));
    return index >= 0 ? `${all[index]!.status}/${all[index + 1]?.author}/${all[index + 1]?.status}` : 'missing';
  }).toBe('sent/assistant/sent');
}

describe('reload, tabs and New chat', () => {
  it('a reload restores the conversation without a new visitor or session', async () => {
    const context = await stack.context();
    const page = await openTab(context);
    const first = uniqueText('before reload');
    await ask(page, first);
    const before = await transcript(page);
    const visitors = await stack.count('POST', VISITORS, 201);
    const sessions = await stack.count('POST', SESSIONS, 201);
    expect([visitors, sessions]).toEqual([1, 1]);

    await page.reload();
    await openChat(page);
    await poll(() => transcript(page)).toEqual(before);
    const second = uniqueText('after reload');
    await ask(page, second);
    expect(await stack.count('POST', VISITORS)).toBe(visitors);
    expect(await stack.count('POST', SESSIONS)).toBe(sessions);
    // Same backend session for both messages, each stored once.
    expect(stack.storedIn(second)?.sessionId).toBe(stack.storedIn(first)?.sessionId);
    expect([stack.stored(first), stack.stored(second)]).toEqual([1, 1]);
    expect(await stack.problemsOf(page)).toEqual([]);
    await context.close();
  });

  it('a second tab shares the visitor but has its own chats', async () => {
    const context = await stack.context();
    const one = await openTab(context);
    const mine = uniqueText('tab one');
    await ask(one, mine);
    const two = await openTab(context);
    // Its own (empty) chat: nothing of tab one's conversation.
    expect(await countMessages(two, 'visitor')).toBe(0);
    expect(await countMessages(two, 'assistant')).toBe(0);
    const theirs = uniqueText('tab two');
    await ask(two, theirs);
    expect(await countMessages(one, 'visitor', theirs)).toBe(0);
    expect(await countMessages(two, 'visitor', mine)).toBe(0);

    expect(await stack.count('POST', VISITORS)).toBe(1);
    const id = await storedVisitorId(one);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await storedVisitorId(two)).toBe(id);
    // Two chats, two sessions, one visitor.
    expect(await stack.count('POST', SESSIONS, 201)).toBe(2);
    const a = stack.storedIn(mine);
    const b = stack.storedIn(theirs);
    expect(a?.sessionId).not.toBe(b?.sessionId);
    expect([a?.visitorId, b?.visitorId]).toEqual([id, id]);

    // Each tab's reload restores exactly its own chat.
    await two.reload();
    await openChat(two);
    await poll(() => countMessages(two, 'visitor', theirs)).toBe(1);
    expect(await countMessages(two, 'visitor', mine)).toBe(0);
    await context.close();
  });

  it('New chat starts an empty log and the next send uses a new session', async () => {
    const context = await stack.context();
    const page = await openTab(context);
    const old = uniqueText('old chat');
    await ask(page, old);
    const sessions = await stack.count('POST', SESSIONS, 201);

    await button(page, 'New chat').click();
    await poll(() => transcript(page)).toEqual([]);
    const next = uniqueText('new chat');
    await ask(page, next);
    expect(await countMessages(page, 'visitor')).toBe(1);
    expect(await countMessages(page, 'visitor', old)).toBe(0);
    // Exactly one more session (created on New chat or on the send), and the message went there.
    expect(await stack.count('POST', SESSIONS, 201)).toBe(sessions + 1);
    expect(stack.storedIn(next)?.sessionId).not.toBe(stack.storedIn(old)?.sessionId);
    expect(await stack.count('POST', VISITORS)).toBe(1);
    expect([stack.stored(old), stack.stored(next)]).toEqual([1, 1]);
    await context.close();
  });
});

describe('offline outbox', () => {
  it('messages sent offline are queued, then delivered once each, in order, when back online', async () => {
    const context = await stack.context();
    const page = await openTab(context);
    await ask(page, uniqueText('warm up'));
    await context.setOffline(true);
    // The emulation reaches the page a moment later; a send before that really goes out.
    await poll(() => page.evaluate(() => navigator.onLine)).toBe(false);
    const first = uniqueText('offline first');
    const second = uniqueText('offline second');
    await sendMessage(page, first);
    await poll(() => lastStatus(page, 'visitor')).toBe('queued');
    await sendMessage(page, second);
    await poll(async () => (await transcript(page)).filter((m) => m.author === 'visitor').map((m) => m.status)).toEqual([
      'sent',
      'queued',
      'queued',
    ]);
    expect(stack.stored(first) + stack.stored(second)).toBe(0);

    await context.setOffline(false);
    await poll(async () => (await transcript(page)).map((m) => `${m.author}:${m.status}`)).toEqual([
      'visitor:sent',
      'assistant:sent',
      'visitor:sent',
      'assistant:sent',
      'visitor:sent',
      'assistant:sent',
    ]);
    const texts = (await transcript(page)).map((m) => m.text);
    expect(texts[2]).toContain(first);
    expect(texts[4]).toContain(second);
    expect([stack.stored(first), stack.stored(second)]).toEqual([1, 1]);
    const session = stack.storedIn(first)!.sessionId;
    expect(stack.sessionTexts(session).slice(-2)).toEqual([first, second]);
    // The log entry of a stream is written when its connection closes, a moment after the widget shows `sent`.
    await poll(() => stack.count('POST', STREAM, 200)).toBe(3);
    await context.close();
  });

  it('a message queued offline survives a reload and goes out once when back online', async () => {
    const context = await stack.context();
    await stack.servePlainPageFromMemory(context);
    const page = await openTab(context);
    await ask(page, uniqueText('warm up'));
    await context.setOffline(true);
    // Chromium's offline emulation does not survive a navigation (navigator.onLine reads true in the
    // reloaded page, and the page being left can see the network come back for a moment and send, unseen
    // by request interception), so the API is also made unreachable at the server until the test goes online.
    await stack.fault('unreachable', { seconds: 120 });
    // The emulation reaches the page a moment later; a send before that really goes out.
    await poll(() => page.evaluate(() => navigator.onLine)).toBe(false);
    const text = uniqueText('queued over reload');
    await sendMessage(page, text);
    await poll(() => lastStatus(page, 'visitor')).toBe('queued');

    await page.reload();
    await openChat(page);
    await poll(async () => (await transcript(page)).filter((m) => m.text.includes(text)).map((m) => m.status)).toEqual(['queued']);
    expect(stack.stored(text)).toBe(0);

    await stack.fault('normal');
    await context.setOffline(false);
    await poll(() => lastStatus(page, 'assistant').then(async (s) => `${await countMessages(page, 'assistant')}:${s}`)).toBe('2:sent');
    expect(await countMessages(page, 'visitor', text)).toBe(1);
    expect(stack.stored(text)).toBe(1);
    await poll(() => stack.count('POST', STREAM, 200)).toBe(2);
    await context.close();
  });
});

describe('two tabs and a backend that forgot every visitor', () => {
  it('both tabs recover, get their answers and end up on the same visitor', async () => {
    const context = await stack.context();
    const one = await openTab(context);
    await ask(one, uniqueText('tab one warm up'));
    const two = await openTab(context);
    await ask(two, uniqueText('tab two warm up'));
    const oldId = await storedVisitorId(one);
    expect(await storedVisitorId(two)).toBe(oldId);

    await poll(() => stack.count('POST', STREAM, 200)).toBe(2); // both warm-up streams logged
    await stack.fault('forget-visitors');
    const since = (await stack.log()).at(-1)?.seq ?? 0;
    const a = uniqueText('tab one after reset');
    const b = uniqueText('tab two after reset');
    await Promise.all([sendMessage(one, a), sendMessage(two, b)]);
    await Promise.all([poll(() => countMessages(one, 'assistant')).toBe(2), poll(() => countMessages(two, 'assistant')).toBe(2)]);
    await poll(() => Promise.all([lastStatus(one, 'assistant'), lastStatus(two, 'assistant')])).toEqual(['sent', 'sent']);
    expect([stack.stored(a), stack.stored(b)]).toEqual([1, 1]);

    const created = (await stack.log()).filter((e) => e.seq > since && e.method === 'POST' && e.path === VISITORS && e.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.length, 'visitors created by the two tabs together').toBeLessThanOrEqual(2);

    // Afterwards both tabs use one visitor, the one in localStorage.
    const id = await storedVisitorId(one);
    expect(id).not.toBe(oldId);
    await poll(() => storedVisitorId(two)).toBe(id);
    const c = uniqueText('tab one later');
    const d = uniqueText('tab two later');
    await ask(one, c);
    await ask(two, d);
    expect(stack.storedIn(c)?.visitorId).toBe(id);
    expect(stack.storedIn(d)?.visitorId).toBe(id);
    const createdAfter = (await stack.log()).filter((e) => e.seq > since && e.method === 'POST' && e.path === VISITORS);
    expect(createdAfter.length).toBe(created.length);
    await context.close();
  });
});
