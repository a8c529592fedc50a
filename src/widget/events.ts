// The widget's own events (open, close), and the client's events asked for before the client exists:
// they are kept and handed to it once the app has loaded.
import { logError } from '../core/log';
import type { ChatClient, ChatClientEventName, ChatClientEvents } from '../core/types';

export interface WidgetEvents extends ChatClientEvents {
  open: Record<string, never>;
  close: Record<string, never>;
}

export type WidgetEventName = keyof WidgetEvents;

// A handler of any event: its event type is the caller's (on<K>() in the instance's interface).
// biome-ignore lint/suspicious/noExplicitAny: one set holds handlers of every event type
type Handler = (event: any) => void;

export interface WidgetHandlers {
  /** `client`: once the app is here, the client (created on first use); before, the handler waits for it. */
  on(name: WidgetEventName, handler: Handler, client: (() => ChatClient) | undefined): () => void;
  /** The window opened (true) or closed: every handler hears it; one that throws is reported, not let through. */
  toggled(open: boolean): void;
  /** The window failed to draw: `error` handlers hear it (code `ui`), as they hear the client's failures. */
  failed(error: unknown): void;
  /** The app is here: the handlers given before go to the client (created now only if there are any). */
  attach(client: () => ChatClient): void;
  clear(): void;
}

export function createWidgetHandlers(): WidgetHandlers {
  const toggles = { open: new Set<Handler>(), close: new Set<Handler>() };
  /** Client event handlers given before the client existed; `off` once they are attached to it. */
  const early = new Set<{ name: ChatClientEventName; handler: Handler; off?: () => void }>();
  /** `error` handlers, who also hear the window's own failures. */
  const errors = new Set<Handler>();
  const callEach = (handlers: Iterable<Handler>, event: unknown): void => {
    for (const handler of handlers) {
      try {
        handler(event);
      } catch (error) {
        logError('An event handler threw:', error);
      }
    }
  };

  return {
    on(name, handler, client) {
      if (typeof handler !== 'function') throw new TypeError(`on("${name}", handler): handler must be a function`);
      if (name === 'open' || name === 'close') {
        toggles[name].add(handler);
        return () => void toggles[name].delete(handler);
      }
      if (name === 'error') errors.add(handler);
      const forget = (): void => void errors.delete(handler);
      if (client) {
        const off = client().on(name, handler);
        return () => {
          off();
          forget();
        };
      }
      const entry: { name: ChatClientEventName; handler: Handler; off?: () => void } = { name, handler };
      early.add(entry);
      return () => {
        early.delete(entry);
        entry.off?.();
        forget();
      };
    },
    toggled(open) {
      callEach(toggles[open ? 'open' : 'close'], {});
    },
    failed(error) {
      const message = `The chat window failed to draw: ${error instanceof Error ? error.message : String(error)}`;
      callEach(errors, { error: { code: 'ui', message, retryable: true } });
    },
    attach(client) {
      for (const entry of early) entry.off = client().on(entry.name, entry.handler);
    },
    clear() {
      toggles.open.clear();
      toggles.close.clear();
      early.clear();
      errors.clear();
    },
  };
}
