// Script-tag entry, built as an IIFE to dist/chat-sdk.js. It defines window.ChatSDK, replays calls a page
// queued before the script loaded, and starts the widget from the tag's data-* attributes.
// It holds only what start-up needs: the API, option checks and the launcher; the chat itself loads from
// chat-sdk-app.js when the visitor reaches for it (src/widget/load-app-remote.ts).
import { getInstance, init, version, type WidgetInstance, type WidgetOptions } from '../widget';

export { init, version };

type Command = [string, ...unknown[]];

const w = typeof window != 'undefined' ? (window as any) : undefined;
// Read these while the script runs: afterwards currentScript is null, and the IIFE's `var ChatSDK = …`
// replaces the page's queue array with the exports.
const prev = w && w.ChatSDK;
const queue: Command[] = Array.isArray(prev) ? prev.slice() : [];
const loaded = prev && !Array.isArray(prev) && typeof prev.init == 'function';
const script = (typeof document != 'undefined' &&
  ((document.currentScript as HTMLScriptElement | null) ||
    document.querySelector<HTMLScriptElement>('script[data-api-key][src*="chat-sdk"]'))) as HTMLScriptElement | null;

let pending: Command[] = [];

/** Run one queued command: `['init', options]`, `['open']`, `['send', text]`, `['on', 'message', fn]`… */
export function push(cmd: Command): void {
  try {
    if (!Array.isArray(cmd) || typeof cmd[0] != 'string') throw new TypeError(`expected ['method', ...args], got ${String(cmd)}`);
    const [name, ...args] = cmd;
    if (name === 'init') {
      init(args[0] as WidgetOptions);
      const later = pending;
      pending = [];
      later.forEach(push);
      return;
    }
    const inst = getInstance() as any;
    if (!inst) return void pending.push(cmd);
    if (typeof inst[name] != 'function' || name === 'constructor') throw new TypeError(`unknown command "${name}"`);
    (inst as WidgetInstance)[name as 'open'](...(args as []));
  } catch (e) {
    console.error('[ChatSDK] push():', e);
  }
}

/** `data-api-key` -> apiKey (dataset already camel-cases); "true"/"false" and numbers become values. */
export function readAttributes(el: HTMLElement): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(el.dataset)) {
    o[k] = /^(open|preload|streaming|autoInit|sound|attachments|feedback)$/.test(k) && /^(true|false|)$/.test(v!)
      ? v != 'false'
      : /^(zIndex|maxMessageLength|maxFileSize)$/.test(k) && v
        ? Number(v)
        : v;
  }
  return o;
}

function start() {
  if (script && (script.dataset.apiKey != null || script.dataset.apiUrl != null)) {
    const { autoInit, ...o } = readAttributes(script);
    if (autoInit !== false) init({ nonce: script.nonce || undefined, ...o } as WidgetOptions);
  }
  queue.forEach(push);
}

if (w && !loaded) {
  const api = { init, version, push };
  // After the IIFE assignment (if any) has run, make sure window.ChatSDK is the API. Start in a task of
  // its own (the DOMContentLoaded handler or a timer), so evaluating the bundle and drawing the launcher
  // are two short tasks rather than one long one on slow phones.
  queueMicrotask(() => {
    w.ChatSDK = api;
    if (document.readyState == 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
    else setTimeout(start);
  });
} else if (loaded) {
  // The script was included twice: keep the first copy, its widget and its API.
  queueMicrotask(() => (w.ChatSDK = prev));
}
