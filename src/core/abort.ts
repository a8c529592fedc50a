// One controller that follows other signals: Stop (the caller's signal), destroy() (the client's own
// signal) and a time-out all end the same request. And a way to stop waiting for work shared with others.
import { ChatError } from './errors';

export interface LinkedAbort {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
  /** Stop following the sources. A long-lived source (the client's own signal) keeps no listener per call. */
  unlink(): void;
}

/** A controller that aborts, with the same reason, as soon as any of `sources` does. */
export function linkAbort(...sources: (AbortSignal | undefined)[]): LinkedAbort {
  const controller = new AbortController();
  const followed = sources.filter((source): source is AbortSignal => !!source);
  const unlink = (): void => {
    for (const source of followed) source.removeEventListener('abort', onAbort);
  };
  function onAbort(this: AbortSignal): void {
    unlink();
    controller.abort(this.reason);
  }
  const aborted = followed.find((source) => source.aborted);
  if (aborted) controller.abort(aborted.reason);
  else for (const source of followed) source.addEventListener('abort', onAbort);
  return { signal: controller.signal, abort: (reason) => controller.abort(reason), unlink };
}

/**
 * `work`, or the `aborted` error as soon as `signal` aborts: one caller stops waiting for work it shares
 * with others (a visitor request a send and the window's start both wait for) without ending it for them.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new ChatError('aborted', 'The request was cancelled.'));
  const link = linkAbort(signal);
  const aborted = new Promise<never>((_resolve, reject) =>
    link.signal.addEventListener('abort', () => reject(new ChatError('aborted', 'The request was cancelled.')), { once: true }),
  );
  return Promise.race([work, aborted]).finally(link.unlink);
}
