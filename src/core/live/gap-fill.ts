// Filling the gap after a socket opens: whatever arrived while it was down (or before this page). The socket
// will not say it again, so a fill that fails is retried with backoff until one succeeds (the connection
// reads "Reconnecting" meanwhile, as the poller's failures say).
import { backoffDelay, MAX_RETRY_DELAY_MS } from '../retry';
import type { Poller } from './poll';

export interface GapFiller {
  /** Fill the gap of the socket that just opened, retrying until a pull succeeds. */
  fill(): void;
  /** The socket dropped or the chat changed: a fill still in flight or waiting stops there. */
  stop(): void;
}

export function createGapFiller(poller: Pick<Poller, 'pull' | 'failures'>, signal: AbortSignal): GapFiller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts the socket's openings: a fill from an earlier one does not go on. */
  let opening = 0;
  function fill(round = opening): void {
    void poller.pull().then(() => {
      const failures = poller.failures();
      if (failures && round === opening && !signal.aborted) {
        timer = setTimeout(fill, backoffDelay(failures - 1, 1000, MAX_RETRY_DELAY_MS), round);
      }
    });
  }
  return {
    fill: () => fill(),
    stop() {
      opening++;
      clearTimeout(timer);
    },
  };
}
