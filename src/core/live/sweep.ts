// The tab's other chats: an agent may answer in any of them, so the recent ones are asked too, one after
// another, once a minute while the page is visible. Loaded once a chat not in front has a session.
import type { Chat } from '../types';

/** The 5 newest chats not in front, for a day after their last message, once a minute. */
const SWEEP_MS = 60_000;
const SWEEP_CHATS = 5;
const SWEEP_FOR_MS = 86_400_000;

const time = (iso?: string): number => Date.parse(iso ?? '');
const lastAt = (chat: Chat): number => time(chat.messages[chat.messages.length - 1]?.createdAt ?? chat.createdAt);

export interface SweepOptions {
  /** When live updates started: that counts as the first round. */
  startedAt: number;
  chats(): readonly Chat[];
  chat(id: string): Chat | undefined;
  /** The chat in front (not swept: it has its own polling or socket). */
  frontId(): string | undefined;
  /** A chat whose session is watched (not dead, live updates on). */
  watched(chat: Chat | undefined): chat is Chat;
  isSkipped(sessionId: string): boolean;
  /** Rounds run only while the page is visible and the backend has the history endpoint. */
  active(): boolean;
  pull(chat: Chat): Promise<void>;
}

export interface Sweeper {
  /** Plan the next round (a minute after the last one began); nothing when there is nothing to ask. */
  schedule(): void;
  scheduled(): boolean;
  stop(): void;
}

export function createSweeper(options: SweepOptions): Sweeper {
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the last round began (start-up counts as one) and ended; one is running. */
  let startedAt = options.startedAt;
  let endedAt = 0;
  let running = false;

  /** The chats not in front that an agent may still answer in: recent, with a session that has not expired. */
  const others = (): Chat[] =>
    options
      .chats()
      .filter(
        (chat) =>
          chat.id !== options.frontId() &&
          options.watched(chat) &&
          !options.isSkipped(chat.sessionId!) &&
          !(time(chat.expiresAt) <= Date.now()) &&
          Date.now() - lastAt(chat) < SWEEP_FOR_MS,
      )
      .sort((a, b) => lastAt(b) - lastAt(a))
      .slice(0, SWEEP_CHATS);

  async function round(): Promise<void> {
    running = true;
    startedAt = Date.now();
    for (const { id } of others()) {
      const chat = options.chat(id);
      if (id !== options.frontId() && options.watched(chat) && options.active()) await options.pull(chat);
    }
    running = false;
    endedAt = Date.now();
    schedule();
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = undefined;
    if (running || !options.active() || !others().length) return;
    // A round is due a minute after the last one began, however often the page was hidden in between, and
    // at least 15 s after it ended (a slow server makes rounds long).
    timer = setTimeout(() => void round(), Math.max(startedAt + SWEEP_MS, endedAt + SWEEP_MS / 4) - Date.now());
  }

  return {
    schedule,
    scheduled: () => timer !== undefined,
    stop: () => clearTimeout(timer),
  };
}
