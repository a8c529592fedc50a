/** A typed event emitter: mitt's shape, but `on` returns its own unsubscribe. */
export interface Emitter<Events> {
  on<K extends keyof Events>(name: K, handler: (event: Events[K]) => void): () => void;
  emit<K extends keyof Events>(name: K, event: Events[K]): void;
  clear(): void;
}

export function createEmitter<Events>(onHandlerError?: (error: unknown) => void): Emitter<Events> {
  const handlers = new Map<keyof Events, Set<(event: never) => void>>();
  return {
    on(name, handler) {
      let set = handlers.get(name);
      if (!set) {
        set = new Set();
        handlers.set(name, set);
      }
      set.add(handler as (event: never) => void);
      return () => void set.delete(handler as (event: never) => void);
    },
    emit(name, event) {
      const set = handlers.get(name);
      if (!set) return;
      // Copy, so a handler may unsubscribe while we iterate.
      for (const handler of [...set]) {
        // A throwing integrator handler must not break the chat (or reach the host page).
        try {
          (handler as (value: Events[typeof name]) => void)(event);
        } catch (error) {
          onHandlerError?.(error);
        }
      }
    },
    clear() {
      handlers.clear();
    },
  };
}
