// Each backend fault of the QA panel (demo/server/lib/faults.mjs), driven through the widget: every
// scenario ends in the state the core promises, and the visitor's message is never lost or duplicated.

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  button,
  countMessages,
  type LogEntry,
  lastStatus,
  messages,
  openChat,
  poll,
  SESSIONS,
  STREAM,
  type Stack,
  sendMessage,
  startStack,
  transcript,
  uniqueText,
  VISITORS,
} from './harness';

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
  // A visitor with one finished exchange, so the next API request a fault hits is the chat request.
  context = await stack.context();
  page = await stack.watch(await context.newPage());
  await page.goto(stack.plainUrl);
  await openChat(page);
  const warmUp = uniqueText('warm up');
  await sendMessage(page, warmUp);
  await poll(() => transcript(page).then((t) => t.map((m) => `${m.author}:${m.status}`).join())).toBe('visitor:sent,assistant:sent');
  // A stream is logged when its connection closes: wait for it, so it is not counted as a later request.
  await poll(() => stack.count('POST', STREAM, 200)).toBe(1);
});

/** Requests logged after `since`. */
const requestsSince = async (since: number): Promise<LogEntry[]> => (await stack.log()).filter((e) => e.seq > since);
const lastSeq = async (): Promise<number> => (await stack.log()).at(-1)?.seq ?? 0;

/** The visitor message with this text and the answer right after it. */
async function exchange(text: string) {
  const all = await transcript(page);
  const index = all.findIndex((m) => m.author === 'visitor' && m.text.includes(text));
  return { question: all[index], answer: all[index + 1]?.author === 'assistant' ? all[index + 1] : undefined, all };
}

/** The message shows exactly once in the widget, is stored exactly once, and has exactly one sent answer. */
async function expectDeliveredOnce(text: string): Promise<void> {
  await poll(async () => {
    const { question, answer } = await exchange(text);
    return `${question?.status}/${answer?.status}`;
  }).toBe('sent/sent');
  expect(await countMessages(page, 'visitor', text)).toBe(1);
  // The warm-up answer and this one: a retry never adds a second answer.
  expect(await countMessages(page, 'assistant')).toBe(2);
  expect(await countMessages(page, 'visitor')).toBe(2);
  expect(stack.stored(text)).toBe(1);
  const { answer } = await exchange(text);
  expect(answer?.text).toContain('Anything else gets this answer.');
  expect(answer?.stopped).toBe(false);
  expect(await stack.problemsOf(page)).toEqual([]);
}

describe('errors that need the visitor: Retry', () => {
  it('500 on the chat request: the message fails with Retry; Retry delivers exactly one answer', async () => {
    await stack.fault('500-next');
    const since = await lastSeq();
    const text = uniqueText('five hundred');
    await sendMessage(page, text);
    await poll(() => lastStatus(page, 'visitor')).toBe('failed');
    expect(await countMessages(page, 'assistant')).toBe(1);
    const retry = button(page, 'Retry');
    await retry.waitFor();
    expect(await retry.count()).toBe(1);
    await retry.click();
    await expectDeliveredOnce(text);
    expect(await button(page, 'Retry').count()).toBe(0);
    // Not retried by itself (the server may have processed it): the 500, then the visitor's Retry.
    // (A stream is logged when its connection closes, a moment after the widget shows `sent`.)
    await poll(async () =>
      (await requestsSince(since)).filter((e) => e.method === 'POST' && e.path === STREAM).map((e) => e.status),
    ).toEqual([500, 200]);
  });

  it('a 200 HTML page (captive portal) instead of JSON or SSE: a clear error, nothing crashes, Retry works', async () => {
    await stack.fault('html-200-next');
    const text = uniqueText('captive portal');
    await sendMessage(page, text);
    await poll(async () => {
      const { question, answer } = await exchange(text);
      return question?.status === 'failed' || answer?.status === 'failed';
    }).toBe(true);
    const { question, answer } = await exchange(text);
    // The failure is explained in words next to the message (not an empty state).
    const failed = question?.status === 'failed' ? question : answer;
    expect(failed!.text.length).toBeGreaterThan(text.length);
    expect(stack.stored(text)).toBe(0);
    expect(answer?.text ?? '').not.toContain('Wi-Fi');
    expect(await stack.problemsOf(page)).toEqual([]);
    await button(page, 'Retry').click();
    await expectDeliveredOnce(text);
  });
});

describe('errors the widget retries by itself', () => {
  for (const fault of ['429-next', '503-next'] as const) {
    it(`${fault} with Retry-After: retried automatically after the delay, one answer`, async () => {
      await stack.fault(fault, { seconds: 1 });
      const since = await lastSeq();
      const text = uniqueText(`auto retry ${fault}`);
      await sendMessage(page, text);
      await expectDeliveredOnce(text);
      const streams = async () => (await requestsSince(since)).filter((e) => e.method === 'POST' && e.path === STREAM);
      await poll(async () => (await streams()).map((e) => e.status)).toEqual([Number(fault.slice(0, 3)), 200]);
      const chats = await streams();
      const waited = Date.parse(chats[1]!.time) - Date.parse(chats[0]!.time);
      expect(waited, 'ms between the refused request and the retry').toBeGreaterThanOrEqual(900);
      expect(waited).toBeLessThan(8_000);
      expect(await button(page, 'Retry').count()).toBe(0);
    });
  }

  it('a response dropped after the server stored the message: retried by itself with the same id, no duplicate', async () => {
    await stack.fault('drop-response-next');
    const text = uniqueText('dropped response');
    await sendMessage(page, text);
    // The connection died without an answer: a network error, retried by itself with the same client_message_id.
    await expectDeliveredOnce(text);
    expect(await button(page, 'Retry').count()).toBe(0);
    await poll(async () => (await stack.log()).some((e) => (e.note ?? '').includes('duplicate client_message_id, replayed'))).toBe(true);
  });
});

describe('interrupted and stopped streams', () => {
  it('a stream cut mid-answer keeps the partial answer, marked interrupted with Retry; Retry replaces it', async () => {
    await stack.fault('cut-stream');
    const text = uniqueText('cut me');
    await sendMessage(page, text);
    await poll(async () => (await exchange(text)).answer?.status).toBe('failed');
    const { question, answer } = await exchange(text);
    expect(question?.status).toBe('sent'); // the server has the message
    expect(answer!.text).toContain('Thanks for your'); // the partial text is kept
    expect(answer!.text).not.toContain('Anything else gets this answer.');
    expect(answer!.text).toMatch(/interrupted/i);
    expect(stack.stored(text)).toBe(1);
    await button(page, 'Retry').click();
    await expectDeliveredOnce(text);
    const { answer: replaced } = await exchange(text);
    // One complete copy, not the partial text followed by a second answer.
    expect(replaced!.text.split('Thanks for your question!').length - 1).toBe(1);
  });

  it('slow: the typing indicator shows before the first chunk; Stop keeps the partial answer and aborts the request', async () => {
    await stack.fault('slow', { seconds: 1 });
    await sendMessage(page, 'please give me a long answer');
    const typing = page.locator('[data-author="assistant"][data-status="streaming"]').getByText('Typing…');
    await typing.waitFor({ state: 'attached' });
    expect(await messages(page, 'assistant').last().getAttribute('data-status')).toBe('streaming');
    await poll(async () => ((await exchange('please give me a long answer')).answer?.text ?? '').includes('About frame sizes')).toBe(true);
    expect(await typing.count()).toBe(0);
    await button(page, 'Stop').click();
    await poll(async () => (await exchange('please give me a long answer')).answer?.status).toBe('sent');
    const stopped = (await exchange('please give me a long answer')).answer!;
    expect(stopped.stopped).toBe(true);
    expect(stopped.text).toContain('About frame sizes');
    expect(stopped.text).not.toContain('About warranty');
    await poll(async () => (await stack.log()).some((e) => e.path === STREAM && /aborted by client/.test(e.note ?? ''))).toBe(true);
    // No more chunks after Stop; a history sync may show the few more the server kept, as the same answer.
    const later = (await exchange('please give me a long answer')).answer!;
    expect(later.stopped).toBe(true);
    expect(later.text.replace(/Stopped$/, '').startsWith(stopped.text.replace(/Stopped$/, ''))).toBe(true);
    expect(await countMessages(page, 'assistant')).toBe(2);
    expect(await button(page, 'Stop').count()).toBe(0);
    expect(stack.stored('please give me a long answer')).toBe(1);
    expect(await stack.problemsOf(page)).toEqual([]);
  });
});

describe('recoveries the core does by itself', () => {
  it('forget-visitors: the next send creates a new visitor and the answer arrives', async () => {
    await stack.fault('forget-visitors');
    const since = await lastSeq();
    const text = uniqueText('forgotten visitor');
    await sendMessage(page, text);
    await expectDeliveredOnce(text);
    const log = await requestsSince(since);
    expect(log.filter((e) => e.method === 'POST' && e.path === VISITORS && e.status === 201)).toHaveLength(1);
    expect(log.filter((e) => e.method === 'POST' && e.path === SESSIONS && e.status === 201)).toHaveLength(1);
  });

  for (const fault of ['expire-sessions', 'session-404-next', '403-next'] as const) {
    it(`${fault}: a new session, and the answer arrives`, async () => {
      const oldSession = stack.storedIn((await exchange('warm up')).question!.text.replace(/^You: /, ''))?.sessionId;
      await stack.fault(fault);
      const since = await lastSeq();
      const text = uniqueText(`recover ${fault}`);
      await sendMessage(page, text);
      await expectDeliveredOnce(text);
      const log = await requestsSince(since);
      expect(log.filter((e) => e.method === 'POST' && e.path === SESSIONS && e.status === 201)).toHaveLength(1);
      expect(log.filter((e) => e.method === 'POST' && e.path === VISITORS)).toHaveLength(0);
      expect(stack.storedIn(text)?.sessionId).not.toBe(oldSession);
    });
  }
});
