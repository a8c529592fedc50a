// Rating an answer: once per answer, sent to the server with the answer's server id.
import type { Connectivity } from './connectivity';
import type { Emitter } from './emitter';
import { ChatError } from './errors';
import type { ChatStore } from './store';
import type { ChatClientEvents, Feedback } from './types';
import type { Api } from './wire/api';

export function createFeedback(
  api: Api,
  store: ChatStore,
  connectivity: Connectivity,
  emitter: Emitter<ChatClientEvents>,
  signal: AbortSignal,
) {
  /** Answers being rated now, so a double click sends one rating. */
  const rating = new Set<string>();

  return async function rate(messageId: string, value: Feedback['rating'], comment?: string): Promise<void> {
    if (value !== 'up' && value !== 'down') throw new ChatError('invalid-input', 'feedback(): the rating must be "up" or "down".');
    const chat = store.chats().find((c) => c.messages.some((m) => m.id === messageId));
    const answer = chat?.messages.find((m) => m.id === messageId);
    const { serverId } = answer ?? {};
    const { sessionId, visitorId } = chat ?? {};
    if (!chat || !answer || answer.author === 'visitor' || answer.status !== 'sent' || !serverId || !sessionId || !visitorId) {
      throw new ChatError('invalid-input', 'feedback(): only a complete answer the server knows can be rated.');
    }
    if (answer.feedback || rating.has(messageId)) return;
    const given: Feedback = { rating: value };
    const note = typeof comment === 'string' ? comment.trim().slice(0, 1000) : '';
    if (note) given.comment = note;
    rating.add(messageId);
    try {
      await connectivity.withRetries(
        () => api.feedback(serverId, { ...given, visitor_id: visitorId, session_id: sessionId }, signal),
        signal,
      );
    } finally {
      rating.delete(messageId);
    }
    store.patchMessage(chat.id, messageId, { feedback: given });
    emitter.emit('feedback', { chatId: chat.id, messageId, ...given });
  };
}
