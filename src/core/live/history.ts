// History messages (the history endpoint and WebSocket frames) and merging them into a chat, so each
// message appears once however it arrived.
import { isRecord, isString } from '../guards';
import { AUTHORS, readAgent, readAttachments } from '../transcript';
import type { Author, Chat, ChatMessage } from '../types';

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
    const message: ChatMessage = { id, author: sender as Author, text, status: 'sent', createdAt: at, serverId: id };
    const agent = readAgent(raw.agent);
    if (agent) message.agent = agent;
    const attachments = readAttachments(raw.attachments);
    if (attachments) message.attachments = attachments;
    out.push({ message, responseId: isString(rid) ? rid : undefined, clientMessageId: isString(cid) ? cid : undefined });
  }
  return out;
}

/**
 * Merge history into a chat so each message appears once, however it arrived. A history message
 * matches a local one by client_message_id, server id or response_id; failing those, a local message
 * without a server id and with the same author and text (backends that echo no ids). Matches take
 * the server's id and time. New messages go in by time; an unmatched assistant message while an
 * answer is in flight may be that answer's copy, so it (and what follows) waits for the next pull.
 * `advance`: move `syncedAt` (pulls do; socket frames do not, so a gap before them is still fetched).
 */
export function mergeHistory(chat: Chat, list: Incoming[], advance: boolean): Merge {
  const messages = [...chat.messages];
  const added: ChatMessage[] = [];
  const patched: ChatMessage[] = [];
  const busy = isBusy(chat);
  let syncedAt = chat.syncedAt;
  let deferred = false;
  for (const { message: incoming, responseId, clientMessageId } of list) {
    const { id, author, text, createdAt } = incoming;
    let index = messages.findIndex(
      (local) =>
        local.id === clientMessageId ||
        local.id === id ||
        local.serverId === id ||
        (responseId !== undefined && local.serverId === responseId),
    );
    // No ids to go by: the same text, or an answer cut here whose whole text the server kept.
    if (index < 0) {
      index = messages.findIndex(
        (local) =>
          !local.serverId && local.author === author && (local.text === text || (local.status === 'failed' && text.startsWith(local.text))),
      );
    }
    const local = messages[index];
    if (local) {
      // The server has it: a visitor message that failed here (or waits to be resent) was delivered after
      // all, and a cut answer is whole once the server holds more of it (an equal copy is still cut).
      const settled =
        local.author === 'visitor'
          ? local.status === 'failed' || local.status === 'queued'
          : local.status === 'failed' && text.length > local.text.length;
      if (!local.serverId || local.createdAt !== createdAt || settled) {
        const next: ChatMessage = { ...local, serverId: local.serverId ?? responseId ?? id, createdAt };
        if (settled) {
          next.status = 'sent';
          next.text = text;
          delete next.error;
        }
        messages[index] = next;
        patched.push(next);
      }
    } else if (busy && author === 'assistant') {
      deferred = true;
      break;
    } else {
      let at = messages.length;
      while (at && time(messages[at - 1]!.createdAt) > time(createdAt)) at--;
      messages.splice(at, 0, incoming);
      added.push(incoming);
    }
    if (advance && !(time(syncedAt) > time(createdAt))) syncedAt = createdAt;
  }
  const next: Chat = { ...chat, messages };
  if (syncedAt) next.syncedAt = syncedAt;
  return { chat: next, added, patched, deferred };
}

export type Frame = { type: 'message'; messages: Incoming[] } | { type: 'typing'; typing: boolean; name: string | undefined };

/** A socket frame of the contract (`message:new`, or `typing` by an agent), or null for anything else (or not JSON). */
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
  if (parsed.type !== 'typing' || payload.sender === 'visitor') return null;
  return { type: 'typing', typing: payload.is_typing === true, name: isString(payload.name) ? payload.name.slice(0, 100) : undefined };
}
