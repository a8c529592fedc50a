// The headless chat client: the public API, composed of the parts that do the work.
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
import { createAttention, type Attention } from './attention';
import { createConnectivity } from './connectivity';
import { createEmitter, type Emitter } from './emitter';
import { ChatError, toChatError } from './errors';
import type { createFeedback } from './feedback';
import { createIdentity } from './identity';
import { createLive, type LiveHost } from './live';
import { logError } from './log';
import { resolveClientOptions, type ClientOptions } from './options';
import { createOutbox } from './outbox';
import { createSessions } from './sessions';
import { safeStorage, storageKey } from './storage';
import { createStore, type ChatStore } from './store';
import { newChatRecord, now, readAttachments } from './transcript';
import type { ChatClient, ChatClientEvents, ChatClientOptions, ChatMessage } from './types';
import { createVisitorManager } from './visitor';
import { listenToWindow } from './window-events';
import { createApi } from './wire/api';

/**
 * The headless chat client: visitor, sessions, transcript, and an outbox that delivers each
 * visitor message once, in order, through network faults and the backend's recoverable errors.
 */
export function createChatClient(options: ChatClientOptions): ChatClient {
  return createClient(resolveClientOptions(options), options);
}

/** The client for options already checked (the widget checks them, with the rest of its own, at start-up). */
export function createClient(config: ClientOptions, injected: Omit<ChatClientOptions, 'apiKey' | 'apiUrl'> = {}): ChatClient {
  const api = createApi({ apiUrl: config.apiUrl, apiKey: config.apiKey, timeoutMs: config.requestTimeout, fetch: () => injected.fetch ?? globalThis.fetch });
  const local = safeStorage(() => injected.localStorage ?? globalThis.localStorage);
  const tab = safeStorage(() => injected.sessionStorage ?? globalThis.sessionStorage);
  const visitor = createVisitorManager(api, local, storageKey('visitor', config.apiUrl));
  /** Set and removed at once by reset(): other tabs hear it and forget their chats too. */
  const resetKey = storageKey('reset', config.apiUrl);
  const reportHandlerError = (error: unknown): void => logError('An event handler threw:', error);
  const emitter = createEmitter<ChatClientEvents>(reportHandlerError);
  const lifetime = new AbortController();
  const signal = lifetime.signal;
  let loaded = false;
  let stopListening = (): void => undefined;

  const store = createStore({
    storage: tab,
    key: storageKey('chats', config.apiUrl),
    emitter,
    onListenerError: reportHandlerError,
    beforeRead: () => load(),
    isIdentified: (visitorId) => identity.isIdentified(visitorId),
    afterChange: () => live.check(),
  });
  const connectivity = createConnectivity(config.maxRetries, (delta) => {
    store.count('offline', delta);
    store.changed(false);
  });
  const attention = createAttention(store, emitter);
  const sessions = createSessions(api, visitor, store, emitter);
  const identity = createIdentity(local, storageKey('profile', config.apiUrl), store.publish);
  const reportError = errorReporter(store, emitter);
  const outbox = createOutbox({ config, api, store, sessions, connectivity, lifetime: signal, arrived: attention.arrived, reportError });
  const live = createLive(config, injected, api, liveHost(store, emitter, attention), signal);
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
      pagehide: () => store.flush(),
    });
    // A restored chat with a session is synced now: agent replies may have arrived meanwhile.
    live.check();
    // Messages left in the outbox by an earlier page go out now, in order.
    outbox.resume();
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
      return upload({ config, XMLHttpRequest: injected.XMLHttpRequest, store, sessions, connectivity, lifetime: signal }, file, uploadOptions);
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

/** How live updates read and change the chats: merges go through the store; typing and health are shown. */
function liveHost(store: ChatStore, emitter: Emitter<ChatClientEvents>, attention: Attention): LiveHost {
  return {
    chat: store.chat,
    chats: store.chats,
    apply(chatId, { chat, added, patched }) {
      store.updateChat(chatId, () => chat);
      store.changed();
      for (const message of [...patched, ...added]) emitter.emit('message', { chatId, message, sender: message.author });
      for (const message of added) attention.arrived(chatId, message);
    },
    typing(state) {
      if (JSON.stringify(state) === JSON.stringify(store.get('agentTyping'))) return;
      store.set({ agentTyping: state });
      emitter.emit('agent-typing', { isTyping: !!state, ...state });
    },
    connection(state) {
      if (state === store.get('connection')) return;
      store.set({ connection: state });
      emitter.emit('connection', { state });
    },
  };
}

/** Failures are emitted as `error`; one not tied to a message is also the state's `error` (null clears it). */
function errorReporter(store: ChatStore, emitter: Emitter<ChatClientEvents>) {
  return (error: ChatError | null, messageId?: string): void => {
    if (error) emitter.emit('error', messageId ? { error: error.toJSON(), messageId } : { error: error.toJSON() });
    if (!messageId) store.set({ error: error ? error.toJSON() : null });
  };
}
