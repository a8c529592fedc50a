// The visitor and the chats' sessions: created lazily, shared by concurrent callers, replaced when the
// server no longer knows them (seed 003's recovery table).

import type { Emitter } from './emitter';
import { ChatError } from './errors';
import type { ChatStore } from './store';
import { isExpired } from './transcript';
import type { Chat, ChatClientEvents } from './types';
import type { VisitorManager } from './visitor';
import type { Api, SessionData } from './wire/api';

/** A recovery step, taken at most once per message so nothing loops. */
export type Recovery = 'visitor' | 'session';

export interface SessionRef {
  sessionId: string;
  visitorId: string;
}

export interface Sessions {
  /** A validated visitor id (the stored one, validated once per page, or a new one). */
  ensureVisitor(signal: AbortSignal): Promise<string>;
  /** The server no longer knows `staleId`: a new visitor (once, however many callers report it). */
  replaceVisitor(staleId: string, signal: AbortSignal): Promise<string>;
  /** The visitor is known (or forgotten: null); `ready` is emitted once per visitor. */
  setVisitor(id: string | null): void;
  /** The chat's session for this visitor, created (or replaced when expired) before use. */
  ensureSession(chatId: string, visitorId: string, signal: AbortSignal, recovered: Set<Recovery>): Promise<SessionRef>;
  /** Create the chat's session now (New chat), so its first message goes out faster; a failure waits for the send. */
  prepare(chatId: string, signal: AbortSignal): void;
  /** Forget a chat's session: the next send creates one. */
  dropSession(chatId: string): void;
  /** reset(): nothing of the previous visitor is reused. */
  forget(): void;
}

/** Which recovery a failed chat request calls for (403: session; 404: the one it names first), or null. */
export function recoveryFor(failure: ChatError, recovered: Set<Recovery>): Recovery | null {
  const pick = (step: Recovery): Recovery | null => {
    if (recovered.has(step)) return null;
    recovered.add(step);
    return step;
  };
  if (failure.status === 403) return pick('session');
  if (failure.status === 404) {
    if (/visitor/i.test(failure.message)) return pick('visitor') ?? pick('session');
    return pick('session') ?? pick('visitor');
  }
  return null;
}

export function createSessions(api: Api, visitor: VisitorManager, store: ChatStore, emitter: Emitter<ChatClientEvents>): Sessions {
  /** Session requests in flight per chat, so newChat() and a quick first send create one session, not two. */
  const creating = new Map<string, Promise<SessionRef>>();
  /** The visitor `ready` was last emitted for: a stored id is known before it is validated. */
  let readyFor: string | null = null;

  function setVisitor(id: string | null): void {
    store.set({ visitorId: id });
    if (id && id !== readyFor) {
      readyFor = id;
      emitter.emit('ready', { visitorId: id });
    }
  }

  async function replaceVisitor(staleId: string, signal: AbortSignal): Promise<string> {
    const id = await visitor.replace(staleId, signal);
    setVisitor(id);
    return id;
  }

  async function createSession(chatId: string, visitorId: string, signal: AbortSignal, recovered: Set<Recovery>): Promise<SessionRef> {
    let owner = visitorId;
    let session: SessionData;
    try {
      session = await api.createSession(owner, signal);
    } catch (caught) {
      // 400: the server does not know this visitor (any more). Replace it once and try again.
      if (!ChatError.is(caught) || caught.status !== 400 || recovered.has('visitor')) throw caught;
      recovered.add('visitor');
      owner = await replaceVisitor(owner, signal);
      session = await api.createSession(owner, signal);
    }
    store.updateChat(chatId, (chat) => {
      // A new session: an ended chat goes on (its line stays where it ended).
      const { endedAt: _ended, ...rest } = chat;
      const next: Chat = { ...rest, sessionId: session.id, visitorId: owner };
      if (session.expires_at) next.expiresAt = session.expires_at;
      else delete next.expiresAt;
      return next;
    });
    store.changed();
    return { sessionId: session.id, visitorId: owner };
  }

  async function ensureVisitor(signal: AbortSignal): Promise<string> {
    store.count('connecting', 1);
    try {
      const id = await visitor.ensure(signal);
      setVisitor(id);
      return id;
    } finally {
      store.count('connecting', -1);
    }
  }

  async function ensureSession(chatId: string, visitorId: string, signal: AbortSignal, recovered: Set<Recovery>): Promise<SessionRef> {
    await creating.get(chatId)?.catch(() => undefined);
    const chat = store.chat(chatId);
    if (chat?.sessionId && chat.visitorId === visitorId && !isExpired(chat)) return { sessionId: chat.sessionId, visitorId };
    const work = createSession(chatId, visitorId, signal, recovered);
    creating.set(chatId, work);
    try {
      return await work;
    } finally {
      if (creating.get(chatId) === work) creating.delete(chatId);
    }
  }

  return {
    ensureVisitor,
    replaceVisitor,
    setVisitor,
    ensureSession,
    prepare(chatId, signal) {
      void ensureVisitor(signal)
        .then((visitorId) => ensureSession(chatId, visitorId, signal, new Set()))
        .catch(() => undefined);
    },
    dropSession(chatId) {
      store.updateChat(chatId, ({ sessionId: _session, expiresAt: _expires, ...chat }) => chat);
    },
    forget() {
      creating.clear();
      readyFor = null;
    },
  };
}
