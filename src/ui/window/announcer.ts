// The window's polite region: words said in the same frame are combined, the same words said once; they
// leave the region 7 s later, so someone reading the window with a screen reader does not meet them twice.
import type { Announcement, Heard } from './types';

export interface Announcer {
  /** What the log has announced (kept while the conversation list hides it). */
  heard: Heard;
  /** Say `text` at the next render; '' empties the region. */
  say(text: string): void;
  /** At a render: what the region holds now (words waiting move in). */
  take(): Announcement | undefined;
  /** Words waiting for a chat the visitor left are not said over the one shown. */
  dropWaiting(): void;
  /** Nothing waits and nothing is held (the window closed: it opens with an empty region). */
  silence(): void;
  stop(): void;
}

/** `render`: at the next frame; `expired`: at once, when the words leave the region. */
export function createAnnouncer(render: () => void, expired: () => void): Announcer {
  let waiting: string[] = [];
  let current: Announcement | undefined;
  let count = 0;
  let hush: ReturnType<typeof setTimeout> | undefined;

  return {
    heard: { chat: null, said: new Map() },
    say(text) {
      // Emptying a region that holds nothing needs no render (every open does this).
      if (!text && !current && !waiting.length) return;
      if (!text) {
        waiting = [];
        current = undefined;
      } else if (!waiting.includes(text)) waiting = [...waiting, text];
      render();
    },
    take() {
      if (waiting.length) {
        current = { text: waiting.join(' '), count: ++count };
        waiting = [];
        clearTimeout(hush);
        hush = setTimeout(() => {
          current = undefined;
          expired();
        }, 7000);
      }
      return current;
    },
    dropWaiting() {
      waiting = [];
    },
    silence() {
      waiting = [];
      current = undefined;
      clearTimeout(hush);
    },
    stop: () => clearTimeout(hush),
  };
}
