// @vitest-environment happy-dom
// A chat an agent ended: the line in the widget's language, said once (not again after a reload), the
// composer as before, and the conversation list marking the chat.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Chat, ChatMessage } from '../../src/core/types';
import type { WidgetInstance } from '../../src/widget';
import { createFakeClient, type FakeClient, msg } from './fake-client';
import {
  announced,
  button,
  buttons,
  compileWindowParts,
  messages,
  nameOf,
  openChat,
  settle,
  shadow,
  startChat,
  textbox,
  textOf,
} from './helpers';

let client: FakeClient;
let chat: WidgetInstance | undefined;

beforeAll(() => compileWindowParts());
beforeEach(() => {
  client = createFakeClient();
});
afterEach(() => {
  chat?.destroy();
  chat = undefined;
  sessionStorage.clear();
  vi.restoreAllMocks();
});

/** The line the core adds (its text is English: the widget shows its own). */
const endedLine = (): ChatMessage => msg('system', 'This chat has ended', 'sent', { notice: 'ended' });
const record = (id: string, list: ChatMessage[], extra: Partial<Chat> = {}): Chat => ({ id, createdAt: '', messages: list, ...extra });

describe('a chat an agent ended', () => {
  const cases: [string, string, string][] = [
    ['en', 'This chat has ended', 'Write a message…'],
    ['uk', 'Цей чат завершено', 'Напишіть повідомлення…'],
    ['ru', 'Этот чат завершён', 'Напишите сообщение…'],
  ];
  for (const [locale, line, placeholder] of cases) {
    it(`shows "${line}" (${locale}) at the end, said once and not again after a reload; the composer stays as it was`, async () => {
      const before = [msg('visitor', 'q'), msg('agent', 'Bye!', 'sent', { agent: { name: 'Olena' } })];
      client.setState({ currentChatId: 'a', messages: before, chats: [record('a', before)] });
      chat = startChat(client, { locale });
      await openChat(chat);
      await settle();

      const after = [...before, endedLine()];
      client.setState({ messages: after, chats: [record('a', after, { endedAt: '2026-01-01T00:00:00Z' })] });
      await vi.waitFor(() => expect(messages()).toHaveLength(3));
      const shown = messages().at(-1)!;
      expect(shown.dataset.author).toBe('system');
      expect(textOf(shown)).toBe(line);
      await vi.waitFor(() => expect(announced()).toBe(line));
      expect(textbox().disabled).toBe(false);
      expect(textbox().placeholder).toBe(placeholder);

      // A reload: the line is there, and nothing is said.
      chat.destroy();
      chat = startChat(client, { locale });
      await openChat(chat);
      await settle();
      expect(textOf(messages().at(-1)!)).toBe(line);
      expect(announced()).toBe('');
    });
  }

  it('the conversation list marks the ended chat, in its name too', async () => {
    const ended = [msg('visitor', 'Where is my order?'), endedLine()];
    const open = [msg('visitor', 'Another question')];
    client.setState({
      currentChatId: 'b',
      messages: open,
      chats: [record('a', ended, { endedAt: '2026-01-01T00:00:00Z' }), record('b', open)],
    });
    chat = startChat(client, { locale: 'uk' });
    await openChat(chat);
    await settle();
    button('Чати')!.click();
    await vi.waitFor(() => expect(shadow().querySelector('nav.cl')).not.toBeNull());
    const rows = buttons().filter((b) => b.closest('nav.cl'));
    const name = (title: string) => nameOf(rows.find((b) => b.textContent!.startsWith(title))!);
    expect(name('Where is my order?')).toMatch(/Завершено$/);
    expect(name('Another question')).not.toMatch(/Завершено/);
  });
});
