// A chat an agent ended: its session is forgotten at once, so the visitor's next message starts a new one
// with no failed request first; a line marks where it ended, and `chat-ended` tells the page. Loaded when
// live updates first hear of an ended chat.
import { nanoid } from 'nanoid';
import type { Emitter } from './emitter';
import { isString } from './guards';
import type { ChatStore } from './store';
import { now } from './transcript';
import type { ChatClientEvents, ChatMessage } from './types';

/** The line's text for headless use; the widget shows its own, localized. */
export const ENDED_TEXT = 'This chat has ended';

/**
 * The chat's session `sessionId` was closed: `said` is the history's `data.session` (`id`) or the socket's
 * `session:closed` payload (`session_id`), with `closed_at` (the server's time; now when it sent none).
 */
export function markEnded(
  store: ChatStore,
  emitter: Emitter<ChatClientEvents>,
  chatId: string,
  sessionId: string,
  said: Record<string, unknown>,
): void {
  const { closed_at: closedAt, session_id: named = said.id } = said;
  // About another session, heard twice (a poll and the socket) or late (the chat has a new session by now).
  if ((named !== undefined && named !== sessionId) || store.chat(chatId)?.sessionId !== sessionId) return;
  const endedAt = isString(closedAt) && !Number.isNaN(Date.parse(closedAt)) ? closedAt : now();
  const line: ChatMessage = { id: nanoid(), author: 'system', text: ENDED_TEXT, status: 'sent', createdAt: endedAt, notice: 'ended' };
  store.updateChat(chatId, ({ sessionId: _closed, expiresAt: _expires, ...chat }) => {
    const messages = [...chat.messages];
    // Below what the old session holds; messages still waiting in the outbox go to the new session, after the line.
    const waiting = messages.findIndex((m) => m.author === 'visitor' && m.status === 'queued');
    messages.splice(waiting < 0 ? messages.length : waiting, 0, line);
    return { ...chat, endedAt, messages };
  });
  store.changed();
  emitter.emit('message', { chatId, message: line, sender: 'system' });
  emitter.emit('chat-ended', { chatId, endedAt });
}
