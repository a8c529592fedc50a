// When the window draws: at the next animation frame, at most once per frame, and while an answer streams
// at most every STREAM_DRAW_MS (chunks arrive far faster than frames, and far faster than anyone reads).
import type { ChatState } from '../../core/types';

/**
 * While an answer streams, the window draws at most this often: each draw lays out the growing answer (about
 * 20 draws a second still reads as a smooth stream, and leaves the host page most of the main thread).
 */
const STREAM_DRAW_MS = 50;

export interface DrawPacer {
  /** Draw at the next frame. */
  soon(): void;
  /** Only the streaming answer grew: draw within STREAM_DRAW_MS of the last draw (or sooner, if something else asks). */
  grew(): void;
  /** A draw is happening now: what was scheduled is done. */
  drawing(): void;
  cancel(): void;
}

export function createDrawPacer(draw: () => void): DrawPacer {
  let frame = 0;
  let lastDraw = 0;
  let streamTimer: ReturnType<typeof setTimeout> | undefined;
  const soon = (): void => {
    frame ||= requestAnimationFrame(draw);
  };
  const cancel = (): void => {
    cancelAnimationFrame(frame);
    frame = 0;
    clearTimeout(streamTimer);
    streamTimer = undefined;
  };
  return {
    soon,
    grew() {
      if (frame || streamTimer) return;
      const wait = lastDraw + STREAM_DRAW_MS - performance.now();
      if (wait <= 0) soon();
      else
        streamTimer = setTimeout(() => {
          streamTimer = undefined;
          soon();
        }, wait);
    },
    drawing() {
      cancel();
      lastDraw = performance.now();
    },
    cancel,
  };
}

/** The only change is the streaming answer at the end of the chat in front getting longer. */
export const onlyGrew = (state: ChatState, previous: ChatState): boolean => {
  const last = state.messages.at(-1);
  const before = previous.messages.at(-1);
  return (
    state.currentChatId === previous.currentChatId &&
    state.messages.length === previous.messages.length &&
    last?.status === 'streaming' &&
    before?.status === 'streaming' &&
    last.id === before.id &&
    state.unread === previous.unread &&
    state.error === previous.error &&
    state.connection === previous.connection &&
    state.agentTyping === previous.agentTyping
  );
};
