// Waiting for the network: retries with backoff, and waits that end early when the browser comes back
// online or another request gets through (a sign the network works again).
import { type ChatError, toChatError } from './errors';
import { backoffDelay, wait } from './retry';

export interface Connectivity {
  /** The browser says it is offline. */
  isOffline(): boolean;
  /** Resolve once the browser says it is online (re-checking every 15 s in case no event comes). */
  untilOnline(signal: AbortSignal): Promise<void>;
  /**
   * Run `work`, retrying network faults, time-outs, 429 and 503 with backoff (`Retry-After` wins), up to
   * `maxRetries` times. `onWait` hears each failure that is about to be retried.
   */
  withRetries<T>(work: () => Promise<T>, signal: AbortSignal, onWait?: (error: ChatError) => void): Promise<T>;
  /** The network is back (the `online` event): end every backoff wait now. */
  wake(): void;
  clear(): void;
}

/** `onOfflineWait(+1 | -1)`: a wait for the browser to come online began or ended (the status is `offline` meanwhile). */
export function createConnectivity(maxRetries: number, onOfflineWait: (delta: 1 | -1) => void): Connectivity {
  const wakers = new Set<() => void>();
  const isOffline = (): boolean => typeof navigator !== 'undefined' && navigator.onLine === false;
  const wake = (): void => {
    for (const waker of [...wakers]) waker();
  };
  const pause = (ms: number, signal: AbortSignal): Promise<void> =>
    wait(ms, signal, (resolve) => {
      wakers.add(resolve);
      return () => wakers.delete(resolve);
    });

  async function untilOnline(signal: AbortSignal): Promise<void> {
    onOfflineWait(1);
    try {
      while (isOffline()) await pause(15_000, signal);
    } finally {
      onOfflineWait(-1);
    }
  }

  return {
    isOffline,
    untilOnline,
    wake,
    async withRetries(work, signal, onWait) {
      for (let attempt = 0; ; attempt++) {
        if (isOffline()) await untilOnline(signal);
        try {
          const result = await work();
          wake();
          return result;
        } catch (caught) {
          const failure = toChatError(caught);
          if (!failure.retryable || attempt >= maxRetries || signal.aborted) throw failure;
          onWait?.(failure);
          // The server said how long to wait: the network coming back or another request getting
          // through does not cut that short. Backoff waits do end early on those.
          if (failure.retryAfterMs !== undefined) await wait(failure.retryAfterMs, signal);
          else await pause(backoffDelay(attempt), signal);
        }
      }
    },
    clear: () => wakers.clear(),
  };
}
