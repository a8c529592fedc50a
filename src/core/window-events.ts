// The window events the client follows, where there is a window (browsers; not Node or workers).

export interface WindowHandlers {
  /** The browser is back online. */
  online(): void;
  /** Another tab changed localStorage. */
  storage(event: StorageEvent): void;
  /** The page is being hidden or unloaded (`cached`: into the back/forward cache): save what waits to be saved. */
  pagehide(cached: boolean): void;
  /** The page came back from the back/forward cache. */
  restored(): void;
}

/** Listen to `online`, `storage`, `pagehide` and `pageshow`; returns the function that stops listening. */
export function listenToWindow(handlers: WindowHandlers): () => void {
  const target = typeof window !== 'undefined' && typeof window.addEventListener === 'function' ? window : undefined;
  const listeners: [string, (event: Event) => void][] = [
    ['online', () => handlers.online()],
    ['storage', (event) => handlers.storage(event as StorageEvent)],
    ['pagehide', (event) => handlers.pagehide((event as PageTransitionEvent).persisted === true)],
    ['pageshow', (event) => (event as PageTransitionEvent).persisted && handlers.restored()],
  ];
  for (const [name, listener] of listeners) target?.addEventListener(name, listener);
  return () => {
    for (const [name, listener] of listeners) target?.removeEventListener(name, listener);
  };
}
