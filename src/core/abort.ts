// One controller that follows other signals: Stop (the caller's signal), destroy() (the client's own
// signal) and a time-out all end the same request.

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
