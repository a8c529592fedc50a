// @vitest-environment happy-dom
// When each message was sent or received: inside the message as <time datetime>, in the widget's locale
// (12 or 24 hours as it has it), with the date on an earlier day, once for a run of one author's messages
// in the same minute, and never read out again by the polite region.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../src/core/types';
import type { WidgetInstance, WidgetOptions } from '../../src/widget';
import { createFakeClient, type FakeClient, msg } from './fake-client';
import { announced, compileWindowParts, messages, openChat, settle, shadow, startChat } from './helpers';

let client: FakeClient;
let chat: WidgetInstance | undefined;

const mount = async (options: Partial<WidgetOptions> = {}) => {
  chat = startChat(client, options);
  await openChat(chat);
};
/** A local time today (hours, minutes, seconds), or `daysAgo` days before. */
const at = (hours: number, minutes: number, seconds = 0, daysAgo = 0): string => {
  const date = new Date();
  date.setDate(date.getDate() - daysAgo);
  date.setHours(hours, minutes, seconds, 0);
  return date.toISOString();
};
const said = (author: ChatMessage['author'], text: string, createdAt: string) => msg(author, text, 'sent', { createdAt });
/** Each message's time as shown (null when it shows none), in order. */
const shownTimes = () => messages().map((m) => m.querySelector('time')?.textContent ?? null);

beforeAll(() => compileWindowParts());
beforeEach(() => {
  client = createFakeClient();
});
afterEach(() => {
  chat?.destroy();
  chat = undefined;
  vi.restoreAllMocks();
});

describe('message times', () => {
  it('inside the message as <time datetime>: 12 h where the locale has it (en-US), 24 h where it does not (en-GB, uk)', async () => {
    const createdAt = at(14, 5);
    for (const [locale, shown] of [
      ['en-US', /^2:05\sPM$/],
      ['en-GB', /^14:05$/],
      ['uk', /^14:05$/],
    ] as const) {
      client = createFakeClient();
      client.setMessages([said('assistant', 'Hello', createdAt)]);
      await mount({ locale });
      await vi.waitFor(() => expect(messages()).toHaveLength(1));
      const time = messages()[0]!.querySelector('time')!;
      expect(time.getAttribute('datetime')).toBe(createdAt);
      expect(time.textContent).toMatch(shown);
      chat!.destroy();
    }
  });

  it('an earlier day shows the date too', async () => {
    const yesterday = new Date(at(9, 30, 0, 1));
    const month = new Intl.DateTimeFormat('en-US', { month: 'short' }).format(yesterday);
    client.setMessages([
      said('visitor', 'Old question', new Date(2024, 2, 7, 9, 30).toISOString()),
      said('assistant', 'Older answer', yesterday.toISOString()),
    ]);
    await mount({ locale: 'en-US' });
    await vi.waitFor(() => expect(messages()).toHaveLength(2));
    const [longAgo, earlierDay] = shownTimes();
    expect(longAgo).toMatch(/^Mar 7, 9:30\sAM$/);
    expect(earlierDay).toContain(`${month} ${yesterday.getDate()}`);
    expect(earlierDay).toMatch(/9:30\sAM$/);
    expect(shownTimes().map((time) => time!.includes(':'))).toEqual([true, true]);
  });

  it("one author's messages in the same minute show one time, under the last; another author or minute shows its own", async () => {
    client.setMessages([
      said('visitor', 'one', at(10, 1, 5)),
      said('visitor', 'two', at(10, 1, 50)),
      said('assistant', 'answer', at(10, 1, 55)),
      said('visitor', 'three', at(10, 2, 1)),
      said('visitor', 'four', at(10, 4, 0)),
    ]);
    await mount({ locale: 'en-GB' });
    await vi.waitFor(() => expect(messages()).toHaveLength(5));
    expect(shownTimes()).toEqual([null, '10:01', '10:01', '10:02', '10:04']);
    // A message that joins the run takes the time over.
    client.setMessages([...client.getState().messages, said('visitor', 'five', at(10, 4, 30))]);
    await vi.waitFor(() => expect(shownTimes()).toEqual([null, '10:01', '10:01', '10:02', null, '10:04']));
  });

  it('the polite region says what arrived, without its time', async () => {
    await mount({ locale: 'en-GB' });
    client.arrive(msg('agent', 'Hello there', 'sent', { agent: { name: 'Olena' }, createdAt: at(16, 45) }));
    await settle();
    expect(messages()[0]!.querySelector('time')!.textContent).toBe('16:45');
    expect(announced()).toBe('Olena: Hello there');
  });

  it('no time for a message whose time cannot be read; the status line stays', async () => {
    client.setMessages([msg('visitor', 'hi', 'queued', { createdAt: 'not a time' })]);
    await mount();
    await vi.waitFor(() => expect(messages()).toHaveLength(1));
    expect(shadow().querySelector('time')).toBeNull();
    expect(messages()[0]!.querySelector('.meta')!.textContent).toBe('Queued, will send when online');
  });

  it('one formatter per locale and kind, however many messages are drawn', async () => {
    const Format = Intl.DateTimeFormat;
    const made = vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(function (this: unknown, ...args) {
      return new Format(...args);
    } as typeof Format);
    client.setMessages(Array.from({ length: 30 }, (_, index) => said(index % 2 ? 'visitor' : 'assistant', `m${index}`, at(8, index))));
    await mount({ locale: 'de-CH' });
    await vi.waitFor(() => expect(shownTimes().filter(Boolean)).toHaveLength(20));
    expect(made.mock.calls.filter(([locale]) => locale === 'de-CH')).toHaveLength(1);
  });
});
