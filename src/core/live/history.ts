// History messages (the history endpoint and WebSocket frames) and merging them into a chat, so each
// message appears once however it arrived.
import { isRecord, isString } from '../guards';
import { AUTHORS, MAX_MESSAGES_PER_CHAT, readAgent, readAttachments } from '../transcript';
import type { Author, Chat, ChatMessage } from '../types';
import { MAX_ANSWER_LENGTH } from '../wire/sse';

/** A history message as the transcript will hold it, with the ids that match it to a local message. */
export interface Incoming {
  message: ChatMessage;
  /** `response_id` */
  responseId?: string | undefined;
  /** `client_message_id`: the local id of a visitor message */
  clientMessageId?: string | undefined;
}

export interface Merge {
  chat: Chat;
  added: ChatMessage[];
  /** Local messages that got their server id or server time. */
  patched: ChatMessage[];
  /** An assistant message was held back because an answer is in flight; ask again when it ends. */
  deferred: boolean;
}

const time = (iso?: string): number => Date.parse(iso ?? '');

/** An answer is on its way in this chat. */
export const isBusy = (chat: Chat): boolean => chat.messages.some((m) => m.status === 'sending' || m.status === 'streaming');

/** The contract's history messages; entries that are not (no id, unknown sender, bad time) are skipped. */
export function readHistory(list: unknown): Incoming[] {
  const out: Incoming[] = [];
  for (const raw of Array.isArray(list) ? list : []) {
    if (!isRecord(raw)) continue;
    const { id, sender, text, created_at: at, response_id: rid, client_message_id: cid } = raw;
    if (!isString(id) || !id || !AUTHORS.includes(sender as Author) || !isString(text) || !isString(at) || Number.isNaN(time(at))) continue;
    // Longer than an answer may be: cut, visibly, as a streamed answer would be.
    const shown = text.length > MAX_ANSWER_LENGTH ? `${text.slice(0, MAX_ANSWER_LENGTH)} …` : text;
    const message: ChatMessage = { id, author: sender as Author, text: shown, status: 'sent', createdAt: at, serverId: id };
    const agent = readAgent(raw.agent);
    if (agent) message.agent = agent;
    const attachments = readAttachments(raw.attachments);
    if (attachments) message.attachments = attachments;
    out.push({ message, responseId: isString(rid) ? rid : undefined, clientMessageId: isString(cid) ? cid : undefined });
  }
  return out;
}

/** Most messages one pull or frame may add: a backend that ignores `since` cannot flood the chat (the newest win). */
export const MAX_MERGED = 2000;

/** An answer cut here (Stop, or a failed stream) whose whole text the server may hold. */
const isCut = (m: ChatMessage): boolean => m.author === 'assistant' && (m.status === 'failed' || m.stopped === true);

/** Local messages by every key a history message may name, built once per merge. */
function indexLocal(messages: readonly ChatMessage[]) {
  const byId = new Map<string, number>();
  /** `author + text` of messages the server has not named yet (backends that echo no ids). */
  const byText = new Map<string, number[]>();
  const cut: number[] = [];
  /** Cut answers that showed no word, by the question they answer: the server's next answer to it is theirs. */
  const silent = new Map<string, number>();
  const textKey = (m: ChatMessage): string => `${m.author}\n${m.text}`;
  messages.forEach((m, index) => {
    for (const key of [m.id, m.serverId]) if (key && !byId.has(key)) byId.set(key, index);
    if (m.serverId) return;
    const same = byText.get(textKey(m));
    if (same) same.push(index);
    else byText.set(textKey(m), [index]);
    if (isCut(m) && m.text) cut.push(index);
    else if (isCut(m) && m.replyTo) silent.set(m.replyTo, index);
  });
  return {
    /**
     * By the ids first; failing those, an unnamed message with the same text, a cut answer the server's copy
     * continues, or (right after `question`, the local id of the visitor message the previous history
     * message matched) that question's answer cut before its first word.
     */
    find({ message, responseId, clientMessageId }: Incoming, taken: Set<number>, question?: string): number {
      for (const key of [clientMessageId, message.id, responseId]) {
        const index = key === undefined ? undefined : byId.get(key);
        if (index !== undefined) return index;
      }
      // Sent from another tab or device: the same words typed here are a different message, still to be sent.
      if (clientMessageId !== undefined && message.author === 'visitor') return -1;
      const free = (index: number): boolean => !taken.has(index) && !messages[index]!.serverId;
      const same = byText.get(textKey(message))?.find(free);
      if (same !== undefined) return same;
      if (message.author !== 'assistant') return -1;
      const continued = cut.find((index) => free(index) && message.text.startsWith(messages[index]!.text));
      if (continued !== undefined) return continued;
      const unanswered = question === undefined ? undefined : silent.get(question);
      return unanswered !== undefined && free(unanswered) ? unanswered : -1;
    },
  };
}

/** `local` as the server has it: its id and time; a visitor message's delivery; more of a cut answer's text. */
function settle(local: ChatMessage, incoming: Incoming): ChatMessage | null {
  const { id, text, createdAt } = incoming.message;
  // A visitor message that failed here (or waits to be resent) was delivered after all.
  const delivered = local.author === 'visitor' && (local.status === 'failed' || local.status === 'queued');
  // A cut answer shows what the server kept of it (often a few chunks more). Nothing says that copy is
  // whole, so a failed one keeps its mark and Retry, and a stopped one its Stop mark.
  const longer = isCut(local) && text.length > local.text.length && text.startsWith(local.text);
  if (local.serverId && local.createdAt === createdAt && !delivered && !longer) return null;
  const next: ChatMessage = { ...local, serverId: local.serverId ?? incoming.responseId ?? id, createdAt };
  if (delivered) {
    next.status = 'sent';
    delete next.error;
  }
  if (longer) next.text = text;
  return next;
}

/** `added` (in time order) into `messages`: each after the last message no later than it, as one backward pass. */
function insertByTime(messages: readonly ChatMessage[], added: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let local = messages.length - 1;
  for (let index = added.length - 1; index >= 0; index--) {
    const at = time(added[index]!.createdAt);
    while (local >= 0 && time(messages[local]!.createdAt) > at) out.push(messages[local--]!);
    out.push(added[index]!);
  }
  while (local >= 0) out.push(messages[local--]!);
  return out.reverse();
}

/** At most MAX_MESSAGES_PER_CHAT: the oldest settled ones go (never what the visitor has not got through). */
function keepNewest(messages: ChatMessage[]): ChatMessage[] {
  let over = messages.length - MAX_MESSAGES_PER_CHAT;
  return over > 0 ? messages.filter((m) => !(over > 0 && m.status === 'sent' && over--)) : messages;
}

/**
 * Merge history into a chat so each message appears once, however it arrived, in time linear in the
 * chat and the list. A history message matches a local one by client_message_id, server id or
 * response_id; failing those, a local message without a server id and with the same author and text,
 * or a cut answer (stopped or failed) that the server's copy starts with: the server's longer copy
 * replaces its text. Matches take the server's id and time. New messages go in by time; an unmatched
 * assistant message while an answer is in flight may be that answer's copy, so it (and what follows)
 * waits for the next pull. At most MAX_MERGED messages (the newest) are taken from one list.
 * `advance`: move `syncedAt` (pulls do; socket frames do not, so a gap before them is still fetched).
 */
export function mergeHistory(chat: Chat, list: Incoming[], advance: boolean): Merge {
  const messages = [...chat.messages];
  const added: ChatMessage[] = [];
  const patched: ChatMessage[] = [];
  const busy = isBusy(chat);
  const local = indexLocal(messages);
  /** Local messages already matched in this merge: one server copy each. */
  const taken = new Set<number>();
  let syncedAt = chat.syncedAt;
  let deferred = false;
  /** The local id of the visitor message the previous history message matched. */
  let question: string | undefined;
  // Each id once, oldest first whatever order the backend used; a list too long keeps its newest.
  const unique = new Map(list.map((incoming) => [incoming.message.id, incoming]));
  const ordered = [...unique.values()]
    .map((incoming, order) => ({ incoming, order, at: time(incoming.message.createdAt) }))
    .sort((a, b) => a.at - b.at || a.order - b.order)
    .slice(-MAX_MERGED);
  for (const { incoming } of ordered) {
    const { message } = incoming;
    const index = local.find(incoming, taken, question);
    const match = messages[index];
    question = message.author === 'visitor' ? match?.id : undefined;
    if (match) {
      taken.add(index);
      const next = settle(match, incoming);
      if (next) {
        messages[index] = next;
        patched.push(next);
      }
    } else if (busy && message.author === 'assistant') {
      deferred = true;
      break;
    } else {
      added.push(message);
    }
    if (advance && !(time(syncedAt) > time(message.createdAt))) syncedAt = message.createdAt;
  }
  const kept = added.length ? keepNewest(insertByTime(messages, added)) : messages;
  const next: Chat = { ...chat, messages: kept };
  if (syncedAt) next.syncedAt = syncedAt;
  // What did not make it into the chat (older than its newest 2,000) did not arrive, nor count as unread.
  const shown = kept.length < messages.length + added.length ? new Set(kept) : undefined;
  return { chat: next, added: shown ? added.filter((m) => shown.has(m)) : added, patched, deferred };
}

export type Frame =
  | { type: 'message'; messages: Incoming[] }
  | { type: 'typing'; typing: boolean; name: string | undefined }
  | { type: 'ended'; said: Record<string, unknown> };

/** A socket frame of the contract (`message:new`, `typing` by an agent, `session:closed`), or null for anything else (or not JSON). */
export function readFrame(data: unknown): Frame | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(data));
  } catch {
    return null;
  }
  const payload = isRecord(parsed) ? parsed.payload : undefined;
  if (!isRecord(parsed) || !isRecord(payload)) return null;
  if (parsed.type === 'message:new') return { type: 'message', messages: readHistory([payload]) };
  if (parsed.type === 'session:closed') return { type: 'ended', said: payload };
  if (parsed.type !== 'typing' || payload.sender === 'visitor') return null;
  return { type: 'typing', typing: payload.is_typing === true, name: isString(payload.name) ? payload.name.slice(0, 100) : undefined };
}
