// The widget's public API: `init(options)` validates options, creates the headless client and mounts
// the UI. Safe to import anywhere (no browser globals at import time); nothing it does throws into the page.
import { createChatClient } from '../core';
import type { ChatClient, ChatClientEvents, ChatClientOptions, ChatMessage } from '../core/types';
import { getStrings, isRtl, lang, locales, type Strings } from '../ui/i18n';
import { mountWidget } from '../ui/mount';

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
  on<K extends WidgetEventName>(name: K, handler: (event: WidgetEvents[K]) => void): () => void;
  /** Remove every element, listener, timer and request of this widget. */
  destroy(): void;
}

const P = '[ChatSDK] ';
const noop = () => {};
const noopInstance = (): WidgetInstance => ({
  open: noop,
  close: noop,
  toggle: noop,
  send: async () => undefined,
  newChat: async () => undefined,
  on: () => noop,
  destroy: noop,
});

let live: WidgetInstance | null = null;

/** The widget started by `init`, if any. */
export const getInstance = (): WidgetInstance | null => live;

const warn = (option: string, fix: string, fallback: unknown) =>
  console.warn(`${P}Option "${option}" ${fix}; using ${JSON.stringify(fallback)}.`);

const str = (o: any, name: string) => {
  const v = o[name];
  if (v == null || typeof v == 'string') return v as string | undefined;
  warn(name, 'must be a string', undefined);
};

const bool = (o: any, name: string) => {
  const v = o[name];
  if (v == null || typeof v == 'boolean') return v as boolean | undefined;
  warn(name, 'must be true or false', false);
  return undefined;
};

const isColor = (c: string) =>
  /^(#[0-9a-f]{3,8}|[a-z]+|[a-z]+\([^;{}]*\))$/i.test(c.trim()) &&
  (typeof CSS == 'undefined' || !CSS.supports || CSS.supports('color', c));

/** Create the widget. Logs and returns a no-op instance when it cannot start. */
export function init(options: WidgetOptions): WidgetInstance {
  try {
    return create(options);
  } catch (e) {
    console.error(`${P}init() failed:`, e);
    return noopInstance();
  }
}

function create(o: WidgetOptions): WidgetInstance {
  if (typeof window == 'undefined' || typeof document == 'undefined') {
    console.warn(`${P}init() needs a browser (there is no window here, e.g. during server-side rendering); returning a no-op widget. Call it on the client, e.g. in useEffect() or onMounted().`);
    return noopInstance();
  }
  if (live) {
    console.warn(`${P}init() was called while a widget is live; returning it. Call destroy() first to start a new one.`);
    return live;
  }
  o = o && typeof o == 'object' ? o : ({} as WidgetOptions);
  for (const [name, attr, eg] of [
    ['apiKey', 'api-key', '...'],
    ['apiUrl', 'api-url', 'https://api.example.com'],
  ] as const) {
    if (!o.client && (typeof o[name] != 'string' || !o[name].trim())) {
      console.error(`${P}Missing option "${name}": pass data-${attr}="${eg}" on the script tag or ${name} in ChatSDK.init().`);
      return noopInstance();
    }
  }

  let position = o.position ?? 'right';
  if (position !== 'right' && position !== 'left') warn('position', 'must be "right" or "left"', (position = 'right'));
  let theme = o.theme ?? 'auto';
  if (!['auto', 'light', 'dark'].includes(theme)) warn('theme', 'must be "auto", "light" or "dark"', (theme = 'auto'));
  let primaryColor = o.primaryColor;
  if (primaryColor != null && (typeof primaryColor != 'string' || !isColor(primaryColor))) {
    warn('primaryColor', 'must be a CSS colour such as "#2563eb"', '#2563eb');
    primaryColor = undefined;
  }
  let zIndex = o.zIndex as number | undefined;
  if (zIndex != null && !Number.isInteger((zIndex = Number(zIndex)))) {
    warn('zIndex', 'must be an integer', 2147483000);
    zIndex = undefined;
  }
  let max = o.maxMessageLength;
  if (max != null && !(Number.isInteger(max) && max > 0)) {
    warn('maxMessageLength', 'must be a positive integer', 4000);
    max = undefined;
  }
  let strings = o.strings;
  if (strings != null && typeof strings != 'object') {
    warn('strings', 'must be an object of strings', {});
    strings = undefined;
  }
  let locale = str(o, 'locale') || (typeof navigator != 'undefined' && navigator.language) || 'en';
  if (o.locale && !locales[lang(locale)] && !strings) {
    warn('locale', `"${o.locale}" has no built-in strings (${Object.keys(locales).join(', ')}); pass strings: {...} to translate it`, 'en');
  }
  const title = str(o, 'title');
  const s = getStrings(locale, { ...strings, ...(title ? { title } : {}) });
  const startOpen = bool(o, 'open');
  const preload = bool(o, 'preload');
  bool(o, 'streaming');

  const own = !o.client;
  const client = o.client || createChatClient({ ...o, maxMessageLength: max } as ChatClientOptions);
  const handlers = { open: new Set<(e: any) => void>(), close: new Set<(e: any) => void>() };
  let idle: any;
  let dead = false;

  let view;
  try {
    view = mountWidget({
      client,
      strings: s,
      rtl: isRtl(locale),
      greeting: str(o, 'greeting'),
      position,
      theme,
      primaryColor,
      zIndex,
      maxMessageLength: max,
      nonce: o.nonce,
      onToggle: (open) =>
        handlers[open ? 'open' : 'close'].forEach((f) => {
          try {
            f({});
          } catch (e) {
            console.error(`${P}An event handler threw:`, e);
          }
        }),
    });
  } catch (e) {
    if (own) client.destroy();
    throw e;
  }
  const v = view;

  // Guard every entry point: after destroy() they do nothing, and nothing throws into the page.
  const guard =
    <A extends unknown[], R>(name: string, fn: (...a: A) => R, fallback?: R) =>
    (...a: A): R => {
      if (dead) return fallback as R;
      try {
        return fn(...a);
      } catch (e) {
        console.error(`${P}${name}() failed:`, e);
        return fallback as R;
      }
    };
  const quiet = (p: Promise<any>, name: string) =>
    p.catch((e) => {
      console.warn(`${P}${name}(): ${e?.message || e}`);
      return undefined;
    });

  const instance: WidgetInstance = {
    open: guard('open', v.open),
    close: guard('close', v.close),
    toggle: guard('toggle', v.toggle),
    send: guard(
      'send',
      (text: string) => {
        v.start();
        return quiet(client.send(String(text ?? '')), 'send');
      },
      Promise.resolve(undefined),
    ),
    newChat: guard(
      'newChat',
      () => {
        v.start();
        return quiet(client.newChat(), 'newChat');
      },
      Promise.resolve(undefined),
    ),
    on: guard(
      'on',
      (name: WidgetEventName, fn: (e: any) => void) => {
        if (typeof fn != 'function') throw new TypeError(`on("${name}", handler): handler must be a function`);
        if (name === 'open' || name === 'close') {
          handlers[name].add(fn);
          return () => void handlers[name].delete(fn);
        }
        return client.on(name, fn);
      },
      noop,
    ) as WidgetInstance['on'],
    destroy: guard('destroy', () => {
      dead = true;
      if (live === instance) live = null;
      clearTimeout(idle);
      handlers.open.clear();
      handlers.close.clear();
      v.destroy();
      if (own) client.destroy();
    }),
  };
  live = instance;

  if (startOpen) v.open();
  else if (preload) {
    // Warm up after the page is done with its own start-up work.
    idle = setTimeout(() => {
      v.start();
      client.connect().catch(noop);
    }, 1);
  }
  return instance;
}
