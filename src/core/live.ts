// Live updates: messages from human agents (and answers that arrived while the page was away)
// reach the transcript by polling the history endpoint or over a WebSocket. Called from client.ts;
// owns its timers and socket, and holds no chat state of its own (that stays in the client).
import { readEnvelope, type Api } from './api';
import { toChatError } from './errors';
import type { ResolvedOptions } from './options';
import { backoffDelay, MAX_RETRY_DELAY_MS } from './retry';
import { AUTHORS, isRecord, readAgent, readAttachments, str } from './transcript';
import type { Author, Chat, ChatClientOptions, ChatMessage, ConnectionState, Presence } from './types';

/** A history message as the transcript will hold it, with the ids that match it to a local message. */
export interface Incoming {
  m: ChatMessage;
  /** `response_id` */
  rid?: string;
  /** `client_message_id`: the local id of a visitor message */
  cid?: string;
}

export interface Merge {
  chat: Chat;
  added: ChatMessage[];
  /** Local messages that got their server id or server time. */
  patched: ChatMessage[];
  /** An assistant message was held back because an answer is in flight; ask again when it ends. */
  deferred: boolean;
}

export interface LiveHost {
  /** The chat with this id, or the current chat. */
  chat(id?: string): Chat | undefined;
  /** Every chat of the tab. */
  chats(): readonly Chat[];
  apply(chatId: string, merge: Merge): void;
  typing(state: { name?: string } | null): void;
  connection(state: ConnectionState): void;
}

const time = (iso?: string): number => Date.parse(iso ?? '');
/** Chats not in front are pulled once a minute while the page is visible: the 5 newest, for a day after their last message. */
const SWEEP_MS = 60_000;
const SWEEP_CHATS = 5;
const SWEEP_FOR_MS = 86_400_000;
const lastAt = (chat: Chat): number => time(chat.messages[chat.messages.length - 1]?.createdAt ?? chat.createdAt);
const isBusy = (chat: Chat): boolean => chat.messages.some((m) => m.status === 'sending' || m.status === 'streaming');

/** The contract's history messages; entries that are not (no id, unknown sender, bad time) are skipped. */
export function readHistory(list: unknown): Incoming[] {
  const out: Incoming[] = [];
  for (const raw of Array.isArray(list) ? list : []) {
    if (!isRecord(raw)) continue;
    const { id, sender, text, created_at: at, response_id: rid, client_message_id: cid } = raw;
    if (!str(id) || !id || !AUTHORS.includes(sender as Author) || !str(text) || !str(at) || Number.isNaN(time(at))) continue;
    const m: ChatMessage = { id, author: sender as Author, text, status: 'sent', createdAt: at, serverId: id };
    const agent = readAgent(raw.agent);
    if (agent) m.agent = agent;
    const attachments = readAttachments(raw.attachments);
    if (attachments) m.attachments = attachments;
    out.push({ m, rid: str(rid) ? rid : undefined, cid: str(cid) ? cid : undefined });
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
  for (const { m, rid, cid } of list) {
    let i = messages.findIndex((l) => l.id === cid || l.id === m.id || l.serverId === m.id || (rid !== undefined && l.serverId === rid));
    // No ids to go by: the same text, or an answer cut here whose whole text the server kept.
    if (i < 0) {
      i = messages.findIndex(
        (l) => !l.serverId && l.author === m.author && (l.text === m.text || (l.status === 'failed' && m.text.startsWith(l.text))),
      );
    }
    const local = messages[i];
    if (local) {
      // The server has it: a visitor message that failed here (or waits to be resent) was delivered after
      // all, and a cut answer is whole once the server holds more of it (an equal copy is still cut).
      const settled =
        local.author === 'visitor'
          ? local.status === 'failed' || local.status === 'queued'
          : local.status === 'failed' && m.text.length > local.text.length;
      if (!local.serverId || local.createdAt !== m.createdAt || settled) {
        const next: ChatMessage = { ...local, serverId: local.serverId ?? rid ?? m.id, createdAt: m.createdAt };
        if (settled) {
          next.status = 'sent';
          next.text = m.text;
          delete next.error;
        }
        patched.push((messages[i] = next));
      }
    } else if (busy && m.author === 'assistant') {
      deferred = true;
      break;
    } else {
      let j = messages.length;
      while (j && time(messages[j - 1]!.createdAt) > time(m.createdAt)) j--;
      messages.splice(j, 0, m);
      added.push(m);
    }
    if (advance && !(time(syncedAt) > time(m.createdAt))) syncedAt = m.createdAt;
  }
  const next: Chat = { ...chat, messages };
  if (syncedAt) next.syncedAt = syncedAt;
  return { chat: next, added, patched, deferred };
}

export type Live = ReturnType<typeof createLive>;

export function createLive(config: ResolvedOptions, options: ChatClientOptions, api: Api, host: LiveHost, signal: AbortSignal) {
  const off = config.live === 'off';
  const ws = config.live === 'websocket';
  /** Sessions the server no longer knows (404) or that are not ours (403): never asked again. */
  const dead = new Set<string>();
  /** Sessions of chats aside answered by a bare 404: left out of the rounds. */
  const skipped = new Set<string>();
  let presence: Presence = { open: false, pageVisible: true };
  /** The backend has no history endpoint. */
  let missing = off;
  let chatId: string | undefined;
  let sessionKey = '';
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let socketTimer: ReturnType<typeof setTimeout> | undefined;
  let sweepTimer: ReturnType<typeof setTimeout> | undefined;
  let agentTimer: ReturnType<typeof setTimeout> | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failed polls in a row, and failed socket connections in a row. */
  let errors = 0;
  let attempts = 0;
  let socket: WebSocket | null = null;
  /** When the socket opened (0 while it is not open); when the visitor's last `true` typing frame went. */
  let openedAt = 0;
  let typedAt = 0;
  let deferred = false;
  /** When the last round over the chats aside began (start-up counts as one) and ended; one is running. */
  let sweptAt = Date.now();
  let endedAt = 0;
  let sweeping = false;

  /** A chat with a live session to watch. */
  const watched = (chat?: Chat): chat is Chat => !off && !signal.aborted && !!chat?.sessionId && !!chat.visitorId && !dead.has(chat.sessionId);
  /** The current chat, when it has a live session to watch. */
  const target = (): Chat | undefined => {
    const chat = host.chat();
    return watched(chat) ? chat : undefined;
  };

  const report = (): void =>
    host.connection(
      typeof navigator !== 'undefined' && navigator.onLine === false
        ? 'offline'
        : (ws ? !openedAt && attempts > 0 : errors > 0)
          ? 'reconnecting'
          : 'online',
    );

  function agent(on: boolean, name?: string): void {
    clearTimeout(agentTimer);
    if (on) agentTimer = setTimeout(agent, 6000, false);
    host.typing(on ? (name ? { name } : {}) : null);
  }

  function take(id: string, list: Incoming[], advance: boolean): void {
    const chat = host.chat(id);
    if (!chat || signal.aborted) return;
    const merge = mergeHistory(chat, list, advance);
    // A chat not in front that is busy is asked again at the next round; typing is the current chat's.
    const front = id === chatId;
    if (front) deferred = merge.deferred || (!advance && deferred);
    if (merge.added.length || merge.patched.length || merge.chat.syncedAt !== chat.syncedAt) host.apply(id, merge);
    if (front && merge.added.some((m) => m.author === 'agent')) agent(false);
  }

  /** Ask for a chat's messages since the newest one it holds. `aside`: not the current chat, whose failures are not the connection's. */
  async function pull(chat = target(), aside = false): Promise<void> {
    if (!chat || missing) return;
    const { id, sessionId = '', visitorId = '', syncedAt } = chat;
    const since = syncedAt ? `&since=${encodeURIComponent(syncedAt)}` : '';
    try {
      const path = `/api/chats/sessions/${encodeURIComponent(sessionId)}/messages/?visitor_id=${encodeURIComponent(visitorId)}${since}`;
      const data = await readEnvelope(await api.request('GET', path, undefined, signal, true));
      if (!aside) errors = 0;
      take(id, readHistory(data.messages), true);
    } catch (caught) {
      if (signal.aborted) return;
      const { status, message } = toChatError(caught);
      // A 404 that names no session or visitor is the endpoint itself missing: an older backend. Whole
      // words only: a router's "No route for GET /api/chats/sessions/…?visitor_id=…" names neither. A chat
      // aside is older, and its session more likely deleted: there it only ends the rounds for that chat
      // (in front again, its own pull decides).
      const bare = status === 404 && !/\b(session|visitor)\b/i.test(message);
      if (bare && aside) skipped.add(sessionId);
      else if (bare || status === 405 || status === 501) {
        missing = true;
        clearTimeout(pollTimer);
        console.info(`[ChatSDK] No message history endpoint (${status}): live updates stop.`);
      } else if (status === 403 || status === 404) dead.add(sessionId);
      else if (!aside) errors++;
    }
    if (!aside) report();
  }

  /** The chats not in front that an agent may still answer in: recent, with a session that has not expired. */
  const others = (): Chat[] =>
    host
      .chats()
      .filter((c) => c.id !== chatId && watched(c) && !skipped.has(c.sessionId!) && !(time(c.expiresAt) <= Date.now()) && Date.now() - lastAt(c) < SWEEP_FOR_MS)
      .sort((a, b) => lastAt(b) - lastAt(a))
      .slice(0, SWEEP_CHATS);

  /** The other recent chats, one after another, once a minute: an agent may answer in any of them. */
  function sweep(): void {
    clearTimeout(sweepTimer);
    sweepTimer = undefined;
    if (sweeping || off || signal.aborted || missing || !presence.pageVisible || !others().length) return;
    // A round is due a minute after the last one began, however often the page was hidden in between, and
    // at least 15 s after it ended (a slow server makes rounds long).
    sweepTimer = setTimeout(async () => {
      sweeping = true;
      sweptAt = Date.now();
      for (const { id } of others()) {
        const chat = host.chat(id);
        if (id !== chatId && watched(chat) && presence.pageVisible) await pull(chat, true);
      }
      sweeping = false;
      endedAt = Date.now();
      sweep();
    }, Math.max(sweptAt + SWEEP_MS, endedAt + SWEEP_MS / 4) - Date.now());
  }

  /** Polling: with live 'poll', or while the socket keeps failing. Paused while the page is hidden. */
  function plan(now?: boolean): void {
    clearTimeout(pollTimer);
    if ((ws && (attempts < 6 || openedAt)) || !presence.pageVisible || missing || !target()) return;
    const every = Math.max(1000, presence.open ? config.pollInterval : config.pollIntervalClosed);
    pollTimer = setTimeout(
      () => void pull().then(() => plan()),
      now ? 0 : Math.min(MAX_RETRY_DELAY_MS, every * 2 ** Math.min(errors, 6)),
    );
  }

  function connect(): void {
    clearTimeout(socketTimer);
    const chat = target();
    const Socket = options.WebSocket ?? globalThis.WebSocket;
    if (!ws || socket || !chat || !Socket) return;
    const values: Record<string, string> = { session_id: chat.sessionId!, visitor_id: chat.visitorId!, api_key: config.apiKey };
    const url = (config.websocketUrl ?? `${config.apiUrl.replace(/^http/, 'ws')}/ws/chats/sessions/{session_id}/?visitor_id={visitor_id}&api_key={api_key}`)
      .replace(/\{(session_id|visitor_id|api_key)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
    try {
      const s = (socket = new Socket(url));
      s.onopen = () => {
        openedAt = Date.now();
        errors = 0;
        clearTimeout(pollTimer);
        report();
        // Fill the gap: whatever arrived while the socket was down (or before this page).
        void pull();
      };
      s.onmessage = (event) => frame(event.data);
      s.onclose = s.onerror = () => void (socket === s && retry());
    } catch {
      retry();
    }
  }

  /** The socket dropped or never opened: back off, and poll after 5 failed reconnects (retrying once a minute). */
  function retry(): void {
    const lasted = openedAt && Date.now() - openedAt > 10_000;
    close();
    // A socket that opens and closes at once (a server refusing it) keeps counting as failing.
    attempts = lasted ? 1 : attempts + 1;
    socketTimer = setTimeout(connect, attempts > 5 ? MAX_RETRY_DELAY_MS : backoffDelay(attempts - 1, 1000, 30_000));
    plan(true);
    report();
  }

  function close(): void {
    const s = socket;
    socket = null;
    openedAt = typedAt = 0;
    if (!s) return;
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    try {
      s.close();
    } catch {
      // already closed
    }
  }

  /** The visitor's typing, over the socket only: one `true` per 2 s at most, `false` once it stops. */
  function typing(on: boolean): void {
    clearTimeout(idleTimer);
    if (!openedAt) return;
    if (on) idleTimer = setTimeout(typing, 3000, false);
    const now = Date.now();
    if (on ? now - typedAt < 2000 : !typedAt) return;
    typedAt = on ? now : 0;
    try {
      socket?.send(JSON.stringify({ type: 'typing', payload: { is_typing: on } }));
    } catch {
      // closing: the next socket starts fresh
    }
  }

  /** Server frames; anything not in the contract (or not JSON) is ignored. */
  function frame(data: unknown): void {
    let parsed: { type?: unknown; payload?: unknown } | null;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      return;
    }
    const p = parsed?.payload;
    const chat = target();
    if (!chat || !isRecord(p)) return;
    if (parsed!.type === 'message:new') take(chat.id, readHistory([p]), false);
    else if (parsed!.type === 'typing' && p.sender !== 'visitor') agent(p.is_typing === true, str(p.name) ? p.name.slice(0, 100) : undefined);
  }

  return {
    /** Follow the current chat and its session; called after every change of client state. */
    check(): void {
      if (off) return;
      const chat = host.chat();
      const key = chat?.sessionId && chat.visitorId ? `${chat.sessionId} ${chat.visitorId}` : '';
      if (chat?.id !== chatId || key !== sessionKey) {
        const switched = chat?.id !== chatId;
        chatId = chat?.id;
        sessionKey = key;
        close();
        errors = attempts = 0;
        deferred = false;
        agent(false);
        // A chat just restored or switched to is synced at once; a new session waits one interval.
        plan(switched);
        connect();
        report();
      } else if (deferred && chat && !isBusy(chat)) {
        deferred = false;
        void pull();
      }
      if (!sweepTimer) sweep();
    },
    presence(next: Presence): void {
      const p = { open: next.open === true, pageVisible: next.pageVisible !== false };
      if (p.open === presence.open && p.pageVisible === presence.pageVisible) return;
      const wake = p.pageVisible && (!presence.pageVisible || (p.open && !presence.open));
      const shown = p.pageVisible !== presence.pageVisible;
      presence = p;
      plan(wake);
      if (shown) sweep();
    },
    attended: (): boolean => presence.open && presence.pageVisible,
    /** The browser is back online: try now instead of waiting out the backoff. */
    online(): void {
      if (errors) plan(true);
      if (!socket) connect();
      report();
    },
    typing,
    stop(): void {
      close();
      for (const timer of [pollTimer, socketTimer, agentTimer, idleTimer, sweepTimer]) clearTimeout(timer);
    },
  };
}
