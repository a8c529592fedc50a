// The headless chat client: the public API over the parts that do the work (wired in parts.ts).
//
//   store        this tab's chats and the snapshot subscribers get       store.ts
//   sessions     the visitor and each chat's session, with recovery      sessions.ts, visitor.ts
//   outbox       delivery of visitor messages, answers streamed or plain outbox.ts
//   connectivity retries with backoff, waiting for the network           connectivity.ts
//   live         agent messages by polling or WebSocket                  live/
//   attention    presence, unread counts                                 attention.ts
//   identity     identify() and the visitor's profile                    identity.ts
//   wire         the backend contract: JSON requests, SSE, uploads       wire/
import { nanoid } from 'nanoid';
import { ChatError, toChatError } from './errors';
import type { createFeedback } from './feedback';
import { type ClientOptions, resolveClientOptions } from './options';
import { createParts } from './parts';
import { storageKey } from './storage';
import type { TabClaim } from './tab';
import { newChatRecord, now, readAttachments } from './transcript';
import type { ChatClient, ChatClientOptions, ChatMessage } from './types';
import { listenToWindow } from './window-events';

/**
 * The headless chat client: visitor, sessions, transcript, and an outbox that delivers each
 * visitor message once, in order, through network faults and the backend's recoverable errors.
 */
export function createChatClient(options: ChatClientOptions): ChatClient {
  return createClient(resolveClientOptions(options), options);
}

/** The client for options already checked (the widget checks them, with the rest of its own, at start-up). */
export function createClient(config: ClientOptions, injected: Omit<ChatClientOptions, 'apiKey' | 'apiUrl'> = {}): ChatClient {
  const parts = createParts(config, injected, () => load());
  const { api, local, visitor, emitter, lifetime, store, connectivity, attention, sessions, identity, outbox, live, reportError } = parts;
  const signal = lifetime.signal;
  /** Set and removed at once by reset(): other tabs hear it and forget their chats too. */
  const resetKey = storageKey('reset', config.apiUrl);
  let loaded = false;
  /** This tab's claim on its chats' outbox (tab.ts), once known. */
  let tab: TabClaim | undefined;
  let stopListening = (): void => undefined;
  // Only some sites rate answers, identify visitors or upload files: those parts load when first used.
  let rate: Promise<ReturnType<typeof createFeedback>> | undefined;

  /** Read storage on first use (start-up costs nothing until needed); then follow the window and resume. */
  function load(): void {
    if (loaded) return;
    loaded = true;
    identity.load();
    store.load(visitor.stored());
    stopListening = listenToWindow({
      online() {
        connectivity.wake();
        live.online();
      },
      storage({ key, newValue }) {
        if (key === visitor.key) sessions.setVisitor(visitor.adopt(newValue));
        else if (key === resetKey && newValue) forgetAll();
        else if (key === identity.key) identity.load();
      },
      pagehide(cached) {
        store.flush();
        if (cached) tab?.pause();
      },
      restored() {
        // A copy of this tab took the outbox over while this page was away: its waiting messages are the copy's now.
        void tab?.resume().then((own) => own || outbox.hold());
        // Timers and sockets were frozen: what arrived meanwhile is fetched now.
        live.online();
      },
    });
    // A restored chat with a session is synced now: agent replies may have arrived meanwhile.
    live.check();
    // Messages left in the outbox by an earlier page go out now, in order; in a duplicated tab, only once
    // the tab it copied is gone (that tab delivers them meanwhile).
    outbox.hold();
    void parts
      .claimTab()
      .then((claim) => {
        tab = claim;
        return claim.originalGone;
      })
      .then(() => signal.aborted || outbox.resume());
  }

  const destroyed = (): ChatError => new ChatError('aborted', 'This chat client was destroyed.');
  /** Every public call that needs the client: refuse after destroy(), read storage on first use. */
  const alive = (): void => {
    if (signal.aborted) throw destroyed();
    load();
  };
  const invalid = (message: string): ChatError => new ChatError('invalid-input', message);
  /** A public call that takes the client's lifetime: refused (rejected) after destroy(). */
  const guarded =
    <Args extends unknown[], Result>(work: (...args: Args) => Result) =>
    async (...args: Args): Promise<Awaited<Result>> => {
      alive();
      return await work(...args);
    };

  /** reset() here or in another tab: everything of this visitor on this device goes. */
  function forgetAll(): void {
    outbox.abortAll(new ChatError('aborted', 'The chat was reset.'));
    visitor.forget();
    identity.forget();
    store.erase();
    sessions.forget();
    const chat = newChatRecord();
    store.restart(chat);
    attention.setUnread(0);
    store.publish();
    live.check();
    emitter.emit('chat', { chatId: chat.id });
  }

  function reset(): void {
    if (signal.aborted) return;
    load();
    forgetAll();
    // Other tabs of this site hear the key being set (storage events fire on change only).
    local.setItem(resetKey, `${Date.now()}`);
    local.removeItem(resetKey);
  }

  return {
    getState: store.getState,
    subscribe: store.subscribe,
    on: (name, handler) => emitter.on(name, handler),

    async connect() {
      alive();
      try {
        const id = await connectivity.withRetries(() => sessions.ensureVisitor(signal), signal);
        if (store.get('error')) reportError(null);
        return id;
      } catch (caught) {
        const failure = toChatError(caught);
        if (!signal.aborted) reportError(failure);
        throw failure;
      }
    },

    async send(text, sendOptions) {
      alive();
      const attachments = readAttachments(sendOptions?.attachments);
      if (typeof text !== 'string' || (!text.trim() && !attachments)) throw invalid('Type a message first.');
      const body = text.replace(/\s+$/, '');
      if (body.length > config.maxMessageLength) {
        throw invalid(`Messages can be at most ${config.maxMessageLength} characters long (this one has ${body.length}).`);
      }
      const message: ChatMessage = { id: nanoid(), author: 'visitor', text: body, status: 'queued', createdAt: now() };
      if (attachments) message.attachments = attachments;
      live.typing(false);
      return outbox.submit(message);
    },

    retry: guarded(outbox.retry),

    // Only a request in progress is stopped: a message waiting in the outbox (offline, or for a retry)
    // stays queued instead of turning into a failure.
    stop: () => outbox.stop(store.currentChatId(), new ChatError('aborted', 'Stopped.')),

    async newChat() {
      alive();
      const current = store.chat();
      if (!current || current.messages.length > 0) {
        const chat = newChatRecord();
        store.addChat(chat);
        emitter.emit('chat', { chatId: chat.id });
      }
      const chatId = store.currentChatId();
      sessions.prepare(chatId, signal);
      return chatId;
    },

    switchChat(chatId) {
      load();
      if (chatId === store.currentChatId() || !store.chat(chatId)) return;
      store.switchTo(chatId);
      if (attention.attended()) attention.markRead();
      emitter.emit('chat', { chatId });
    },

    upload: guarded(async (file, uploadOptions) => {
      const { upload } = await import('./uploads');
      return upload(
        { config, XMLHttpRequest: injected.XMLHttpRequest, store, sessions, connectivity, lifetime: signal },
        file,
        uploadOptions,
      );
    }),
    feedback: guarded(async (messageId, rating, comment) => {
      rate ??= import('./feedback').then((module) => module.createFeedback(api, store, connectivity, emitter, signal));
      return (await rate)(messageId, rating, comment);
    }),
    identify: guarded(async (attributes, { signature } = {}) => {
      const { identify } = await import('./identify');
      return identify({ api, sessions, connectivity, identity, reset }, attributes, signature, signal);
    }),

    reset,

    setPresence(presence) {
      attention.setPresence(presence);
      live.presence(presence);
      if (attention.attended()) attention.markRead();
    },
    markRead: () => attention.markRead(),
    setTyping: (isTyping) => live.typing(isTyping === true),

    destroy() {
      if (signal.aborted) return;
      lifetime.abort(destroyed());
      live.stop();
      store.flush();
      stopListening();
      connectivity.clear();
      store.clear();
      emitter.clear();
    },
  };
}
