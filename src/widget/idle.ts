// Work for when the browser is idle, after the page's own start-up work. WebKit has no
// requestIdleCallback: a timer stands in.
type IdleHandle = number | ReturnType<typeof setTimeout>;

export function whenIdle(work: () => void): IdleHandle {
  return typeof requestIdleCallback === 'function' ? requestIdleCallback(work) : setTimeout(work);
}

export function cancelIdle(handle: IdleHandle | undefined): void {
  if (typeof cancelIdleCallback === 'function') cancelIdleCallback(handle as number);
  else clearTimeout(handle);
}
