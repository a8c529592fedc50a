// The outbox: each visitor message is delivered once, in order, per chat, through network faults and the
// backend's recoverable errors, and its answer (streamed or plain) lands next to it.
import { linkAbort } from './abort';
import { createAnswers } from './answers';
import type { Connectivity } from './connectivity';
import { ChatError, toChatError } from './errors';
import type { ClientOptions } from './options';
import { type Recovery, recoveryFor, type Sessions } from './sessions';
import type { ChatStore } from './store';
import { isPending } from './transcript';
import type { ChatMessage } from './types';
import type { Api, ChatBody } from './wire/api';

export interface OutboxOptions {
  config: Pick<ClientOptions, 'streaming' | 'streamFirstByteTimeout' | 'streamIdleTimeout' | 'streamMaxDuration'>;
  api: Api;
  store: ChatStore;
  sessions: Sessions;
  connectivity: Connectivity;
  /** The client's lifetime: destroy() aborts it, and every delivery with it. */
  lifetime: AbortSignal;
  /** An answer arrived complete (unread counting). */
  arrived(chatId: string, messages: readonly ChatMessage[]): void;
  /** A failure: emitted as `error`; one not tied to a message is also the state's `error` (null clears it). */
  reportError(error: ChatError | null, messageId?: string): void;
}

export interface Outbox {
  /** Queue a visitor message in the current chat and start delivering it; resolves with it as stored. */
  submit(message: ChatMessage): ChatMessage;
  /** Send a failed message again, or re-ask for an interrupted answer (with the same client_message_id). */
  retry(messageId: string): void;
  /**
   * Leave the messages waiting now to their owner (a tab that may be a copy of another, or whose copy took
   * them over): none of them goes out from here until resume(), not even one being retried.
   */
  hold(): void;
  /** Deliver what an earlier page (or the tab this one copied) left in the outbox, in order, per chat. */
  resume(): void;
  /** Abort what is on its way in this chat (Stop); what waits in the outbox stays queued. */
  stop(chatId: string, reason: ChatError): void;
  /** Abort every delivery (reset()). */
  abortAll(reason: ChatError): void;
}

/** An attempt refused because another tab owns the message now (not retried, not reported). */
const HELD = new ChatError('aborted', 'Another tab delivers this message.');

export function createOutbox(options: OutboxOptions): Outbox {
  const { config, store, sessions, connectivity, lifetime } = options;
  /** The attempt in flight per chat, so Stop can abort it. */
  const attempts = new Map<string, AbortController>();
  const draining = new Set<string>();
  /** Messages this tab does not deliver (yet): another tab owns them. */
  let held = new Set<string>();
  const nextToDeliver = (chatId: string): ChatMessage | undefined =>
    store.chat(chatId)?.messages.find((m) => isPending(m) && !held.has(m.id));

  const answers = createAnswers(options);

  /** One attempt at the chat request, with the visitor and session it needs. */
  async function send(chatId: string, message: ChatMessage, signal: AbortSignal, recovered: Set<Recovery>): Promise<void> {
    const visitorId = await sessions.ensureVisitor(signal);
    const session = await sessions.ensureSession(chatId, visitorId, signal, recovered);
    const body: ChatBody = {
      message: message.text,
      session_id: session.sessionId,
      visitor_id: session.visitorId,
      client_message_id: message.id,
    };
    if (message.attachments) body.attachment_ids = message.attachments.map((a) => a.id);
    store.patchMessage(chatId, message.id, { status: 'sending' });
    await (config.streaming ? answers.byStream : answers.plain)(chatId, message.id, body, signal);
  }

  /** Deliver one visitor message: settles it as sent or failed, or leaves it queued when destroyed or held. */
  async function deliver(chatId: string, messageId: string, signal: AbortSignal): Promise<void> {
    const recovered = new Set<Recovery>();
    const markQueued = (failure: ChatError): void => store.patchMessage(chatId, messageId, { status: 'queued', error: failure.toJSON() });
    const heldHere = (): boolean => {
      if (!held.has(messageId)) return false;
      if (store.message(chatId, messageId)?.status === 'sending') store.patchMessage(chatId, messageId, { status: 'queued' });
      return true;
    };
    for (;;) {
      const message = store.message(chatId, messageId);
      if (!message || lifetime.aborted || heldHere()) return;
      try {
        if (connectivity.isOffline()) {
          store.patchMessage(chatId, messageId, { status: 'queued' });
          await connectivity.untilOnline(signal);
        }
        store.patchMessage(chatId, messageId, { status: 'sending' });
        await connectivity.withRetries(
          // Each attempt asks again: another tab may have taken the message over during a wait.
          () => (held.has(messageId) ? Promise.reject(HELD) : send(chatId, message, signal, recovered)),
          signal,
          markQueued,
        );
        if (store.get('error')) options.reportError(null);
        return;
      } catch (caught) {
        // Destroyed, the chat forgotten by reset(), or the message another tab's now: nothing to report.
        if (lifetime.aborted || !store.message(chatId, messageId) || heldHere()) return;
        const failure = toChatError(caught);
        const step = recoveryFor(failure, recovered);
        if (step) sessions.dropSession(chatId);
        if (step) belowEndedLine(chatId, messageId);
        if (step === 'session') continue;
        let cause = caught;
        if (step === 'visitor') {
          try {
            await sessions.replaceVisitor(store.get('visitorId') ?? '', signal);
            continue;
          } catch (replaceFailure) {
            if (lifetime.aborted) return;
            cause = replaceFailure;
          }
        }
        const final =
          failure.code === 'aborted' ? new ChatError('aborted', 'Stopped before it was sent.', { retryable: true }) : toChatError(cause);
        store.patchMessage(chatId, messageId, { status: 'failed', error: { ...final.toJSON(), retryable: true } });
        options.reportError(final, messageId);
        return;
      }
    }
  }

  /**
   * A message the old session refused goes to a new one: if an agent ended the chat meanwhile, it moves below
   * the "ended" line, with the conversation it now belongs to (before what waited behind it).
   */
  function belowEndedLine(chatId: string, messageId: string): void {
    const messages = store.chat(chatId)?.messages ?? [];
    const at = messages.findIndex((m) => m.id === messageId);
    const line = messages.findIndex((m, index) => index > at && m.notice === 'ended');
    if (at < 0 || line < 0) return;
    const moved = [...messages.slice(0, at), ...messages.slice(at + 1, line + 1), messages[at]!, ...messages.slice(line + 1)];
    store.updateChat(chatId, (chat) => ({ ...chat, messages: moved }));
    store.changed();
  }

  /** One worker per chat: messages leave in the order they were written. */
  async function drain(chatId: string): Promise<void> {
    if (draining.has(chatId)) return;
    draining.add(chatId);
    try {
      for (;;) {
        const next = nextToDeliver(chatId);
        if (!next || lifetime.aborted) return;
        const attempt = linkAbort(lifetime);
        attempts.set(chatId, attempt);
        try {
          await deliver(chatId, next.id, attempt.signal);
        } finally {
          attempts.delete(chatId);
          attempt.unlink();
        }
      }
    } finally {
      draining.delete(chatId);
    }
  }

  return {
    submit(message) {
      const chatId = store.currentChatId();
      store.insertMessage(chatId, message);
      void drain(chatId);
      return store.message(chatId, message.id) ?? message;
    },
    retry(messageId) {
      for (const chat of store.chats()) {
        const message = chat.messages.find((m) => m.id === messageId);
        if (!message) continue;
        const question = message.author === 'visitor' ? message : chat.messages.find((m) => m.id === message.replyTo);
        if (!question || isPending(question)) return;
        store.patchMessage(chat.id, question.id, { status: 'queued', error: undefined });
        void drain(chat.id);
        return;
      }
    },
    hold() {
      held = new Set(store.chats().flatMap((chat) => chat.messages.filter(isPending).map((m) => m.id)));
    },
    resume() {
      held = new Set();
      for (const chat of store.chats()) if (chat.messages.some(isPending)) void drain(chat.id);
    },
    stop(chatId, reason) {
      const busy = store.chat(chatId)?.messages.some((m) => m.status === 'sending' || m.status === 'streaming');
      if (busy) attempts.get(chatId)?.abort(reason);
    },
    abortAll(reason) {
      for (const attempt of attempts.values()) attempt.abort(reason);
    },
  };
}
