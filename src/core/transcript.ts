import type { Author, Chat, ChatMessage, ErrorCode, MessageStatus } from './types';

/** Bounds that keep sessionStorage (about 5 MB) and rendering in check. */
export const MAX_CHATS = 20;
export const MAX_MESSAGES_PER_CHAT = 2000;

const AUTHORS: readonly Author[] = ['visitor', 'assistant', 'agent', 'system'];
const STATUSES: readonly MessageStatus[] = ['queued', 'sending', 'streaming', 'sent', 'failed'];
const CODES: readonly ErrorCode[] = ['network', 'timeout', 'http', 'protocol', 'interrupted', 'aborted', 'storage', 'invalid-input'];

export interface StoredChats {
  currentChatId: string;
  chats: Chat[];
}

const str = (value: unknown): value is string => typeof value === 'string';

/** Rebuild a message from stored data, keeping only known fields; null when unusable. */
function readMessage(value: unknown): ChatMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const raw = value as Record<string, unknown>;
  if (!str(raw.id) || !str(raw.text) || !str(raw.createdAt)) return null;
  if (!AUTHORS.includes(raw.author as Author) || !STATUSES.includes(raw.status as MessageStatus)) return null;
  const message: ChatMessage = {
    id: raw.id,
    author: raw.author as Author,
    text: raw.text,
    status: raw.status as MessageStatus,
    createdAt: raw.createdAt,
  };
  if (str(raw.replyTo)) message.replyTo = raw.replyTo;
  if (str(raw.serverId)) message.serverId = raw.serverId;
  if (raw.stopped === true) message.stopped = true;
  const error = raw.error as Record<string, unknown> | undefined;
  if (error && typeof error === 'object' && str(error.message) && CODES.includes(error.code as ErrorCode)) {
    message.error = { code: error.code as ErrorCode, message: error.message, retryable: error.retryable === true };
    if (typeof error.status === 'number') message.error.status = error.status;
  }
  // A page unloaded mid-flight: a send in progress goes back to the outbox (its client_message_id makes
  // the resend safe), and an answer that was streaming is kept as interrupted.
  if (message.status === 'sending') message.status = 'queued';
  if (message.status === 'streaming') {
    message.status = 'failed';
    message.error = { code: 'interrupted', message: 'The answer was interrupted when the page closed.', retryable: true };
  }
  return message;
}

function readChat(value: unknown): Chat | null {
  if (typeof value !== 'object' || value === null) return null;
  const raw = value as Record<string, unknown>;
  if (!str(raw.id) || !str(raw.createdAt) || !Array.isArray(raw.messages)) return null;
  const chat: Chat = { id: raw.id, createdAt: raw.createdAt, messages: [] };
  if (str(raw.sessionId)) chat.sessionId = raw.sessionId;
  if (str(raw.visitorId)) chat.visitorId = raw.visitorId;
  if (str(raw.expiresAt)) chat.expiresAt = raw.expiresAt;
  for (const item of raw.messages.slice(-MAX_MESSAGES_PER_CHAT)) {
    const message = readMessage(item);
    if (message) chat.messages.push(message);
  }
  return chat;
}

/** Validate stored chats; anything unreadable is dropped, never trusted. */
export function isStoredChats(value: unknown): value is StoredChats {
  if (typeof value !== 'object' || value === null) return false;
  const raw = value as Record<string, unknown>;
  return str(raw.currentChatId) && Array.isArray(raw.chats);
}

export function sanitizeChats(stored: StoredChats): StoredChats {
  const chats = stored.chats.map(readChat).filter((chat): chat is Chat => chat !== null).slice(-MAX_CHATS);
  return { currentChatId: stored.currentChatId, chats };
}

/**
 * Make the transcript smaller for a full storage: drop the oldest half of the messages that are
 * settled. Queued and failed visitor messages are never dropped: they are what the visitor typed.
 */
export function trimChats(chats: readonly Chat[]): Chat[] {
  return chats.map((chat) => {
    const settled = chat.messages.filter((m) => m.status === 'sent');
    const drop = new Set(settled.slice(0, Math.ceil(settled.length / 2)).map((m) => m.id));
    return { ...chat, messages: chat.messages.filter((m) => !drop.has(m.id)) };
  });
}

/** Is the session past its expiry (with a margin for clock skew and the request's own time)? */
export function isExpired(chat: Chat, now = Date.now()): boolean {
  if (!chat.expiresAt) return false;
  const at = Date.parse(chat.expiresAt);
  return !Number.isNaN(at) && at - 30_000 <= now;
}
