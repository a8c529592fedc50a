import { nanoid } from 'nanoid';
import { createApi, type ChatBody, type VisitorUpdate } from './api';
import { contactProblem } from './contact';
import { createEmitter } from './emitter';
import { ChatError, toChatError } from './errors';
import { createLive } from './live';
import { resolveOptions, storageKey } from './options';
import { backoffDelay, wait } from './retry';
import { readChatStream } from './sse';
import { readRecord, safeStorage, writeRecord } from './storage';
import { isExpired, isRecord, isStoredChats, MAX_CHATS, readAttachments, sanitizeChats, str, trimChats } from './transcript';
import type {
  Chat,
  ChatClient,
  ChatClientEvents,
  ChatClientOptions,
  ChatMessage,
  ChatState,
  ClientStatus,
  ConnectionState,
  Feedback,
  MessageError,
} from './types';
import { checkFile, uploadFile } from './upload';
import { createVisitorManager } from './visitor';

type Recovery = 'visitor' | 'session';

/** Who `identify()` said the visitor is, per device: the contact form is not asked again for them. */
interface Profile {
  visitorId: string;
  identified: boolean;
  externalUserId?: string;
}
const isProfile = (value: unknown): value is Profile =>
  isRecord(value) && str(value.visitorId) && typeof value.identified === 'boolean' && (value.externalUserId === undefined || str(value.externalUserId));

/** Window events the core listens to, when there is a window (browsers; not Node or workers). */
const eventTarget = (): EventTarget | undefined =>
  typeof window !== 'undefined' && typeof window.addEventListener === 'function' ? window : undefined;

const now = (): string => new Date().toISOString();

/**
 * The headless chat client: visitor, sessions, transcript, and an outbox that delivers each
 * visitor message once, in order, through network faults and the backend's recoverable errors.
 */
export function createChatClient(options: ChatClientOptions): ChatClient {
  const config = resolveOptions(options);
  const api = createApi({
    apiUrl: config.apiUrl,
    apiKey: config.apiKey,
    timeoutMs: config.requestTimeout,
    fetch: () => options.fetch ?? globalThis.fetch,
  });
  const local = safeStorage(() => options.localStorage ?? globalThis.localStorage);
  const tabStorage = safeStorage(() => options.sessionStorage ?? globalThis.sessionStorage);
  const visitor = createVisitorManager(api, local, storageKey('visitor', config.apiUrl));
  const chatsKey = storageKey('chats', config.apiUrl);
  const profileKey = storageKey('profile', config.apiUrl);
  /** Set and removed at once by reset(): other tabs hear it and forget their chats too. */
  const resetKey = storageKey('reset', config.apiUrl);
  const reportHandlerError = (error: unknown): void => console.error('[ChatSDK] An event handler threw:', error);
  const emitter = createEmitter<ChatClientEvents>(reportHandlerError);
  const listeners = new Set<(state: ChatState) => void>();
  const lifetime = new AbortController();
  /** The attempt in flight per chat, so Stop can abort it. */
  const attempts = new Map<string, AbortController>();
  const draining = new Set<string>();
  /** Waits that end early when the network comes back or a request succeeds. */
  const wakers = new Set<() => void>();

  let hydrated = false;
  let chats: Chat[] = [];
  let currentChatId = '';
  let visitorId: string | null = null;
  let error: MessageError | null = null;
  let status: ClientStatus = 'idle';
  let connecting = 0;
  let offlineWaits = 0;
  let snapshot: ChatState | null = null;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let unread = 0;
  let agentTyping: ChatState['agentTyping'] = null;
  let connection: ConnectionState = 'online';
  let profile: Profile | null = null;
  /** Answers being rated now, so a double click sends one rating. */
  const rating = new Set<string>();

  const emitMessage = (chatId: string, message: ChatMessage): void =>
    emitter.emit('message', { chatId, message, sender: message.author });

  const live = createLive(config, options, api, {
    chat: (id = currentChatId) => findChat(id),
    chats: () => chats,
    apply(chatId, { chat, added, patched }) {
      updateChat(chatId, () => chat);
      changed();
      for (const message of [...patched, ...added]) emitMessage(chatId, message);
      for (const message of added) arrived(chatId, message);
    },
    typing(state) {
      if (JSON.stringify(state) === JSON.stringify(agentTyping)) return;
      agentTyping = state;
      publish();
      emitter.emit('agent-typing', { isTyping: !!state, ...state });
    },
    connection(state) {
      if (state === connection) return;
      connection = state;
      publish();
      emitter.emit('connection', { state });
    },
  }, lifetime.signal);

  function setUnread(count: number): void {
    if (count === unread) return;
    unread = count;
    publish();
    emitter.emit('unread', { count });
  }

  /**
   * An answer or agent message arrived complete (or finished streaming). Counted while the visitor is
   * away (the launcher badge), and per chat while that chat is not in front of them (the list's dot).
   */
  function arrived(chatId: string, message: ChatMessage): void {
    if (!/assistant|agent/.test(message.author)) return;
    const away = !live.attended();
    if (away) setUnread(unread + 1);
    if (away || chatId !== currentChatId) {
      updateChat(chatId, (chat) => ({ ...chat, unread: (chat.unread ?? 0) + 1 }));
      changed();
    }
  }

  /** The current chat is in front of the visitor: its dot goes. */
  function seen(): void {
    if (!findChat(currentChatId)?.unread) return;
    updateChat(currentChatId, ({ unread: _seen, ...chat }) => chat);
    changed();
  }

  // ---- state and persistence -------------------------------------------------------------

  const save = (): void => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    let data = { currentChatId, visitorId, chats };
    // A full storage: trim the oldest settled messages and try again (the live transcript keeps them).
    for (let tries = 0; !writeRecord(tabStorage, chatsKey, data) && tries < 3; tries++) {
      data = { ...data, chats: trimChats(data.chats) };
    }
  };

  const deriveStatus = (): ClientStatus => {
    if (offlineWaits > 0) return 'offline';
    const messages = chats.flatMap((chat) => chat.messages);
    if (messages.some((m) => m.status === 'streaming')) return 'streaming';
    if (messages.some((m) => m.status === 'sending')) return 'sending';
    return connecting > 0 ? 'connecting' : 'idle';
  };

  /** Publish a change. Streamed chunks are saved at most every 500 ms; everything else at once. */
  function changed(saveNow = true): void {
    if (saveNow) save();
    else saveTimer ??= setTimeout(save, 500);
    publish();
    if (hydrated) live.check();
  }

  /** Tell listeners about a new snapshot (without saving: for state that is not stored). */
  function publish(): void {
    snapshot = null;
    const next = deriveStatus();
    if (next !== status) {
      status = next;
      emitter.emit('status', { status });
    }
    if (listeners.size) {
      const state = getState();
      for (const listener of [...listeners]) {
        // Like `on` handlers: a throwing listener must not break delivery (or reach the host page).
        try {
          listener(state);
        } catch (error) {
          reportHandlerError(error);
        }
      }
    }
  }

  const newChatRecord = (): Chat => ({ id: nanoid(), createdAt: now(), messages: [] });

  function hydrate(): void {
    if (hydrated) return;
    hydrated = true;
    visitorId = visitor.stored();
    profile = readRecord(local, profileKey, isProfile);
    const stored = readRecord(tabStorage, chatsKey, isStoredChats);
    if (stored) {
      const clean = sanitizeChats(stored);
      chats = clean.chats;
      currentChatId = clean.currentChatId;
    }
    if (!chats.some((chat) => chat.id === currentChatId)) {
      const chat = chats[chats.length - 1] ?? newChatRecord();
      if (!chats.includes(chat)) chats = [...chats, chat];
      currentChatId = chat.id;
    }
    listenToWindow();
    // A restored chat with a session is synced now: agent replies may have arrived meanwhile.
    live.check();
    // Messages left in the outbox by an earlier page go out now, in order.
    for (const chat of chats) if (chat.messages.some(isPending)) void drain(chat.id);
  }

  function getState(): ChatState {
    hydrate();
    if (!snapshot) {
      const current = chats.find((chat) => chat.id === currentChatId);
      const identified = !!visitorId && profile?.visitorId === visitorId && profile.identified;
      snapshot = { visitorId, status, currentChatId, chats, messages: current?.messages ?? [], error, unread, agentTyping, connection, identified };
    }
    return snapshot;
  }

  const findChat = (chatId: string): Chat | undefined => chats.find((chat) => chat.id === chatId);
  const findMessage = (chatId: string, id: string): ChatMessage | undefined =>
    findChat(chatId)?.messages.find((m) => m.id === id);

  const updateChat = (chatId: string, update: (chat: Chat) => Chat): void => {
    chats = chats.map((chat) => (chat.id === chatId ? update(chat) : chat));
  };

  function patchMessage(chatId: string, id: string, patch: Partial<ChatMessage>, saveNow = true): void {
    let updated: ChatMessage | undefined;
    updateChat(chatId, (chat) => ({
      ...chat,
      messages: chat.messages.map((m) => (m.id === id ? (updated = { ...m, ...patch }) : m)),
    }));
    if (!updated) return;
    for (const key of Object.keys(patch) as (keyof ChatMessage)[]) if (patch[key] === undefined) delete updated[key];
    changed(saveNow);
    emitMessage(chatId, updated);
  }

  function insertMessage(chatId: string, message: ChatMessage, afterId?: string): void {
    updateChat(chatId, (chat) => {
      const messages = [...chat.messages];
      const index = afterId ? messages.findIndex((m) => m.id === afterId) : -1;
      messages.splice(index < 0 ? messages.length : index + 1, 0, message);
      return { ...chat, messages };
    });
    changed();
    emitMessage(chatId, message);
  }

  /** The visitor `ready` was last announced for: a stored id is known before it is validated. */
  let readyFor: string | null = null;
  function setVisitor(id: string | null): void {
    if (id !== visitorId) {
      visitorId = id;
      changed();
    }
    if (id && id !== readyFor) {
      readyFor = id;
      emitter.emit('ready', { visitorId: id });
    }
  }

  function setError(value: ChatError | null, messageId?: string): void {
    if (value) emitter.emit('error', messageId ? { error: value.toJSON(), messageId } : { error: value.toJSON() });
    if (messageId) return;
    error = value ? value.toJSON() : null;
    changed(false);
  }

  // ---- window events: online, other tabs, page hide ---------------------------------------

  const wakeAll = (): void => {
    for (const wake of [...wakers]) wake();
  };
  const onOnline = (): void => {
    wakeAll();
    live.online();
  };
  const onStorage = (event: Event): void => {
    const { key, newValue } = event as StorageEvent;
    if (key === visitor.key) setVisitor(visitor.adopt(newValue));
    else if (key === profileKey) {
      profile = readRecord(local, profileKey, isProfile);
      publish();
    } else if (key === resetKey && newValue) forgetAll();
  };
  const onPageHide = (): void => {
    if (saveTimer !== undefined) save();
  };
  function listenToWindow(): void {
    const target = eventTarget();
    target?.addEventListener('online', onOnline);
    target?.addEventListener('storage', onStorage);
    target?.addEventListener('pagehide', onPageHide);
  }
  function unlistenToWindow(): void {
    const target = eventTarget();
    target?.removeEventListener('online', onOnline);
    target?.removeEventListener('storage', onStorage);
    target?.removeEventListener('pagehide', onPageHide);
  }

  const isOffline = (): boolean => typeof navigator !== 'undefined' && navigator.onLine === false;
  const pause = (ms: number, signal: AbortSignal): Promise<void> =>
    wait(ms, signal, (resolve) => {
      wakers.add(resolve);
      return () => wakers.delete(resolve);
    });

  /** Wait until the browser says it is online (re-checking every 15 s in case no event comes). */
  async function untilOnline(signal: AbortSignal): Promise<void> {
    offlineWaits++;
    changed(false);
    try {
      while (isOffline()) await pause(15_000, signal);
    } finally {
      offlineWaits--;
      changed(false);
    }
  }

  /** Run `work`, retrying network faults, time-outs, 429 and 503 with backoff (Retry-After wins). */
  async function withRetries<T>(work: () => Promise<T>, signal: AbortSignal, onWait?: (error: ChatError) => void): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (isOffline()) await untilOnline(signal);
      try {
        const result = await work();
        wakeAll();
        return result;
      } catch (caught) {
        const failure = toChatError(caught);
        if (!failure.retryable || attempt >= config.maxRetries || signal.aborted) throw failure;
        onWait?.(failure);
        // The server said how long to wait: the network coming back or another request getting
        // through does not cut that short. Backoff waits do end early on those.
        if (failure.retryAfterMs !== undefined) await wait(failure.retryAfterMs, signal);
        else await pause(backoffDelay(attempt), signal);
      }
    }
  }

  // ---- visitor and sessions ---------------------------------------------------------------

  async function ensureVisitor(signal: AbortSignal): Promise<string> {
    connecting++;
    try {
      const id = await visitor.ensure(signal);
      setVisitor(id);
      return id;
    } finally {
      connecting--;
    }
  }

  async function replaceVisitor(staleId: string, signal: AbortSignal): Promise<string> {
    const id = await visitor.replace(staleId, signal);
    setVisitor(id);
    return id;
  }

  /** Session requests in flight per chat, so newChat() and a quick first send create one session, not two. */
  const creatingSession = new Map<string, Promise<unknown>>();

  /** The chat's session for this visitor, replaced before use when it has expired. */
  async function ensureSession(chatId: string, visitorNow: string, signal: AbortSignal, recovered: Set<Recovery>) {
    const pending = creatingSession.get(chatId);
    if (pending) await pending.catch(() => undefined);
    const chat = findChat(chatId);
    if (chat?.sessionId && chat.visitorId === visitorNow && !isExpired(chat)) {
      return { sessionId: chat.sessionId, visitorId: visitorNow };
    }
    const work = createSession(chatId, visitorNow, signal, recovered);
    creatingSession.set(chatId, work);
    try {
      return await work;
    } finally {
      if (creatingSession.get(chatId) === work) creatingSession.delete(chatId);
    }
  }

  async function createSession(chatId: string, visitorNow: string, signal: AbortSignal, recovered: Set<Recovery>) {
    let owner = visitorNow;
    let session;
    try {
      session = await api.createSession(owner, signal);
    } catch (caught) {
      // 400: the server does not know this visitor (any more). Replace it once and try again.
      if (!ChatError.is(caught) || caught.status !== 400 || recovered.has('visitor')) throw caught;
      recovered.add('visitor');
      owner = await replaceVisitor(owner, signal);
      session = await api.createSession(owner, signal);
    }
    updateChat(chatId, (c) => {
      const next: Chat = { ...c, sessionId: session.id, visitorId: owner };
      if (session.expires_at) next.expiresAt = session.expires_at;
      else delete next.expiresAt;
      return next;
    });
    changed();
    return { sessionId: session.id, visitorId: owner };
  }

  const dropSession = (chatId: string): void =>
    updateChat(chatId, (chat) => {
      const { sessionId: _session, expiresAt: _expires, ...rest } = chat;
      return rest;
    });

  /** Seed 003's recovery table, each step at most once per message so nothing loops. */
  function recoveryFor(failure: ChatError, recovered: Set<Recovery>): Recovery | null {
    const pick = (step: Recovery): Recovery | null => (recovered.has(step) ? null : (recovered.add(step), step));
    if (failure.status === 403) return pick('session');
    if (failure.status === 404) {
      if (/visitor/i.test(failure.message)) return pick('visitor') ?? pick('session');
      return pick('session') ?? pick('visitor');
    }
    return null;
  }

  // ---- delivery ---------------------------------------------------------------------------

  const isPending = (m: ChatMessage): boolean => m.author === 'visitor' && (m.status === 'queued' || m.status === 'sending');

  /** The answer to a visitor message: the earlier (failed or stopped) one is reused, so a retry replaces it. */
  function startAnswer(chatId: string, questionId: string): string {
    const existing = findChat(chatId)?.messages.find((m) => m.replyTo === questionId);
    if (existing) {
      patchMessage(chatId, existing.id, { text: '', status: 'streaming', error: undefined, stopped: undefined, createdAt: now() });
      return existing.id;
    }
    const answer: ChatMessage = { id: nanoid(), author: 'assistant', text: '', status: 'streaming', createdAt: now(), replyTo: questionId };
    insertMessage(chatId, answer, questionId);
    return answer.id;
  }

  async function answerByStream(chatId: string, questionId: string, body: ChatBody, signal: AbortSignal): Promise<void> {
    const response = await api.chatStream(body, signal, config.streamFirstByteTimeout);
    // The server has the message now; whatever happens to the answer, it is not sent again by itself.
    patchMessage(chatId, questionId, { status: 'sent', error: undefined });
    const answerId = startAnswer(chatId, questionId);
    let text = '';
    try {
      const end = await readChatStream(response, {
        signal,
        firstByteTimeoutMs: config.streamFirstByteTimeout,
        idleTimeoutMs: config.streamIdleTimeout,
        onChunk(chunk) {
          text += chunk;
          patchMessage(chatId, answerId, { text }, false);
        },
      });
      if (end.messageId) patchMessage(chatId, questionId, { serverId: end.messageId });
      patchMessage(chatId, answerId, { status: 'sent', serverId: end.responseId });
      arrived(chatId, findMessage(chatId, answerId)!);
    } catch (caught) {
      const failure = toChatError(caught);
      if (failure.code === 'aborted' && !lifetime.signal.aborted) {
        patchMessage(chatId, answerId, { status: 'sent', stopped: true });
        return;
      }
      patchMessage(chatId, answerId, { status: 'failed', error: failure.toJSON() });
      if (!lifetime.signal.aborted) setError(failure, answerId);
    }
  }

  async function answerPlain(chatId: string, questionId: string, body: ChatBody, signal: AbortSignal): Promise<void> {
    const reply = await api.chat(body, signal);
    patchMessage(chatId, questionId, { status: 'sent', error: undefined, serverId: reply.message_id });
    const answerId = startAnswer(chatId, questionId);
    patchMessage(chatId, answerId, { text: reply.response, status: 'sent', serverId: reply.response_id });
    arrived(chatId, findMessage(chatId, answerId)!);
  }

  /** Deliver one visitor message: settles it as sent or failed, or leaves it queued when destroyed. */
  async function deliver(chatId: string, messageId: string, attempt: AbortController): Promise<void> {
    const recovered = new Set<Recovery>();
    const markQueued = (failure: ChatError): void =>
      patchMessage(chatId, messageId, { status: 'queued', error: failure.toJSON() });
    for (;;) {
      const message = findMessage(chatId, messageId);
      if (!message || lifetime.signal.aborted) return;
      try {
        if (isOffline()) {
          patchMessage(chatId, messageId, { status: 'queued' });
          await untilOnline(attempt.signal);
        }
        patchMessage(chatId, messageId, { status: 'sending' });
        await withRetries(
          async () => {
            const who = await ensureVisitor(attempt.signal);
            const { sessionId, visitorId: owner } = await ensureSession(chatId, who, attempt.signal, recovered);
            const body: ChatBody = { message: message.text, session_id: sessionId, visitor_id: owner, client_message_id: message.id };
            if (message.attachments) body.attachment_ids = message.attachments.map((a) => a.id);
            patchMessage(chatId, messageId, { status: 'sending' });
            await (config.streaming ? answerByStream : answerPlain)(chatId, messageId, body, attempt.signal);
          },
          attempt.signal,
          markQueued,
        );
        if (error) setError(null);
        return;
      } catch (caught) {
        // Destroyed, or the chat was forgotten by reset(): nothing to report.
        if (lifetime.signal.aborted || !findMessage(chatId, messageId)) return;
        const failure = toChatError(caught);
        const step = recoveryFor(failure, recovered);
        if (step === 'session') {
          dropSession(chatId);
          continue;
        }
        if (step === 'visitor') {
          dropSession(chatId);
          try {
            await replaceVisitor(visitorId ?? '', attempt.signal);
            continue;
          } catch (replaceFailure) {
            if (lifetime.signal.aborted) return;
            caught = replaceFailure;
          }
        }
        const final = failure.code === 'aborted' ? new ChatError('aborted', 'Stopped before it was sent.', { retryable: true }) : toChatError(caught);
        patchMessage(chatId, messageId, { status: 'failed', error: { ...final.toJSON(), retryable: true } });
        setError(final, messageId);
        return;
      }
    }
  }

  /** One worker per chat: messages leave in the order they were written. */
  async function drain(chatId: string): Promise<void> {
    if (draining.has(chatId)) return;
    draining.add(chatId);
    try {
      for (;;) {
        const next = findChat(chatId)?.messages.find(isPending);
        if (!next || lifetime.signal.aborted) return;
        const attempt = new AbortController();
        const unlink = (): void => attempt.abort(lifetime.signal.reason);
        lifetime.signal.addEventListener('abort', unlink);
        attempts.set(chatId, attempt);
        try {
          await deliver(chatId, next.id, attempt);
        } finally {
          attempts.delete(chatId);
          lifetime.signal.removeEventListener('abort', unlink);
        }
      }
    } finally {
      draining.delete(chatId);
    }
  }

  // ---- public API -------------------------------------------------------------------------

  const destroyed = (): ChatError => new ChatError('aborted', 'This chat client was destroyed.');
  /** Every public call that needs the client: refuse after destroy(), read storage on first use. */
  const alive = (): void => {
    if (lifetime.signal.aborted) throw destroyed();
    hydrate();
  };
  const invalid = (message: string): ChatError => new ChatError('invalid-input', message);

  /** reset() here or in another tab: everything of this visitor on this device goes. */
  function forgetAll(): void {
    for (const attempt of attempts.values()) attempt.abort(new ChatError('aborted', 'The chat was reset.'));
    clearTimeout(saveTimer);
    saveTimer = undefined;
    visitor.forget();
    local.removeItem(profileKey);
    tabStorage.removeItem(chatsKey);
    creatingSession.clear();
    const chat = newChatRecord();
    chats = [chat];
    currentChatId = chat.id;
    visitorId = readyFor = null;
    profile = error = agentTyping = null;
    setUnread(0);
    publish();
    live.check();
    emitter.emit('chat', { chatId: chat.id });
  }

  function reset(): void {
    if (lifetime.signal.aborted) return;
    hydrate();
    forgetAll();
    // Other tabs of this site hear the key being set (storage events fire on change only).
    local.setItem(resetKey, `${Date.now()}`);
    local.removeItem(resetKey);
  }

  /** An AbortSignal for one call that ends with the caller's or the client's; `done()` unlinks them. */
  function callSignal(signal?: AbortSignal): [AbortSignal, () => void] {
    const both = new AbortController();
    const stop = (): void => both.abort(signal?.aborted ? signal.reason : lifetime.signal.reason);
    if (signal?.aborted || lifetime.signal.aborted) stop();
    signal?.addEventListener('abort', stop);
    lifetime.signal.addEventListener('abort', stop);
    return [both.signal, () => (signal?.removeEventListener('abort', stop), lifetime.signal.removeEventListener('abort', stop))];
  }

  return {
    getState,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    on: (name, handler) => emitter.on(name, handler),

    async connect() {
      alive();
      try {
        const id = await withRetries(() => ensureVisitor(lifetime.signal), lifetime.signal);
        if (error) setError(null);
        return id;
      } catch (caught) {
        const failure = toChatError(caught);
        if (!lifetime.signal.aborted) setError(failure);
        throw failure;
      }
    },

    async send(text, options) {
      alive();
      const attachments = readAttachments(options?.attachments);
      if (typeof text !== 'string' || (!text.trim() && !attachments)) throw invalid('Type a message first.');
      const body = text.replace(/\s+$/, '');
      if (body.length > config.maxMessageLength) {
        throw invalid(`Messages can be at most ${config.maxMessageLength} characters long (this one has ${body.length}).`);
      }
      const message: ChatMessage = { id: nanoid(), author: 'visitor', text: body, status: 'queued', createdAt: now() };
      if (attachments) message.attachments = attachments;
      const chatId = currentChatId;
      live.typing(false);
      insertMessage(chatId, message);
      void drain(chatId);
      return findMessage(chatId, message.id) ?? message;
    },

    async retry(messageId) {
      alive();
      for (const chat of chats) {
        const message = chat.messages.find((m) => m.id === messageId);
        if (!message) continue;
        const question = message.author === 'visitor' ? message : chat.messages.find((m) => m.id === message.replyTo);
        if (!question || isPending(question)) return;
        patchMessage(chat.id, question.id, { status: 'queued', error: undefined });
        void drain(chat.id);
        return;
      }
    },

    stop() {
      // Only a request in progress is stopped: a message waiting in the outbox (offline, or for a
      // retry) stays queued instead of turning into a failure.
      const live = findChat(currentChatId)?.messages.some((m) => m.status === 'sending' || m.status === 'streaming');
      if (live) attempts.get(currentChatId)?.abort(new ChatError('aborted', 'Stopped.'));
    },

    async newChat() {
      alive();
      const current = findChat(currentChatId);
      if (!current || current.messages.length > 0) {
        const chat = newChatRecord();
        // Keep at most MAX_CHATS, dropping the oldest that has nothing left to send (queued) or to
        // retry (failed): those hold what the visitor typed.
        const unsent = (m: ChatMessage): boolean => isPending(m) || (m.author === 'visitor' && m.status === 'failed');
        let kept = [...chats, chat];
        while (kept.length > MAX_CHATS) {
          // Never the new chat itself (it is empty, so it would match first when all others hold messages).
          const index = kept.findIndex((c) => c !== chat && !c.messages.some(unsent));
          kept.splice(index < 0 ? 0 : index, 1);
        }
        chats = kept;
        currentChatId = chat.id;
        changed();
        emitter.emit('chat', { chatId: chat.id });
      }
      const chatId = currentChatId;
      // Start the session now so the first message goes out faster; a failure here is retried on send.
      void ensureVisitor(lifetime.signal)
        .then((who) => ensureSession(chatId, who, lifetime.signal, new Set()))
        .catch(() => undefined);
      return chatId;
    },

    switchChat(chatId) {
      hydrate();
      if (chatId === currentChatId || !findChat(chatId)) return;
      currentChatId = chatId;
      changed();
      if (live.attended()) seen();
      emitter.emit('chat', { chatId });
    },

    async upload(file, { onProgress, signal } = {}) {
      alive();
      if (typeof Blob === 'undefined' || !(file instanceof Blob)) throw invalid('upload() takes a File or Blob.');
      const type = checkFile(file, config.maxFileSize);
      const chatId = currentChatId;
      const [call, done] = callSignal(signal);
      try {
        const who = await withRetries(() => ensureVisitor(call), call);
        const { sessionId, visitorId: owner } = await ensureSession(chatId, who, call, new Set());
        const XHR = options.XMLHttpRequest ?? globalThis.XMLHttpRequest;
        return await uploadFile({ XHR, apiUrl: config.apiUrl, apiKey: config.apiKey, file, type, sessionId, visitorId: owner }, { onProgress, signal: call });
      } catch (caught) {
        throw call.aborted ? new ChatError('aborted', 'The upload was cancelled.', { retryable: true }) : toChatError(caught);
      } finally {
        done();
      }
    },

    async feedback(messageId, value, comment) {
      alive();
      if (value !== 'up' && value !== 'down') throw invalid('feedback(): the rating must be "up" or "down".');
      const chat = chats.find((c) => c.messages.some((m) => m.id === messageId));
      const answer = chat?.messages.find((m) => m.id === messageId);
      if (!chat || !answer || answer.author === 'visitor' || answer.status !== 'sent' || !answer.serverId || !chat.sessionId || !chat.visitorId) {
        throw invalid('feedback(): only a complete answer the server knows can be rated.');
      }
      if (answer.feedback || rating.has(messageId)) return;
      const given: Feedback = { rating: value };
      const note = typeof comment === 'string' ? comment.trim().slice(0, 1000) : '';
      if (note) given.comment = note;
      rating.add(messageId);
      try {
        await withRetries(
          () => api.feedback(answer.serverId!, { ...given, visitor_id: chat.visitorId!, session_id: chat.sessionId! }, lifetime.signal),
          lifetime.signal,
        );
      } finally {
        rating.delete(messageId);
      }
      patchMessage(chat.id, messageId, { feedback: given });
      emitter.emit('feedback', { chatId: chat.id, messageId, ...given });
    },

    async identify(attributes, { signature } = {}) {
      alive();
      if (!isRecord(attributes)) throw invalid('identify() takes an object such as { name, email }.');
      const { externalUserId, ...rest } = attributes;
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(rest)) {
        if (value === undefined || value === null) continue;
        if (!str(value)) throw invalid(`identify(): "${key}" must be a string.`);
        metadata[key] = value.trim().slice(0, 500);
        const problem = contactProblem(key, metadata[key]!);
        if (problem) throw invalid(`identify(): ${problem}`);
      }
      if (externalUserId !== undefined && (!str(externalUserId) || !externalUserId)) throw invalid('identify(): "externalUserId" must be a non-empty string.');
      // Another signed-in user on this device: nothing of the previous one carries over.
      if (externalUserId && profile?.externalUserId && profile.externalUserId !== externalUserId) reset();
      const body: VisitorUpdate = { metadata };
      if (externalUserId) body.external_user_id = externalUserId;
      if (externalUserId && signature) body.identity_signature = signature;
      const signal = lifetime.signal;
      const id = await withRetries(async () => {
        let who = await ensureVisitor(signal);
        try {
          await api.updateVisitor(who, body, signal);
        } catch (caught) {
          // The server forgot this visitor: a new one gets the details.
          if (!ChatError.is(caught) || caught.status !== 404) throw caught;
          who = await replaceVisitor(who, signal);
          await api.updateVisitor(who, body, signal);
        }
        return who;
      }, signal);
      // What was known of this visitor stays; contact details, once given, make it identified.
      const before = profile?.visitorId === id ? profile : null;
      const user = externalUserId || before?.externalUserId;
      profile = { visitorId: id, identified: !!(metadata.name || metadata.email || metadata.phone || before?.identified) };
      if (user) profile.externalUserId = user;
      writeRecord(local, profileKey, profile);
      publish();
    },

    reset,

    setPresence(presence) {
      live.presence(presence);
      if (live.attended()) {
        setUnread(0);
        seen();
      }
    },
    markRead: () => {
      setUnread(0);
      seen();
    },
    setTyping: (isTyping) => live.typing(isTyping === true),

    destroy() {
      if (lifetime.signal.aborted) return;
      lifetime.abort(destroyed());
      live.stop();
      if (saveTimer !== undefined) save();
      unlistenToWindow();
      wakers.clear();
      listeners.clear();
      emitter.clear();
    },
  };
}
