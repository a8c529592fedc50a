// The widget's public API: `init(options)` validates options and draws the launcher; the headless client
// and the window come with the app (./load-app), attached when the visitor or the page needs them.
// Safe to import anywhere (no browser globals at import time); nothing it does throws into the page.
import { CONTACT_FIELDS, type ContactField } from '../core/contact';
import { CLIENT_OPTIONS, normalizeApiUrl } from '../core/options';
import { storageKey } from '../core/storage';
import type { ChatClient, ChatClientEvents, ChatClientOptions, ChatMessage, VisitorAttributes } from '../core/types';
import { getStrings, isRtl, lang, locales, type Strings } from '../ui/i18n';
import { mountLauncher, type LauncherOptions } from '../ui/launcher';
import type { WidgetView } from '../ui/mount';
import { bundled, loadApp, type App } from './load-app';

export const version = '0.1.0';

export interface WidgetOptions extends Partial<ChatClientOptions> {
  /** Publishable API key (`data-api-key`). Required. */
  apiKey: string;
  /** API origin, e.g. `https://api.example.com` (`data-api-url`). Required. */
  apiUrl: string;
  /** Window title and dialog name. @default "Chat" (translated) */
  title?: string;
  /** First assistant line shown in the chat. */
  greeting?: string;
  /** `en`, `uk`, `ru` built in; other languages through `strings`. @default navigator.language */
  locale?: string;
  /** @default "right" */
  position?: 'right' | 'left';
  /** Main colour (any CSS colour). @default "#2563eb" */
  primaryColor?: string;
  /** Start with the window open (creates or validates the visitor at once). @default false */
  open?: boolean;
  /** Stacking order of the launcher and window. @default 2147483000 */
  zIndex?: number;
  /** Create or validate the visitor at idle time after start-up instead of on first open. @default false */
  preload?: boolean;
  /** @default "auto" (follows prefers-color-scheme) */
  theme?: 'auto' | 'light' | 'dark';
  /** A short tone for a new agent message while the window is closed or the tab hidden (`data-sound`). @default false */
  sound?: boolean;
  /**
   * Ask for contact details: `before` the first message, or `after-first-message` (it goes out, then the
   * form shows in the chat); the composer waits meanwhile. Not asked again once given. @default "off"
   */
  contactForm?: 'off' | 'before' | 'after-first-message';
  /** The form's fields, e.g. "name,email" or ["name", "phone"] (`data-contact-fields`). @default "name,email" */
  contactFields?: string | ContactField[];
  /** Attach button, drag and drop and pasted images (`data-attachments`). @default false */
  attachments?: boolean;
  /** Thumbs up / down on answers (`data-feedback`). @default false */
  feedback?: boolean;
  /** Override any visible string. */
  strings?: Partial<Strings>;
  /** Nonce for the `<style>` fallback in browsers without constructable stylesheets. */
  nonce?: string;
  /** Use this client instead of creating one (custom transports, tests). Not destroyed by `destroy()`. */
  client?: ChatClient;
}

export interface WidgetEvents extends ChatClientEvents {
  open: Record<string, never>;
  close: Record<string, never>;
}

export type WidgetEventName = keyof WidgetEvents;

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

const P = '[ChatSDK] ';
/** A client event handler given to `on()` before the app arrived; `off` once it is attached. */
type EarlyHandler = { name: string; fn: (e: any) => void; off?: () => void };
const noop = () => {};
const none = async () => undefined;
/** What every method does when the widget cannot start or is destroyed. */
const dud = (): WidgetInstance => ({ open: noop, close: noop, toggle: noop, send: none, newChat: none, identify: none, reset: noop, on: () => noop, destroy: noop });

let live: WidgetInstance | null = null;

/** The widget started by `init`, if any. */
export const getInstance = (): WidgetInstance | null => live;

const isColor = (c: string) =>
  /^(#[0-9a-f]{3,8}|[a-z]+|[a-z]+\([^;{}]*\))$/i.test(c.trim()) && (typeof CSS == 'undefined' || !CSS.supports || CSS.supports('color', c));
const isStr = (v: unknown) => typeof v == 'string';
const isBool = (v: unknown) => typeof v == 'boolean';
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
/** "name, email" or ["name", "email"] -> the fields, or null when one is unknown or none is given. */
const fieldsOf = (v: unknown): ContactField[] | null => {
  const list = (Array.isArray(v) ? v : isStr(v) ? v.split(',') : [null]).map((f) => (isStr(f) ? f.trim().toLowerCase() : ''));
  return list.length && list.every((f) => (CONTACT_FIELDS as readonly string[]).includes(f)) ? [...new Set(list as ContactField[])] : null;
};

/** Optional options: [valid?, what a valid value is, the default used instead]. */
const CHECKS: Record<string, [(v: any) => boolean, string, unknown?]> = {
  position: [(v) => /^(right|left)$/.test(v), '"right" or "left"', 'right'],
  theme: [(v) => /^(auto|light|dark)$/.test(v), '"auto", "light" or "dark"', 'auto'],
  primaryColor: [(v) => isStr(v) && isColor(v), 'a CSS colour such as "#2563eb"', '#2563eb'],
  zIndex: [(v) => /^-?\d+$/.test(v), 'an integer', 2147483000],
  maxMessageLength: [isCount, 'a positive integer', CLIENT_OPTIONS.maxMessageLength.fallback],
  maxFileSize: [isCount, 'a positive integer (bytes)', CLIENT_OPTIONS.maxFileSize.fallback],
  strings: [(v) => typeof v == 'object', 'an object of strings', {}],
  locale: [isStr, 'a string'],
  title: [isStr, 'a string'],
  greeting: [isStr, 'a string'],
  nonce: [isStr, 'a string'],
  open: [isBool, 'true or false', false],
  preload: [isBool, 'true or false', false],
  sound: [isBool, 'true or false', false],
  live: [(v) => /^(poll|websocket|off)$/.test(v), '"poll", "websocket" or "off"', 'poll'],
  contactForm: [(v) => /^(off|before|after-first-message)$/.test(v), '"off", "before" or "after-first-message"', 'off'],
  contactFields: [(v) => !!fieldsOf(v), 'a list of name, email and phone, e.g. "name,email"', 'name,email'],
  attachments: [isBool, 'true or false', false],
  feedback: [isBool, 'true or false', false],
};

/** Create the widget. Logs and returns a no-op instance when it cannot start. */
export function init(options: WidgetOptions): WidgetInstance {
  try {
    return create(options);
  } catch (e) {
    console.error(`${P}init() failed:`, e);
    return dud();
  }
}

function create(o: WidgetOptions): WidgetInstance {
  if (typeof window == 'undefined' || typeof document == 'undefined') {
    console.warn(`${P}init() needs a browser (not server-side rendering): call it on the client, e.g. in useEffect(). Returning a no-op widget.`);
    return dud();
  }
  if (live) {
    console.warn(`${P}init() called while a widget is live: returning it. Call destroy() first for a new one.`);
    return live;
  }
  o = o && typeof o == 'object' ? o : ({} as WidgetOptions);
  for (const [name, eg] of [
    ['apiKey', '...'],
    ['apiUrl', 'https://api.example.com'],
  ] as const) {
    if (!o.client && !(isStr(o[name]) && o[name].trim())) {
      console.error(`${P}Missing option "${name}": pass data-${name == 'apiKey' ? 'api-key' : 'api-url'}="${eg}" on the script tag or ${name} in ChatSDK.init().`);
      return dud();
    }
  }
  // Valid optional options; an invalid one warns and is left out, so its default applies.
  const v: Record<string, any> = {};
  for (const k in CHECKS) {
    const [ok, fix, fallback] = CHECKS[k]!;
    const x = (o as any)[k];
    if (x == null || ok(x)) v[k] = x;
    else console.warn(`${P}Option "${k}" must be ${fix}; using ${JSON.stringify(fallback)}.`);
  }
  const locale: string = v.locale || navigator.language || 'en';
  if (v.locale && !locales[lang(locale)] && !v.strings) {
    console.warn(`${P}Option "locale" "${v.locale}" has no built-in strings (${Object.keys(locales)}): pass strings: {...}; using "en".`);
  }

  const own = !o.client;
  // A wrong apiUrl is reported now, before anything is drawn.
  const apiUrl = own ? normalizeApiUrl(o.apiUrl) : '';
  const strings = getStrings(locale, v.title ? { ...v.strings, title: v.title } : v.strings);
  const l = mountLauncher({ ...v, strings } as LauncherOptions);
  // The core and the window arrive with the app (at once in the ES module build, from its own file in
  // the classic script); the client is created when first needed (open, send, on, preload, a stored chat).
  let app: App | undefined;
  let view: WidgetView | undefined;
  let client = o.client;
  const cl = () =>
    (client ||= app!.createChatClient({ ...o, maxMessageLength: v.maxMessageLength, maxFileSize: v.maxFileSize, live: v.live } as ChatClientOptions));
  const handlers = { open: new Set<(e: any) => void>(), close: new Set<(e: any) => void>() };
  /** Client event handlers registered before the app arrived. */
  const early = new Set<EarlyHandler>();
  let dead = false;
  const attach = (a: App) => {
    if (dead || view) return;
    app = a;
    view = a.attachWindow(l, {
      ...v,
      strings,
      locale,
      contactFields: v.contactFields && fieldsOf(v.contactFields)!,
      client: cl,
      rtl: isRtl(locale),
      onToggle: (open) =>
        handlers[open ? 'open' : 'close'].forEach((f) => {
          try {
            f({});
          } catch (e) {
            console.error(`${P}An event handler threw:`, e);
          }
        }),
    });
    early.forEach((h) => (h.off = cl().on(h.name as WidgetEventName & keyof ChatClientEvents, h.fn)));
  };
  const unloaded = (e: any) => console.error(`${P}The chat is unavailable: ${e?.message || e}`);
  /** Run `fn` with the window attached: at once when the app is here, else once it has loaded. */
  const withView = <T>(fn: (w: WidgetView) => T): T | Promise<T | undefined> => {
    if (view) return fn(view);
    l.busy(true);
    return loadApp()
      .then((a) => {
        // Attaching and following the client (storage) is one task, the call (often a first render) the
        // next: neither is long on a slow phone. What either throws rejects the returned promise.
        attach(a);
        view?.start();
        return new Promise<T | undefined>((done, fail) =>
          setTimeout(() => {
            try {
              done(view && !dead ? fn(view) : undefined);
            } catch (e) {
              fail(e);
            }
          }),
        );
      })
      .finally(() => l.busy(false));
  };
  /** Like withView, for calls that return nothing: a failed load is reported, after `failed`. */
  const run = (fn: (w: WidgetView) => void, failed = noop) => {
    const r = withView(fn);
    if (r instanceof Promise) r.catch((e) => (failed(), unloaded(e)));
  };
  const quiet = (name: string, p: (c: ChatClient) => Promise<any>) =>
    Promise.resolve(withView((w) => (w.start(), p(cl())))).catch((e) => {
      console.warn(`${P}${name}(): ${e?.message || e}`);
    });
  if (bundled)
    try {
      attach(bundled);
    } catch (e) {
      l.destroy();
      throw e;
    }
  l.click = () => instance.open();
  // When the browser is idle, after the page's own start-up work, follow the client if this tab has a
  // chat (read storage: a restored session is polled, so the unread badge moves while closed); with
  // `preload`, also create or validate the visitor then.
  const stored = () => {
    try {
      return !own || !!sessionStorage.getItem(storageKey('chats', apiUrl));
    } catch {
      return false;
    }
  };
  const win = window as any;
  const [later, cancel] = win.requestIdleCallback ? [win.requestIdleCallback, win.cancelIdleCallback] : [setTimeout, clearTimeout];
  const idle =
    !v.open &&
    later(() => {
      if (view || v.preload || stored())
        run((w) => {
          w.start();
          if (v.preload && !w.isOpen()) cl().connect().catch(noop);
        });
    });
  // Hovering, focusing or touching the launcher fetches the app, attaches the window and, when the
  // browser is next idle, builds it closed: a click usually only shows it (a failed load is reported
  // by the click that needs it; the next hover tries again).
  let readying = false;
  let ready: number | undefined;
  l.intent = () => {
    if (readying) return;
    readying = true;
    // Two idle tasks (storage, then the tree), each short on a slow phone.
    const prepare = () => void (dead || (ready = later(() => dead || (view?.start(), (ready = later(() => view?.prepare()))))));
    if (view) prepare();
    else
      loadApp()
        .then((a) => (attach(a), prepare()))
        .catch(() => (readying = false));
  };

  /** An open() waiting for the app; close() before it arrives cancels it. */
  let opening = false;
  const methods: Record<string, (...a: any[]) => any> = {
    open() {
      opening = true;
      run(
        (w) => opening && ((opening = false), w.open()),
        () => (opening = false),
      );
    },
    close() {
      opening = false;
      view?.close();
    },
    toggle: () => (view ? view.toggle() : methods[opening ? 'close' : 'open']!()),
    send: (text) => quiet('send', (c) => c.send(String(text ?? ''))),
    newChat: () => quiet('newChat', (c) => c.newChat()),
    identify: (attributes, opts) => quiet('identify', (c) => c.identify(attributes, opts)),
    reset: () =>
      run((w) => {
        w.start();
        cl().reset();
      }),
    on(name: WidgetEventName, fn: (e: any) => void) {
      if (typeof fn != 'function') throw new TypeError(`on("${name}", handler): handler must be a function`);
      if (name == 'open' || name == 'close') {
        handlers[name].add(fn);
        return () => void handlers[name].delete(fn);
      }
      if (app || client) return cl().on(name, fn);
      const h: EarlyHandler = { name, fn };
      early.add(h);
      return () => {
        early.delete(h);
        h.off?.();
      };
    },
    destroy() {
      dead = true;
      if (live == instance) live = null;
      if (idle) cancel(idle);
      if (ready) cancel(ready);
      handlers.open.clear();
      handlers.close.clear();
      early.clear();
      if (view) view.destroy();
      else l.destroy();
      if (own) client?.destroy();
    },
  };
  // Guard every entry point: after destroy() they do nothing, and nothing throws into the page.
  const fallback: any = dud();
  const instance: any = {};
  for (const k in methods)
    instance[k] = (...a: any[]) => {
      if (!dead)
        try {
          return methods[k]!(...a);
        } catch (e) {
          console.error(`${P}${k}() failed:`, e);
        }
      return fallback[k]();
    };
  live = instance;
  if (v.open) instance.open();
  return instance;
}
