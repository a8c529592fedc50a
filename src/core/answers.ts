// Reading the answer to a visitor message the server now has: streamed chunk by chunk, or in one piece. It
// lands next to its question (a retry reuses the earlier answer), keyed by the server's ids when it gives them.
import { nanoid } from 'nanoid';
import { toChatError } from './errors';
import type { OutboxOptions } from './outbox';
import { now } from './transcript';
import type { ChatMessage } from './types';
import type { ChatBody } from './wire/api';
import { readChatStream } from './wire/sse';

export interface Answers {
  /** Ask over the event stream; the visitor message is `sent` once the response starts. */
  byStream(chatId: string, questionId: string, body: ChatBody, signal: AbortSignal): Promise<void>;
  /** Ask for the whole answer in one response. */
  plain(chatId: string, questionId: string, body: ChatBody, signal: AbortSignal): Promise<void>;
}

export function createAnswers(options: Pick<OutboxOptions, 'config' | 'api' | 'store' | 'lifetime' | 'arrived' | 'reportError'>): Answers {
  const { config, api, store, lifetime } = options;

  /** The answer to a visitor message: the earlier (failed or stopped) one is reused, so a retry replaces it. */
  function startAnswer(chatId: string, questionId: string): string {
    const existing = store.chat(chatId)?.messages.find((m) => m.replyTo === questionId);
    if (existing) {
      store.patchMessage(chatId, existing.id, { text: '', status: 'streaming', error: undefined, stopped: undefined, createdAt: now() });
      return existing.id;
    }
    const answer: ChatMessage = { id: nanoid(), author: 'assistant', text: '', status: 'streaming', createdAt: now(), replyTo: questionId };
    store.insertMessage(chatId, answer, questionId);
    return answer.id;
  }

  async function byStream(chatId: string, questionId: string, body: ChatBody, signal: AbortSignal): Promise<void> {
    const asked = Date.now();
    const response = await api.chatStream(body, signal, config.streamFirstByteTimeout);
    // The server has the message now; whatever happens to the answer, it is not sent again by itself.
    store.patchMessage(chatId, questionId, { status: 'sent', error: undefined });
    const answerId = startAnswer(chatId, questionId);
    let text = '';
    try {
      const end = await readChatStream(response, {
        signal,
        // One time-out from the request to the first progress, headers included.
        firstByteTimeoutMs: Math.max(1, config.streamFirstByteTimeout - (Date.now() - asked)),
        idleTimeoutMs: config.streamIdleTimeout,
        maxDurationMs: config.streamMaxDuration,
        // Keyed early: a copy of this answer in the history (even a stopped one) matches it by id.
        onIds({ messageId, responseId }) {
          if (messageId) store.patchMessage(chatId, questionId, { serverId: messageId }, false);
          if (responseId) store.patchMessage(chatId, answerId, { serverId: responseId }, false);
        },
        onChunk(chunk) {
          text += chunk;
          store.patchMessage(chatId, answerId, { text }, false);
        },
      });
      if (end.messageId) store.patchMessage(chatId, questionId, { serverId: end.messageId });
      const { responseId, suggestions } = end;
      store.patchMessage(
        chatId,
        answerId,
        responseId ? { status: 'sent', serverId: responseId, suggestions } : { status: 'sent', suggestions },
      );
      options.arrived(chatId, [store.message(chatId, answerId)!]);
    } catch (caught) {
      const failure = toChatError(caught);
      if (failure.code === 'aborted' && !lifetime.aborted) {
        store.patchMessage(chatId, answerId, { status: 'sent', stopped: true });
        return;
      }
      store.patchMessage(chatId, answerId, { status: 'failed', error: failure.toJSON() });
      if (!lifetime.aborted) options.reportError(failure, answerId);
    }
  }

  async function plain(chatId: string, questionId: string, body: ChatBody, signal: AbortSignal): Promise<void> {
    const reply = await api.chat(body, signal);
    store.patchMessage(chatId, questionId, { status: 'sent', error: undefined, serverId: reply.message_id });
    const answerId = startAnswer(chatId, questionId);
    store.patchMessage(chatId, answerId, {
      text: reply.response,
      status: 'sent',
      serverId: reply.response_id,
      suggestions: reply.suggestions,
    });
    options.arrived(chatId, [store.message(chatId, answerId)!]);
  }

  return { byStream, plain };
}
