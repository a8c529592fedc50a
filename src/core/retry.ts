/** Longest we ever wait before a retry, whatever `Retry-After` asks for. */
export const MAX_RETRY_DELAY_MS = 60_000;

/** Exponential backoff with full jitter: spreads reconnecting clients out instead of herding them. */
export function backoffDelay(attempt: number, baseMs = 500, maxMs = 15_000, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  // HTTP dates start with a day name; Date.parse would also take "-5" or "1.5" as dates.
  else if (!/^[a-z]{3}/i.test(trimmed)) return undefined;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.max(0, Math.min(ms, MAX_RETRY_DELAY_MS));
}

/** Resolve after `ms`, or early when `wake` fires (e.g. the browser came back online); reject on abort. */
export function wait(ms: number, signal: AbortSignal, wake?: (resolve: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let unwake: (() => void) | undefined;
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      unwake?.();
    };
    const onAbort = (): void => {
      done();
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort);
    unwake = wake?.(() => {
      done();
      resolve();
    });
  });
}
