// The widget's options: the client's (core/options.ts) and its own, each written once with its check,
// default and data-* form. init() and the script tag read them here; the client gets them checked.
import { CONTACT_FIELDS, type ContactField } from '../core/contact';
import { isRecord, isString } from '../core/guards';
import { logError, logWarning } from '../core/log';
import {
  CLIENT_OPTIONS,
  type ClientOptions,
  count,
  flag,
  normalizeApiUrl,
  oneOf,
  type ResolvedOptions,
  readOptions,
  rule,
  text,
} from '../core/options';
import type { ChatClient, ChatClientOptions } from '../core/types';
import type { Strings } from '../ui/strings';
import { BUILT_IN_LANGUAGES, lang } from '../ui/strings/launcher';

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
  /** Main colour (any CSS colour). @default "#2563eb" (the stylesheet's) */
  primaryColor?: string;
  /** Start with the window open (creates or validates the visitor at once). @default false */
  open?: boolean;
  /** Stacking order of the launcher and window. @default 2147483000 (the stylesheet's) */
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
  /**
   * Suggested questions shown as buttons under the greeting while the chat has no visitor message; a click
   * sends one as the visitor's message. At most 4 (`data-suggestions="Track my order|Return a bike"`).
   */
  suggestions?: string | string[];
  /** Override any visible string. */
  strings?: Partial<Strings>;
  /**
   * Origins besides the API's that agent avatars and file thumbnails may load from, e.g.
   * "https://cdn.example.com" (`data-image-origins`, comma-separated). Images elsewhere show as initials
   * and file links: a server-named host never learns the visitor's address, and a strict img-src holds.
   */
  imageOrigins?: string | string[];
  /** Nonce for the `<style>` fallback in browsers without constructable stylesheets. */
  nonce?: string;
  /** Use this client instead of creating one (custom transports, tests). Not destroyed by `destroy()`. */
  client?: ChatClient;
  /**
   * Inline mode: render the chat inside this element (or the element this selector finds, `data-target`),
   * always open, filling it; no launcher. The page sets the element's width and height.
   */
  target?: string | Element;
  /**
   * A short invitation beside the launcher while the window is closed (`data-teaser`), after `delay` whole
   * seconds (`data-teaser-delay`, default 3). Not shown once this tab has a conversation or the visitor dismissed it.
   */
  teaser?: string | { text: string; delay?: number };
  /** The teaser's delay in whole seconds, as `data-teaser-delay` gives it (or `teaser: { delay }`). @default 3 */
  teaserDelay?: number;
}

const isColor = (value: string): boolean =>
  /^(#[0-9a-f]{3,8}|[a-z]+|[a-z]+\([^;{}]*\))$/i.test(value.trim()) &&
  (typeof CSS === 'undefined' || !CSS.supports || CSS.supports('color', value));

/** "name, email" or ["name", "email"] -> the fields, or undefined when one is unknown or none is given. */
function readFields(value: unknown): ContactField[] | undefined {
  const list = (Array.isArray(value) ? value : isString(value) ? value.split(',') : [null]).map((field) =>
    isString(field) ? field.trim().toLowerCase() : '',
  );
  return list.length && list.every((field) => (CONTACT_FIELDS as readonly string[]).includes(field))
    ? [...new Set(list as ContactField[])]
    : undefined;
}

/**
 * Every option the widget reads beside apiKey and apiUrl, the client's among them (in the order they are
 * checked), but the lists only the window reads, checked when the app loads (./window-options.ts).
 */
const WIDGET_OPTIONS = {
  title: text(),
  greeting: text(),
  locale: text(),
  nonce: text(),
  position: oneOf(['right', 'left'], 'right'),
  theme: oneOf(['auto', 'light', 'dark'], 'auto'),
  primaryColor: rule('a CSS colour such as "#2563eb"', undefined as string | undefined, (value) =>
    isString(value) && isColor(value) ? value : undefined,
  ),
  zIndex: rule(
    'an integer',
    undefined as number | undefined,
    (value) => (Number.isInteger(value) ? (value as number) : undefined),
    (text) => (/^-?\d+$/.test(text) ? Number(text) : text),
  ),
  open: flag(false),
  preload: flag(false),
  sound: flag(false),
  ...CLIENT_OPTIONS,
  contactForm: oneOf(['off', 'before', 'after-first-message'], 'off'),
  contactFields: rule('a list of name, email and phone, e.g. "name,email"', ['name', 'email'] as ContactField[], readFields),
  attachments: flag(false),
  feedback: flag(false),
  strings: rule('an object of strings', {} as Partial<Strings>, (value) => (isRecord(value) ? (value as Partial<Strings>) : undefined)),
  target: rule('a CSS selector or an element', undefined as string | Element | undefined, (value) =>
    (isString(value) && value.trim()) || (isRecord(value) && value.nodeType === 1) ? (value as string | Element) : undefined,
  ),
  // The teaser's text and delay in whole seconds (`init` may give both as teaser: { text, delay }).
  teaser: text(),
  teaserDelay: count(3),
};

export type ResolvedWidgetOptions = Omit<ResolvedOptions<typeof WIDGET_OPTIONS>, 'target'> & {
  /** Inline mode: the element the chat renders in. */
  target: Element | undefined;
  /** The locale in use: the option, else the browser's. */
  locale: string;
  /** The options as given, for those the app checks (./window-options.ts). */
  given: WidgetOptions;
  /** The client's options, checked (absent when the page gave its own client). */
  client: { options: ClientOptions; injected: Omit<ChatClientOptions, 'apiKey' | 'apiUrl'> } | { given: ChatClient };
};

const REQUIRED = [
  ['apiKey', 'api-key', '...'],
  ['apiUrl', 'api-url', 'https://api.example.com'],
] as const;

/**
 * Check every option: a required one missing is an error (null: the widget cannot start), a wrong one
 * a warning naming it, once, and its default. A wrong apiUrl throws (init reports it).
 */
export function resolveWidgetOptions(options: WidgetOptions): ResolvedWidgetOptions | null {
  const given = (isRecord(options) ? options : {}) as WidgetOptions;
  for (const [name, attribute, example] of REQUIRED) {
    if (!given.client && !(isString(given[name]) && given[name].trim())) {
      logError(`Missing option "${name}": pass data-${attribute}="${example}" on the script tag or ${name} in ChatSDK.init().`);
      return null;
    }
  }
  const apiUrl = given.client ? '' : normalizeApiUrl(given.apiUrl);
  const { teaser } = given;
  const resolved = readOptions(WIDGET_OPTIONS, {
    ...given,
    ...(isRecord(teaser) && { teaser: teaser.text, teaserDelay: teaser.delay ?? given.teaserDelay }),
  } as unknown as Record<string, unknown>);
  const locale = resolved.locale || navigator.language || 'en';
  if (resolved.locale && !BUILT_IN_LANGUAGES.includes(lang(locale)) && !given.strings) {
    logWarning(`Option "locale" "${resolved.locale}" has no built-in strings (${BUILT_IN_LANGUAGES}): pass strings: {...}; using "en".`);
  }
  const target = findTarget(resolved.target);
  if (target === null) return null;
  // The injected globals (fetch, storage, WebSocket, XMLHttpRequest) are read off a copy of the options by name.
  const client = given.client
    ? { given: given.client }
    : { options: { ...resolved, apiKey: given.apiKey.trim(), apiUrl }, injected: { ...given } };
  return { ...resolved, locale, client, target, given: { ...given } };
}

/** The inline target: the element itself, the one its selector finds, or null (reported) when none does. */
function findTarget(target: string | Element | undefined): Element | undefined | null {
  if (!isString(target)) return target;
  try {
    const found = document.querySelector(target);
    if (found) return found;
  } catch {
    // not a selector: reported below
  }
  logError(`Option "target": no element matches "${target}"; nothing is rendered. Call init() once it exists.`);
  return null;
}

/** `data-*` attributes -> options: each option's rule turns its text into a value (numbers, true/false). */
export function readAttributes(element: HTMLElement): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const rules: Record<string, { parse?: ((text: string) => unknown) | undefined }> = { ...WIDGET_OPTIONS, autoInit: flag(true) };
  for (const [name, value = ''] of Object.entries(element.dataset)) options[name] = rules[name]?.parse?.(value) ?? value;
  return options;
}
