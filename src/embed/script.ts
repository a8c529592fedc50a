// The script-tag entry, built as a classic script (IIFE) to dist/chat-sdk.js. It defines window.ChatSDK,
// replays calls a page queued before the script loaded, and starts the widget from the tag's data-*
// attributes. It holds only what start-up needs: the API, the option checks and the launcher; the chat
// itself loads from chat-sdk-app.js next to it when the visitor reaches for it (./app-file.ts).
import { logError } from '../core/log';
import { getInstance, startWidget, version, type WidgetInstance, type WidgetOptions } from '../widget';
import { readAttributes } from '../widget/options';
import { loadAppNextToScript } from './app-file';

type Command = [string, ...unknown[]];

/** Start the widget (`ChatSDK.init`). */
export const init = (options: WidgetOptions): WidgetInstance => startWidget(options, loadAppNextToScript);
export { readAttributes, version };

const page = typeof window !== 'undefined' ? (window as unknown as { ChatSDK?: unknown }) : undefined;
// Read these while the script runs: afterwards currentScript is null, and the IIFE's `var ChatSDK = …`
// replaces the page's queue array with the exports.
const previous = page?.ChatSDK as Command[] | { init?: unknown } | undefined;
const queue: Command[] = Array.isArray(previous) ? previous.slice() : [];
const loadedBefore = !!previous && !Array.isArray(previous) && typeof previous.init === 'function';
const script = (typeof document !== 'undefined' &&
  ((document.currentScript as HTMLScriptElement | null) ||
    document.querySelector<HTMLScriptElement>('script[data-api-key][src*="chat-sdk"]'))) as HTMLScriptElement | null;

/** Commands given before `init`, run once it has been. */
let waiting: Command[] = [];

/** Run one queued command: `['init', options]`, `['open']`, `['send', text]`, `['on', 'message', fn]`… */
export function push(command: Command): void {
  try {
    if (!Array.isArray(command) || typeof command[0] !== 'string')
      throw new TypeError(`expected ['method', ...args], got ${String(command)}`);
    const [name, ...args] = command;
    if (name === 'init') {
      init(args[0] as WidgetOptions);
      const later = waiting;
      waiting = [];
      later.forEach(push);
      return;
    }
    const widget = getInstance() as unknown as Record<string, unknown> | null;
    if (!widget) return void waiting.push(command);
    const method = widget[name];
    if (typeof method !== 'function' || name === 'constructor') throw new TypeError(`unknown command "${name}"`);
    (method as (...args: unknown[]) => unknown)(...args);
  } catch (error) {
    logError('push():', error);
  }
}

function start(): void {
  if (script && (script.dataset.apiKey != null || script.dataset.apiUrl != null)) {
    const { autoInit, ...options } = readAttributes(script);
    if (autoInit !== false) init({ nonce: script.nonce || undefined, ...options } as WidgetOptions);
  }
  queue.forEach(push);
}

if (page && !loadedBefore) {
  const api = { init, version, push };
  // After the IIFE assignment (if any) has run, make sure window.ChatSDK is the API. Start in a task of
  // its own (the DOMContentLoaded handler or a timer), so evaluating the bundle and drawing the launcher
  // are two short tasks rather than one long one on slow phones.
  queueMicrotask(() => {
    page.ChatSDK = api;
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
    else setTimeout(start);
  });
} else if (loadedBefore) {
  // The script was included twice: keep the first copy, its widget and its API.
  queueMicrotask(() => (page!.ChatSDK = previous));
}
