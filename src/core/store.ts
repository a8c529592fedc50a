// The client's state: this tab's chats, and what a UI shows beside them. Every change makes a new
// immutable snapshot for subscribers; the chats are saved to the tab's storage (streamed chunks at most
// every 500 ms, everything else at once). It knows nothing of the network.
import type { Emitter } from './emitter';
import { readRecord, type SafeStorage, writeRecord } from './storage';
import { isStoredChats, newChatRecord, pruneChats, sanitizeChats, trimChats } from './transcript';
import type { Chat, ChatClientEvents, ChatMessage, ChatState, ClientStatus } from './types';

/** What the snapshot shows beside the chats; each is set by the part that knows it. */
export type Shown = Pick<ChatState, 'visitorId' | 'error' | 'unread' | 'agentTyping' | 'connection'>;

/** Work that shows in the status: creating or validating the visitor; waiting for the network. */
export type Activity = 'connecting' | 'offline';

export interface StoreOptions {
  storage: SafeStorage;
  key: string;
  emitter: Emitter<ChatClientEvents>;
  /** A subscriber threw: reported, never let through (it must not break delivery, nor reach the page). */
  onListenerError(error: unknown): void;
  /** Read everything stored, before the first snapshot (the client's start-up is lazy). */
  beforeRead(): void;
  /** The visitor gave contact details through identify(). */
  isIdentified(visitorId: string | null): boolean;
  /** After each change of the chats, once loaded (live updates follow the current chat). */
  afterChange(): void;
}

export interface ChatStore {
  getState(): ChatState;
  subscribe(listener: (state: ChatState) => void): () => void;
  /** Take the stored chats of this tab (once), a new chat when there are none, and the stored visitor id. */
  load(visitorId: string | null): void;
  chats(): readonly Chat[];
  currentChatId(): string;
  /** The chat with this id, or the current chat. */
  chat(id?: string): Chat | undefined;
  message(chatId: string, id: string): ChatMessage | undefined;
  /** Replace a chat, without publishing: follow with changed(). */
  updateChat(chatId: string, update: (chat: Chat) => Chat): void;
  /** Change a message (fields set to undefined are removed), save and publish; emits `message`. */
  patchMessage(chatId: string, id: string, patch: Partial<ChatMessage>, saveNow?: boolean): void;
  /** Add a message (after `afterId`, else at the end), save and publish; emits `message`. */
  insertMessage(chatId: string, message: ChatMessage, afterId?: string): void;
  /** Add an empty chat and make it current (the oldest go beyond the limit). */
  addChat(chat: Chat): void;
  switchTo(chatId: string): void;
  /** Forget every chat and start one new one (reset()); nothing is saved until the next change. */
  restart(chat: Chat): void;
  /** Save and publish after changing chats (streamed chunks: save within 500 ms). */
  changed(saveNow?: boolean): void;
  /** Publish without saving (for what is not stored). */
  publish(): void;
  get<K extends keyof Shown>(key: K): Shown[K];
  /** Set what is shown beside the chats; publishes when it changed. The visitor id is also stored. */
  set(shown: Partial<Shown>): void;
  /** One more (+1) or one less (-1) of a kind of work that shows in the status (seen at the next publish). */
  count(activity: Activity, delta: 1 | -1): void;
  /** Save now what is waiting to be saved (page hide, destroy). */
  flush(): void;
  /** Remove the stored chats of this tab. */
  erase(): void;
  clear(): void;
}

export function createStore(options: StoreOptions): ChatStore {
  const { storage, key, emitter } = options;
  const listeners = new Set<(state: ChatState) => void>();
  const activity: Record<Activity, number> = { connecting: 0, offline: 0 };
  let loaded = false;
  let chats: Chat[] = [];
  let currentChatId = '';
  let shown: Shown = { visitorId: null, error: null, unread: 0, agentTyping: null, connection: 'online' };
  let status: ClientStatus = 'idle';
  let snapshot: ChatState | null = null;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;

  const findChat = (chatId: string): Chat | undefined => chats.find((chat) => chat.id === chatId);

  function save(): void {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    let data = { currentChatId, visitorId: shown.visitorId, chats };
    // A full storage: trim the oldest settled messages and try again (the live transcript keeps them).
    for (let tries = 0; !writeRecord(storage, key, data) && tries < 3; tries++) {
      data = { ...data, chats: trimChats(data.chats) };
    }
  }

  function deriveStatus(): ClientStatus {
    if (activity.offline > 0) return 'offline';
    const messages = chats.flatMap((chat) => chat.messages);
    if (messages.some((m) => m.status === 'streaming')) return 'streaming';
    if (messages.some((m) => m.status === 'sending')) return 'sending';
    return activity.connecting > 0 ? 'connecting' : 'idle';
  }

  function getState(): ChatState {
    options.beforeRead();
    if (!snapshot) {
      const current = findChat(currentChatId);
      const identified = options.isIdentified(shown.visitorId);
      snapshot = { ...shown, status, currentChatId, chats, messages: current?.messages ?? [], identified };
    }
    return snapshot;
  }

  function publish(): void {
    snapshot = null;
    const next = deriveStatus();
    if (next !== status) {
      status = next;
      emitter.emit('status', { status });
    }
    if (!listeners.size) return;
    const state = getState();
    for (const listener of [...listeners]) {
      try {
        listener(state);
      } catch (error) {
        options.onListenerError(error);
      }
    }
  }

  function changed(saveNow = true): void {
    if (saveNow) save();
    else saveTimer ??= setTimeout(save, 500);
    publish();
    if (loaded) options.afterChange();
  }

  const updateChat = (chatId: string, update: (chat: Chat) => Chat): void => {
    chats = chats.map((chat) => (chat.id === chatId ? update(chat) : chat));
  };

  const emitMessage = (chatId: string, message: ChatMessage): void => emitter.emit('message', { chatId, message, sender: message.author });

  return {
    getState,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    load(visitorId) {
      if (loaded) return;
      loaded = true;
      shown = { ...shown, visitorId };
      const stored = readRecord(storage, key, isStoredChats);
      if (stored) ({ chats, currentChatId } = sanitizeChats(stored));
      if (!findChat(currentChatId)) {
        const chat = chats[chats.length - 1] ?? newChatRecord();
        if (!chats.includes(chat)) chats = [...chats, chat];
        currentChatId = chat.id;
      }
    },
    chats: () => chats,
    currentChatId: () => currentChatId,
    chat: (id = currentChatId) => findChat(id),
    message: (chatId, id) => findChat(chatId)?.messages.find((m) => m.id === id),
    updateChat,
    patchMessage(chatId, id, patch, saveNow = true) {
      const current = findChat(chatId)?.messages.find((m) => m.id === id);
      if (!current) return;
      const updated: ChatMessage = { ...current, ...patch };
      updateChat(chatId, (chat) => ({ ...chat, messages: chat.messages.map((m) => (m === current ? updated : m)) }));
      for (const field of Object.keys(patch) as (keyof ChatMessage)[]) if (patch[field] === undefined) delete updated[field];
      changed(saveNow);
      emitMessage(chatId, updated);
    },
    insertMessage(chatId, message, afterId) {
      updateChat(chatId, (chat) => {
        const messages = [...chat.messages];
        const index = afterId ? messages.findIndex((m) => m.id === afterId) : -1;
        messages.splice(index < 0 ? messages.length : index + 1, 0, message);
        return { ...chat, messages };
      });
      changed();
      emitMessage(chatId, message);
    },
    addChat(chat) {
      chats = pruneChats(chats, chat);
      currentChatId = chat.id;
      changed();
    },
    switchTo(chatId) {
      currentChatId = chatId;
      changed();
    },
    restart(chat) {
      clearTimeout(saveTimer);
      saveTimer = undefined;
      chats = [chat];
      currentChatId = chat.id;
      shown = { ...shown, visitorId: null, error: null, agentTyping: null };
    },
    changed,
    publish,
    get: (name) => shown[name],
    set(next) {
      const before = shown;
      shown = { ...shown, ...next };
      const differs = (Object.keys(next) as (keyof Shown)[]).some((name) => before[name] !== shown[name]);
      if (!differs) return;
      if (before.visitorId !== shown.visitorId) changed();
      else publish();
    },
    count(kind, delta) {
      activity[kind] += delta;
    },
    flush() {
      if (saveTimer !== undefined) save();
    },
    erase() {
      clearTimeout(saveTimer);
      saveTimer = undefined;
      storage.removeItem(key);
    },
    clear: () => listeners.clear(),
  };
}
