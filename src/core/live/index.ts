// Live updates: messages from human agents (and answers that arrived while the page was away) reach the
// transcript by polling the history endpoint or over a WebSocket, for the chat in front and, once a
// minute, for the tab's other recent chats. Owns its timers and socket; the chats stay in the store.
import { logWarning } from '../log';
import type { ClientOptions } from '../options';
import type { Chat, ChatClientOptions, ConnectionState, Presence } from '../types';
import type { Api } from '../wire/api';
import { createGapFiller } from './gap-fill';
import { type Incoming, isBusy, type Merge, mergeHistory, readFrame } from './history';
import { createPoller } from './poll';
import type { LiveSocket, SocketOptions } from './socket';
import type { Sweeper } from './sweep';

export interface LiveHost {
  /** The chat with this id, or the current chat. */
  chat(id?: string): Chat | undefined;
  /** Every chat of the tab. */
  chats(): readonly Chat[];
  apply(chatId: string, merge: Merge): void;
  /**
   * An agent ended the chat's session `sessionId`: `said` is the history's `data.session` or the socket's
   * `session:closed` payload (with `closed_at`).
   */
  ended(chatId: string, sessionId: string, said: Record<string, unknown>): void;
  /** An agent is typing in the chat in front (null: nobody is). */
  typing(state: { name?: string } | null): void;
  connection(state: ConnectionState): void;
}

export interface Live {
  /** Follow the current chat and its session; called after every change of the chats. */
  check(): void;
  presence(next: Presence): void;
  /** The browser is back online, or the page back from the back/forward cache: ask now instead of waiting out the timer. */
  online(): void;
  /** The visitor is typing (sent over the socket only). */
  typing(on: boolean): void;
  stop(): void;
}

type LiveConfig = Pick<ClientOptions, 'apiUrl' | 'apiKey' | 'live' | 'websocketUrl' | 'pollInterval' | 'pollIntervalClosed'>;

const DEFAULT_SOCKET_PATH = '/ws/chats/sessions/{session_id}/?visitor_id={visitor_id}&api_key={api_key}';

/** The WebSocket URL of a chat's session: the `websocketUrl` template (or the default) filled in. */
function socketUrl(config: LiveConfig, chat: Chat): string {
  const values: Record<string, string> = { session_id: chat.sessionId!, visitor_id: chat.visitorId!, api_key: config.apiKey };
  const template = config.websocketUrl ?? config.apiUrl.replace(/^http/, 'ws') + DEFAULT_SOCKET_PATH;
  return template.replace(/\{(session_id|visitor_id|api_key)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
}

export function createLive(
  config: LiveConfig,
  injected: Pick<ChatClientOptions, 'WebSocket'>,
  api: Api,
  host: LiveHost,
  signal: AbortSignal,
): Live {
  const off = config.live === 'off';
  const overSocket = config.live === 'websocket';
  let presence: Presence = { open: false, pageVisible: true };
  /** The chat in front and its session, as last followed. */
  let frontId: string | undefined;
  let sessionKey = '';
  /** An assistant message was held back while an answer streams: ask again when it ends. */
  let deferred = false;
  let agentTimer: ReturnType<typeof setTimeout> | undefined;

  /** A chat with a live session to watch. */
  const watched = (chat?: Chat): chat is Chat =>
    !off && !signal.aborted && !!chat?.sessionId && !!chat.visitorId && !poller.isDead(chat.sessionId);
  const target = (): Chat | undefined => {
    const chat = host.chat();
    return watched(chat) ? chat : undefined;
  };

  function report(): void {
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    // Over a socket, a gap fill that fails is as much a connection problem as the socket failing.
    const failing = (overSocket && socket.failing()) || poller.failures() > 0;
    host.connection(offline ? 'offline' : failing ? 'reconnecting' : 'online');
  }

  /** An agent is typing; it stops by itself 6 s after the last frame that said so. */
  function agentTyping(on: boolean, name?: string): void {
    clearTimeout(agentTimer);
    if (on) agentTimer = setTimeout(agentTyping, 6000, false);
    host.typing(on ? (name ? { name } : {}) : null);
  }

  /** Merge messages into a chat. `advance`: move its `since` (pulls do; socket frames do not, so a gap before them is still fetched). */
  function take(chatId: string, list: Incoming[], advance: boolean): void {
    const chat = host.chat(chatId);
    if (!chat || signal.aborted) return;
    const merge = mergeHistory(chat, list, advance);
    // A chat not in front that is busy is asked again at the next round; typing is the front chat's.
    const front = chatId === frontId;
    if (front) deferred = merge.deferred || (!advance && deferred);
    if (merge.added.length || merge.patched.length || merge.chat.syncedAt !== chat.syncedAt) host.apply(chatId, merge);
    if (front && merge.added.some((m) => m.author === 'agent')) agentTyping(false);
  }

  /** A frame from the server's socket: a message, an agent typing, or the chat ended. */
  function frame(data: unknown): void {
    const chat = target();
    const read = chat && readFrame(data);
    if (!read) return;
    if (read.type === 'message') take(chat.id, read.messages, false);
    else if (read.type === 'typing') agentTyping(read.typing, read.name);
    else host.ended(chat.id, chat.sessionId!, read.said);
  }

  const poller = createPoller({
    api,
    signal,
    every: { open: config.pollInterval, closed: config.pollIntervalClosed },
    target,
    presence: () => presence,
    socketCarries: () => !socket.givenUp(),
    take: (chatId, list) => take(chatId, list, true),
    ended: host.ended,
    report,
  });

  const gap = createGapFiller(poller, signal);

  const socketOptions: SocketOptions = {
    url: (chat) => socketUrl(config, chat),
    Socket: () => injected.WebSocket ?? globalThis.WebSocket,
    target,
    opened() {
      poller.resetFailures();
      poller.stop();
      report();
      gap.stop();
      gap.fill();
    },
    dropped() {
      gap.stop();
      poller.plan(true);
      report();
    },
    frame,
  };
  // The WebSocket's code loads only where live updates go over one; meanwhile nothing is polled.
  let socket = withoutSocket(overSocket);
  if (overSocket) {
    import('./socket').then(
      ({ createLiveSocket }) => {
        if (signal.aborted) return;
        socket = createLiveSocket(socketOptions);
        socket.connect();
      },
      (error: unknown) => {
        logWarning(`Live updates poll instead of a WebSocket: its code did not load (${String(error)}).`);
        socket = withoutSocket(false);
        poller.plan(true);
      },
    );
  }

  // The tab's other chats are asked too, once one has a session of its own: the code for it loads then.
  const startedAt = Date.now();
  let sweeper: Sweeper | undefined;
  let sweepLoading = false;
  function followOthers(): void {
    if (sweeper) {
      if (!sweeper.scheduled()) sweeper.schedule();
      return;
    }
    if (sweepLoading || !host.chats().some((chat) => chat.id !== frontId && watched(chat))) return;
    sweepLoading = true;
    import('./sweep').then(
      ({ createSweeper }) => {
        if (signal.aborted) return;
        sweeper = createSweeper({
          startedAt,
          chats: () => host.chats(),
          chat: (id) => host.chat(id),
          frontId: () => frontId,
          watched,
          isSkipped: poller.isSkipped,
          active: () => !off && !signal.aborted && !poller.missing() && presence.pageVisible,
          pull: (chat) => poller.pull(chat, true),
        });
        sweeper.schedule();
      },
      () => (sweepLoading = false),
    );
  }

  return {
    check() {
      if (off) return;
      const chat = host.chat();
      const key = chat?.sessionId && chat.visitorId ? `${chat.sessionId} ${chat.visitorId}` : '';
      if (chat?.id !== frontId || key !== sessionKey) {
        const switched = chat?.id !== frontId;
        frontId = chat?.id;
        sessionKey = key;
        socket.close();
        socket.reset();
        gap.stop();
        poller.resetFailures();
        deferred = false;
        agentTyping(false);
        // A chat just restored or switched to is synced at once; a new session waits one interval.
        poller.plan(switched);
        socket.connect();
        report();
      } else if (deferred && chat && !isBusy(chat)) {
        deferred = false;
        void poller.pull();
      }
      followOthers();
    },
    presence(next) {
      const open = next.open === true;
      const pageVisible = next.pageVisible !== false;
      if (open === presence.open && pageVisible === presence.pageVisible) return;
      const wake = pageVisible && (!presence.pageVisible || (open && !presence.open));
      const shown = pageVisible !== presence.pageVisible;
      presence = { open, pageVisible };
      poller.plan(wake);
      if (shown) sweeper?.schedule();
    },
    online() {
      // Back online, or back from the back/forward cache: what arrived meanwhile is asked for now.
      poller.plan(true);
      socket.connect();
      report();
    },
    typing: (on) => socket.typing(on),
    stop() {
      socket.stop();
      poller.stop();
      sweeper?.stop();
      clearTimeout(agentTimer);
      gap.stop();
    },
  };
}

/** No socket: none wanted (polling carries the messages), or one still loading (`waiting`: polling holds off meanwhile). */
function withoutSocket(waiting: boolean): LiveSocket {
  const nothing = (): void => undefined;
  return {
    connect: nothing,
    close: nothing,
    reset: nothing,
    typing: nothing,
    stop: nothing,
    failing: () => false,
    givenUp: () => !waiting,
  };
}
