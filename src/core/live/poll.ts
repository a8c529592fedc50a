// Polling the history endpoint: what a chat's session holds since the newest message this tab has, on a
// timer that follows the visitor's attention and backs off on errors.
import { toChatError } from '../errors';
import { logInfo } from '../log';
import { MAX_RETRY_DELAY_MS } from '../retry';
import type { Chat, Presence } from '../types';
import type { Api } from '../wire/api';
import { type Incoming, readHistory } from './history';

export interface PollerOptions {
  api: Api;
  signal: AbortSignal;
  /** ms between polls while the window is open, and while it is closed. */
  every: { open: number; closed: number };
  /** The chat in front, when it has a session to watch. */
  target(): Chat | undefined;
  presence(): Presence;
  /** The WebSocket carries the messages now: no polling. */
  socketCarries(): boolean;
  /** Merge what arrived into a chat. */
  take(chatId: string, list: Incoming[]): void;
  /** The history's `data.session` says an agent ended the chat's session (`is_active: false`, `closed_at`). */
  ended(chatId: string, sessionId: string, said: Record<string, unknown>): void;
  /** The health of the chat in front changed. */
  report(): void;
}

export interface Poller {
  /** Ask for a chat's new messages. `aside`: a chat not in front, whose failures are not the connection's. */
  pull(chat?: Chat, aside?: boolean): Promise<void>;
  /** Poll next: at once (`now`), or after the interval, longer after each failure; or not, when not needed. */
  plan(now?: boolean): void;
  /** Failed pulls of the chat in front, in a row. */
  failures(): number;
  resetFailures(): void;
  /** The backend has no history endpoint: nothing more is asked. */
  missing(): boolean;
  /** The server no longer has this session, or it is not ours: never asked again. */
  isDead(sessionId: string): boolean;
  /** A chat aside answered a bare 404: left out of the rounds. */
  isSkipped(sessionId: string): boolean;
  stop(): void;
}

export function createPoller(options: PollerOptions): Poller {
  const { api, signal } = options;
  const dead = new Set<string>();
  const skipped = new Set<string>();
  let missing = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Why a pull failed decides what is asked next. */
  function classify(caught: unknown, sessionId: string, aside: boolean): void {
    const { status, message } = toChatError(caught);
    // A 404 that names no session or visitor is the endpoint itself missing: an older backend. Whole
    // words only: a router's "No route for GET /api/chats/sessions/…?visitor_id=…" names neither. A chat
    // aside is older, and its session more likely deleted: there it only ends the rounds for that chat
    // (in front again, its own pull decides).
    const bare = status === 404 && !/\b(session|visitor)\b/i.test(message);
    if (bare && aside) skipped.add(sessionId);
    else if (bare || status === 405 || status === 501) {
      missing = true;
      clearTimeout(timer);
      logInfo(`No message history endpoint (${status}): live updates stop.`);
    } else if (status === 403 || status === 404) dead.add(sessionId);
    else if (!aside) failures++;
  }

  async function pull(chat = options.target(), aside = false): Promise<void> {
    if (!chat || missing) return;
    const { id, sessionId = '', visitorId = '', syncedAt } = chat;
    try {
      const data = await api.history(sessionId, visitorId, syncedAt, signal);
      if (!aside) failures = 0;
      options.take(id, readHistory(data.messages));
      const session = data.session as Record<string, unknown> | null | undefined;
      // Ended by an agent, with its time: a session that merely expired is found out by the next send (404).
      if (session?.is_active === false && session.closed_at) options.ended(id, sessionId, session);
    } catch (caught) {
      if (signal.aborted) return;
      classify(caught, sessionId, aside);
    }
    if (!aside) options.report();
  }

  function plan(now?: boolean): void {
    clearTimeout(timer);
    const { open, pageVisible } = options.presence();
    if (options.socketCarries() || !pageVisible || missing || !options.target()) return;
    const every = Math.max(1000, open ? options.every.open : options.every.closed);
    const delay = now ? 0 : Math.min(MAX_RETRY_DELAY_MS, every * 2 ** Math.min(failures, 6));
    timer = setTimeout(() => void pull().then(() => plan()), delay);
  }

  return {
    pull,
    plan,
    failures: () => failures,
    resetFailures() {
      failures = 0;
    },
    missing: () => missing,
    isDead: (sessionId) => dead.has(sessionId),
    isSkipped: (sessionId) => skipped.has(sessionId),
    stop: () => clearTimeout(timer),
  };
}
