// The WebSocket of the chat in front: messages and typing as they happen, reconnecting with backoff
// (polling takes over while it keeps failing), and the visitor's own typing frames.
import { backoffDelay, MAX_RETRY_DELAY_MS } from '../retry';
import type { Chat } from '../types';

export interface SocketOptions {
  /** The URL for a chat's session (the `websocketUrl` template filled in). */
  url(chat: Chat): string;
  /** The WebSocket constructor, read when a socket opens (injected in tests); none: no socket. */
  Socket(): typeof WebSocket | undefined;
  /** The chat to connect to (the current one, when it has a session to watch). */
  target(): Chat | undefined;
  opened(): void;
  /** It closed or failed; a reconnect is scheduled. */
  dropped(): void;
  frame(data: unknown): void;
}

export interface LiveSocket {
  /** Open a socket for the target chat, unless one is open or on its way. */
  connect(): void;
  /** Close it (a reconnect scheduled before is cancelled). */
  close(): void;
  /** Forget past failures (a new chat to follow). */
  reset(): void;
  /** It dropped or never opened, and is being retried. */
  failing(): boolean;
  /** It failed five times in a row: polling carries the messages until a reconnect (once a minute) works. */
  givenUp(): boolean;
  /** The visitor's typing: one `true` per 2 s at most, `false` once it stops (also 3 s after the last `true`). */
  typing(on: boolean): void;
  stop(): void;
}

export function createLiveSocket(options: SocketOptions): LiveSocket {
  let socket: WebSocket | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failed connections in a row; when the socket opened (0 while it is not open); the last `true` typing frame. */
  let attempts = 0;
  let openedAt = 0;
  let typedAt = 0;

  function close(): void {
    const closing = socket;
    socket = null;
    openedAt = typedAt = 0;
    if (!closing) return;
    closing.onopen = closing.onmessage = closing.onclose = closing.onerror = null;
    try {
      closing.close();
    } catch {
      // already closed
    }
  }

  /** The socket dropped or never opened: back off, and poll after 5 failed reconnects (retrying once a minute). */
  function retry(): void {
    const lasted = openedAt && Date.now() - openedAt > 10_000;
    close();
    // A socket that opens and closes at once (a server refusing it) keeps counting as failing.
    attempts = lasted ? 1 : attempts + 1;
    reconnectTimer = setTimeout(connect, attempts > 5 ? MAX_RETRY_DELAY_MS : backoffDelay(attempts - 1, 1000, 30_000));
    options.dropped();
  }

  function connect(): void {
    clearTimeout(reconnectTimer);
    const chat = options.target();
    const Socket = options.Socket();
    if (socket || !chat || !Socket) return;
    try {
      const opening = new Socket(options.url(chat));
      socket = opening;
      opening.onopen = () => {
        openedAt = Date.now();
        options.opened();
      };
      opening.onmessage = (event) => options.frame(event.data);
      opening.onclose = opening.onerror = () => void (socket === opening && retry());
    } catch {
      retry();
    }
  }

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

  return {
    connect,
    close() {
      clearTimeout(reconnectTimer);
      close();
    },
    reset() {
      attempts = 0;
    },
    failing: () => !openedAt && attempts > 0,
    givenUp: () => !openedAt && attempts >= 6,
    typing,
    stop() {
      clearTimeout(reconnectTimer);
      clearTimeout(idleTimer);
      close();
    },
  };
}
