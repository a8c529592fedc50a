// The client's parts, wired to each other: the composition root behind the public API (client.ts).
import { type Attention, createAttention } from './attention';
import { type Connectivity, createConnectivity } from './connectivity';
import { createEmitter, type Emitter } from './emitter';
import type { ChatError } from './errors';
import { createIdentity, type Identity } from './identity';
import { createLive, type Live, type LiveHost } from './live';
import { logError } from './log';
import type { ClientOptions } from './options';
import { createOutbox, type Outbox } from './outbox';
import { createSessions, type Sessions } from './sessions';
import { type SafeStorage, safeStorage, storageKey } from './storage';
import { type ChatStore, createStore } from './store';
import { claimTab, type TabClaim, type TabLocks } from './tab';
import type { ChatClientEvents, ChatClientOptions } from './types';
import { createVisitorManager, type VisitorManager } from './visitor';
import { type Api, createApi } from './wire/api';

/** What a client is made of. */
export interface ClientParts {
  config: ClientOptions;
  injected: Omit<ChatClientOptions, 'apiKey' | 'apiUrl'>;
  api: Api;
  /** localStorage (the visitor, the profile) and the tab's sessionStorage (the chats), both safe. */
  local: SafeStorage;
  visitor: VisitorManager;
  emitter: Emitter<ChatClientEvents>;
  /** destroy() aborts it, and with it everything in flight. */
  lifetime: AbortController;
  store: ChatStore;
  connectivity: Connectivity;
  attention: Attention;
  sessions: Sessions;
  identity: Identity;
  outbox: Outbox;
  live: Live;
  /** Find out whether this tab owns its chats' outbox or is a copy of a tab still open (tab.ts). */
  claimTab(): Promise<TabClaim>;
  /** A failure: emitted as `error`; one not tied to a message is also the state's `error` (null clears it). */
  reportError(error: ChatError | null, messageId?: string): void;
}

/** `load`: read storage, called before the first snapshot (the client's start-up is lazy). */
export function createParts(config: ClientOptions, injected: ClientParts['injected'], load: () => void): ClientParts {
  const api = createApi({
    apiUrl: config.apiUrl,
    apiKey: config.apiKey,
    timeoutMs: config.requestTimeout,
    fetch: () => injected.fetch ?? globalThis.fetch,
  });
  const local = safeStorage(() => injected.localStorage ?? globalThis.localStorage);
  const tab = safeStorage(() => injected.sessionStorage ?? globalThis.sessionStorage);
  const reportHandlerError = (error: unknown): void => logError('An event handler threw:', error);
  const emitter = createEmitter<ChatClientEvents>(reportHandlerError);
  const lifetime = new AbortController();
  const signal = lifetime.signal;
  const visitor = createVisitorManager(api, local, storageKey('visitor', config.apiUrl), signal);

  const store = createStore({
    storage: tab,
    key: storageKey('chats', config.apiUrl),
    emitter,
    onListenerError: reportHandlerError,
    beforeRead: load,
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

  return {
    config,
    injected,
    api,
    local,
    visitor,
    emitter,
    lifetime,
    store,
    connectivity,
    attention,
    sessions,
    identity,
    outbox,
    live,
    reportError,
    claimTab: () =>
      claimTab(tab, storageKey('tab', config.apiUrl), (globalThis.navigator as { locks?: TabLocks } | undefined)?.locks, signal),
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
      attention.arrived(chatId, added);
    },
    // Rare, so its code loads when it happens; until then (or if it cannot load) a send recovers from the 404.
    // Marked even if the client was destroyed meanwhile: the chat has ended all the same.
    ended: (chatId, sessionId, said) =>
      void import('./ended').then(
        ({ markEnded }) => markEnded(store, emitter, chatId, sessionId, said),
        () => undefined,
      ),
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
