import { nanoid } from 'nanoid';
import { isRecord, isSafeId, isString } from './guards';
import { readSuggestions } from './suggestions';
import type { Attachment, Author, Chat, ChatMessage, ErrorCode, MessageStatus } from './types';

/** Bounds that keep sessionStorage (about 5 MB) and rendering in check. */
export const MAX_CHATS = 20;
export const MAX_MESSAGES_PER_CHAT = 2000;

export const AUTHORS: readonly Author[] = ['visitor', 'assistant', 'agent', 'system'];
const STATUSES: readonly MessageStatus[] = ['queued', 'sending', 'streaming', 'sent', 'failed'];
const CODES: readonly ErrorCode[] = ['network', 'timeout', 'http', 'protocol', 'interrupted', 'aborted', 'storage', 'invalid-input'];

export const now = (): string => new Date().toISOString();

export const newChatRecord = (): Chat => ({ id: nanoid(), createdAt: now(), messages: [] });

/** A visitor message the outbox still has to deliver. */
export const isPending = (m: ChatMessage): boolean => m.author === 'visitor' && (m.status === 'queued' || m.status === 'sending');

/** A visitor message still in the visitor's hands: waiting to go out, or failed and waiting for Retry. */
const isUnsent = (m: ChatMessage): boolean => isPending(m) || (m.author === 'visitor' && m.status === 'failed');

/**
 * `chats` with `added`, at most MAX_CHATS: the oldest go first, but never one holding what the visitor
 * typed and has not got through yet, nor `added` itself (empty, it would match first).
 */
export function pruneChats(chats: readonly Chat[], added: Chat): Chat[] {
  const kept = [...chats, added];
  while (kept.length > MAX_CHATS) {
    const index = kept.findIndex((chat) => chat !== added && !chat.messages.some(isUnsent));
    kept.splice(Math.max(index, 0), 1);
  }
  return kept;
}

export interface StoredChats {
  currentChatId: string;
  chats: Chat[];
}

/** Copy the string fields of `raw` (the first `required` must be there); nothing else stored is trusted. */
function copyStrings<T>(raw: Record<string, unknown>, fields: string, required: number): T | null {
  const out: Record<string, unknown> = {};
  for (const [index, field] of fields.split(' ').entries()) {
    if (isString(raw[field])) out[field] = raw[field];
    else if (index < required) return null;
  }
  return out as T;
}

/** `{name, avatar_url | avatarUrl}` -> `{name, avatarUrl}`; the avatar only when it is an https: URL. */
export function readAgent(raw: unknown): ChatMessage['agent'] {
  if (!isRecord(raw) || !isString(raw.name) || !raw.name) return undefined;
  const agent: NonNullable<ChatMessage['agent']> = { name: raw.name.slice(0, 200) };
  const url = raw.avatar_url ?? raw.avatarUrl;
  try {
    if (isString(url) && new URL(url).protocol === 'https:') agent.avatarUrl = url;
  } catch {
    // not a URL: the UI shows a placeholder
  }
  return agent;
}

/** An attachment from the server (upload answers, history) or storage; null unless it has an http(s) URL. */
export function readAttachment(raw: unknown): Attachment | null {
  if (!isRecord(raw)) return null;
  const { id, url, name } = raw;
  const size = Number(raw.size ?? 0);
  const contentType = raw.content_type ?? raw.contentType;
  if (!isString(id) || !id || !isString(url) || !/^https?:\/\//i.test(url)) return null;
  return {
    id,
    url,
    name: isString(name) && name ? name.slice(0, 200) : 'file',
    size: Number.isFinite(size) && size >= 0 ? size : 0,
    contentType: isString(contentType) ? contentType : '',
  };
}

export const readAttachments = (list: unknown): Attachment[] | undefined => {
  const out = (Array.isArray(list) ? list : []).map(readAttachment).filter((a): a is Attachment => a !== null);
  return out.length ? out : undefined;
};

/** Rebuild a message from stored data, keeping only known fields; null when unusable. */
function readMessage(raw: unknown): ChatMessage | null {
  if (!isRecord(raw)) return null;
  const message = copyStrings<ChatMessage>(raw, 'id text createdAt author status replyTo serverId', 5);
  if (!message || !AUTHORS.includes(message.author) || !STATUSES.includes(message.status)) return null;
  if (raw.stopped === true) message.stopped = true;
  if (raw.notice === 'ended') message.notice = 'ended';
  const agent = readAgent(raw.agent);
  if (agent) message.agent = agent;
  const attachments = readAttachments(raw.attachments);
  if (attachments) message.attachments = attachments;
  const suggestions = readSuggestions(raw.suggestions);
  if (suggestions) message.suggestions = suggestions;
  const feedback = raw.feedback;
  if (isRecord(feedback) && (feedback.rating === 'up' || feedback.rating === 'down')) {
    message.feedback = { rating: feedback.rating };
    if (isString(feedback.comment)) message.feedback.comment = feedback.comment;
  }
  const error = raw.error;
  if (isRecord(error) && isString(error.message) && CODES.includes(error.code as ErrorCode)) {
    message.error = { code: error.code as ErrorCode, message: error.message, retryable: error.retryable === true };
    if (typeof error.status === 'number') message.error.status = error.status;
  }
  // A page unloaded mid-flight: a send in progress goes back to the outbox (its client_message_id makes
  // the resend safe), and an answer that was streaming is kept as interrupted.
  if (message.status === 'sending') message.status = 'queued';
  if (message.status === 'streaming') {
    message.status = 'failed';
    message.error = { code: 'interrupted', message: 'Interrupted when the page closed.', retryable: true };
  }
  return message;
}

function readChat(raw: unknown): Chat | null {
  if (!isRecord(raw) || !Array.isArray(raw.messages)) return null;
  const chat = copyStrings<Chat>(raw, 'id createdAt sessionId visitorId expiresAt syncedAt endedAt', 2);
  // A session whose ids could not go into a URL is not reused: the next message starts a new one.
  if (chat && !(isSafeId(chat.sessionId ?? 'none') && isSafeId(chat.visitorId ?? 'none'))) {
    delete chat.sessionId;
    delete chat.visitorId;
    delete chat.expiresAt;
  }
  if (chat)
    chat.messages = raw.messages
      .slice(-MAX_MESSAGES_PER_CHAT)
      .map(readMessage)
      .filter((m): m is ChatMessage => m !== null);
  if (chat && typeof raw.unread === 'number' && raw.unread > 0) chat.unread = Math.floor(raw.unread);
  return chat;
}

/** Validate stored chats; anything unreadable is dropped, never trusted. */
export const isStoredChats = (value: unknown): value is StoredChats =>
  isRecord(value) && isString(value.currentChatId) && Array.isArray(value.chats);

export function sanitizeChats(stored: StoredChats): StoredChats {
  const chats = stored.chats
    .map(readChat)
    .filter((chat): chat is Chat => chat !== null)
    .slice(-MAX_CHATS);
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
