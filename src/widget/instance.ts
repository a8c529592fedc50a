// One widget: the launcher at once; the app (the client and the window) when the visitor or the page
// needs it. Every method is safe to call at any time, before the app has loaded and after destroy().
import { errorText, logError, logWarning } from '../core/log';
import { storageKey } from '../core/storage';
import type { ChatClient, ChatMessage, VisitorAttributes } from '../core/types';
import { mountLauncher } from '../ui/launcher';
import { launcherStrings, ownStrings } from '../ui/strings/launcher';
import type { WindowView } from '../ui/window/attach';
import { createWidgetHandlers, type WidgetEventName, type WidgetEvents } from './events';
import { cancelIdle, whenIdle } from './idle';
import type { ResolvedWidgetOptions } from './options';
import { peekSession } from './session-peek';
import { forgetTeaserDismissal, startTeaser } from './teaser';
import type { WindowOnlyOptions } from './window-options';

/** What the widget loads on demand (./app.ts). */
export type App = typeof import('./app');
export type LoadApp = () => Promise<App>;

export interface WidgetInstance {
  open(): void;
  close(): void;
  toggle(): void;
  /** Send a message as the visitor. Resolves with the message, or undefined when refused (reason logged). */
  send(text: string): Promise<ChatMessage | undefined>;
  /** Start a new chat. Resolves with its id. */
  newChat(): Promise<string | undefined>;
  /** Tell the backend who the visitor is (see the core's `identify`); the contact form is then not asked. */
  identify(attributes: VisitorAttributes, options?: { signature?: string }): Promise<void>;
  /** Forget the visitor, its chats and the transcript on this device (sign-out). */
  reset(): void;
  on<K extends WidgetEventName>(name: K, handler: (event: WidgetEvents[K]) => void): () => void;
  /** Remove every element, listener, timer and request of this widget. */
  destroy(): void;
}

/** The widget, and its host element in the page (the page may remove it without `destroy()`). */
export interface CreatedWidget {
  instance: WidgetInstance;
  host: HTMLElement;
}

export function createWidget(options: ResolvedWidgetOptions, loadApp: LoadApp, destroyed: () => void): CreatedWidget {
  const handlers = createWidgetHandlers();
  const strings = ownStrings(options.title ? { ...options.strings, title: options.title } : options.strings);
  const own = 'options' in options.client;
  const apiUrl = 'options' in options.client ? options.client.options.apiUrl : '';
  let client = 'given' in options.client ? options.client.given : undefined;
  let windowOptions: WindowOnlyOptions | undefined;
  /** The client, created on first use once the app is here. */
  let clientOf: (() => ChatClient) | undefined;
  let view: WindowView | undefined;
  let attaching: Promise<WindowView | undefined> | undefined;
  let dead = false;
  /** An open() waiting for the app; close() before it arrives cancels it. */
  let opening = false;
  let readying = false;
  let readyHandle: ReturnType<typeof whenIdle> | undefined;

  const { target } = options;
  const launcher = mountLauncher({
    ...options,
    strings: launcherStrings(options.locale, strings),
    onClick: () => instance.open(),
    onIntent: ready,
  });

  /** The app and the window's strings loaded, the window attached (once; a failure lets the next call try again). */
  function attach(): Promise<WindowView | undefined> {
    attaching ??= loadApp()
      .then(async (app) => {
        const windowStrings = await app.loadStrings(options.locale, strings);
        if (dead || view) return view;
        // Checked once, now that the app is here: a wrong one warns once.
        windowOptions ??= app.readWindowOptions(options.given, apiUrl);
        const { client: given } = options;
        clientOf = () => (client ??= 'options' in given ? app.createClient(given.options, given.injected) : given.given);
        view = app.attachWindow(launcher, {
          ...options,
          ...windowOptions,
          client: clientOf,
          strings: windowStrings,
          rtl: app.isRtl(options.locale),
          inline: !!target,
          onToggle(open) {
            if (open) hideTeaser();
            // Inline, the chat shows with the page: no visitor opened it.
            if (!target) handlers.toggled(open);
          },
          onError: handlers.failed,
        });
        handlers.attach(clientOf);
        return view;
      })
      .catch((error: unknown) => {
        attaching = undefined;
        throw error;
      });
    return attaching;
  }

  /**
   * Run `work` with the window attached: at once when it is, else once the app has loaded. Then attaching
   * and following the client (storage) is one task, the work (often a first render) the next: neither is
   * long on a slow phone. What either throws rejects the returned promise.
   */
  function withView<T>(work: (view: WindowView) => T): T | Promise<T | undefined> {
    if (view) return work(view);
    launcher.busy(true);
    return attach()
      .then((attached) => {
        attached?.start();
        return new Promise<T | undefined>((done, fail) =>
          setTimeout(() => {
            try {
              done(view && !dead ? work(view) : undefined);
            } catch (error) {
              fail(error);
            }
          }),
        );
      })
      .finally(() => launcher.busy(false));
  }

  /** Like withView, for calls that return nothing: a failed load is reported, after `failed`. */
  function run(work: (view: WindowView) => void, failed = (): void => undefined): void {
    const result = withView(work);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        failed();
        logError(`The chat is unavailable: ${errorText(error)}`);
      });
    }
  }

  /** A call that returns a promise: what fails is a warning naming the call, and undefined. */
  const quietly = <T>(name: string, work: (client: ChatClient) => Promise<T>): Promise<T | undefined> =>
    Promise.resolve(
      withView((attached) => {
        attached.start();
        return work(clientOf!());
      }),
    ).catch((error: unknown) => {
      logWarning(`${name}(): ${errorText(error)}`);
      return undefined;
    });

  /**
   * Hovering, focusing or touching the launcher fetches the app, attaches the window and, when the browser
   * is next idle, builds it closed in two idle tasks (storage, then the tree): a click usually only shows
   * it. A failed load is reported by the click that needs it; the next hover tries again.
   */
  function ready(): void {
    if (readying) return;
    readying = true;
    const prepare = (): void => {
      if (dead) return;
      readyHandle = whenIdle(() => {
        if (dead) return;
        view?.start();
        readyHandle = whenIdle(() => view?.prepare());
      });
    };
    if (view) prepare();
    else attach().then(prepare, () => (readying = false));
  }

  // When the browser is idle, follow the client if this tab has a chat (a restored session is polled, so
  // the unread badge moves while closed); with `preload`, also create or validate the visitor then.
  const hasStoredChat = (): boolean => !own || !!peekSession(storageKey('chats', apiUrl));
  // Inline, the chat is always shown: nothing to invite the visitor into (even before the app is here).
  const hideTeaser = target ? () => launcher.teaser() : startTeaser(launcher, options, apiUrl);

  const idleHandle =
    options.open || target
      ? undefined
      : whenIdle(() => {
          if (view || options.preload || hasStoredChat())
            run((attached) => {
              attached.start();
              if (options.preload && !attached.isOpen())
                clientOf!()
                  .connect()
                  .catch(() => undefined);
            });
        });

  const methods: WidgetInstance = {
    open() {
      hideTeaser();
      opening = true;
      run(
        (attached) => {
          if (!opening) return;
          opening = false;
          attached.open();
        },
        () => (opening = false),
      );
    },
    close() {
      opening = false;
      view?.close();
    },
    toggle: () => (view ? view.toggle() : opening ? methods.close() : methods.open()),
    send: (text) => quietly('send', (chat) => chat.send(String(text ?? ''))),
    newChat: () => quietly('newChat', (chat) => chat.newChat()),
    identify: async (attributes, identifyOptions) => void (await quietly('identify', (chat) => chat.identify(attributes, identifyOptions))),
    reset: () =>
      run((attached) => {
        attached.start();
        clientOf!().reset();
        forgetTeaserDismissal(apiUrl);
      }),
    on: (name, handler) => handlers.on(name, handler, clientOf),
    destroy() {
      dead = true;
      destroyed();
      cancelIdle(idleHandle);
      cancelIdle(readyHandle);
      hideTeaser();
      handlers.clear();
      if (view) view.destroy();
      else launcher.destroy();
      if (own) client?.destroy();
    },
  };
  if (target) {
    // Inline, the chat is always shown (the visitor is still checked only when they reach for it: the
    // composer's focus, or a send), and opening or closing it means nothing.
    run((attached) => attached.open());
    alwaysOpen(methods);
  }
  const instance = guard(methods, () => dead);
  return { instance, host: launcher.host };
}

/** open(), close() and toggle() of an inline widget: nothing, with one console note. */
function alwaysOpen(methods: WidgetInstance): void {
  let noted = false;
  methods.open =
    methods.close =
    methods.toggle =
      () => {
        if (!noted) logWarning('Inline (option "target"), the chat is always open: open(), close() and toggle() do nothing.');
        noted = true;
      };
}

const noop = (): void => undefined;
const nothing = async (): Promise<undefined> => undefined;

/** What every method does when the widget cannot start or is destroyed. */
export const inertWidget = (): WidgetInstance => ({
  open: noop,
  close: noop,
  toggle: noop,
  send: nothing,
  newChat: nothing,
  identify: nothing,
  reset: noop,
  on: () => noop,
  destroy: noop,
});

/** Every entry point guarded: after destroy() they do nothing, and nothing throws into the page. */
function guard(methods: WidgetInstance, isDead: () => boolean): WidgetInstance {
  const inert = inertWidget() as unknown as Record<string, (...args: unknown[]) => unknown>;
  const live = methods as unknown as Record<string, (...args: unknown[]) => unknown>;
  const guarded: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of Object.keys(methods)) {
    guarded[name] = (...args) => {
      if (!isDead()) {
        try {
          return live[name]!(...args);
        } catch (error) {
          logError(`${name}() failed:`, error);
        }
      }
      return inert[name]!();
    };
  }
  return guarded as unknown as WidgetInstance;
}
