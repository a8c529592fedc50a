// The widget's own events (open, close), and the client's events asked for before the client exists:
// they are kept and handed to it once the app has loaded.
import { errorText, logError } from '../core/log';
import type { ChatClient, ChatClientEvents } from '../core/types';

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

/** A handler given to `on`; `off` once it is attached to the client. */
interface Entry {
  name: WidgetEventName;
  handler: Handler;
  off?: (() => void) | undefined;
}

const isToggle = (name: WidgetEventName): name is 'open' | 'close' => name === 'open' || name === 'close';

export function createWidgetHandlers(): WidgetHandlers {
  /** Every handler: open and close are the widget's; the rest go to the client (`error` also hears the window's failures). */
  const entries = new Set<Entry>();
  const callEach = (name: WidgetEventName, event: unknown): void => {
    for (const entry of entries) {
      if (entry.name !== name) continue;
      try {
        entry.handler(event);
      } catch (error) {
        logError('An event handler threw:', error);
      }
    }
  };
  const attachEntry = (entry: Entry, client: () => ChatClient): void => {
    if (!isToggle(entry.name) && !entry.off) entry.off = client().on(entry.name, entry.handler);
  };

  return {
    on(name, handler, client) {
      if (typeof handler !== 'function') throw new TypeError(`on("${name}", handler): handler must be a function`);
      const entry: Entry = { name, handler };
      if (client) attachEntry(entry, client);
      entries.add(entry);
      return () => {
        entries.delete(entry);
        entry.off?.();
      };
    },
    toggled(open) {
      callEach(open ? 'open' : 'close', {});
    },
    failed(error) {
      callEach('error', { error: { code: 'ui', message: `The chat window failed to draw: ${errorText(error)}`, retryable: true } });
    },
    attach(client) {
      for (const entry of entries) attachEntry(entry, client);
    },
    clear() {
      entries.clear();
    },
  };
}
