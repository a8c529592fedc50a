import type { ChatClientOptions } from './types';

export const DEFAULTS = {
  requestTimeout: 20_000,
  streamFirstByteTimeout: 30_000,
  streamIdleTimeout: 30_000,
  maxRetries: 4,
  maxMessageLength: 4000,
  maxFileSize: 10 * 1024 * 1024,
  pollInterval: 3000,
  pollIntervalClosed: 20_000,
};

export type ResolvedOptions = typeof DEFAULTS & {
  apiKey: string;
  apiUrl: string;
  streaming: boolean;
  live: 'poll' | 'websocket' | 'off';
  websocketUrl?: string;
};

/** Where the client keeps `kind` for one API (the widget's start-up peeks at `chats` without the core). */
export const storageKey = (kind: 'visitor' | 'chats' | 'profile' | 'reset', apiUrl: string): string => `chatsdk:${kind}:${apiUrl}`;

/** The option is wrong in a way we cannot guess around: name it and say how to fix it. */
export class OptionError extends TypeError {
  override name = 'OptionError';
  constructor(readonly option: string, message: string) {
    super(`[ChatSDK] Option "${option}" ${message}`);
  }
}

/** `https://api.example.com/` -> `https://api.example.com`; only absolute http(s) URLs are accepted. */
export function normalizeApiUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = new URL(String(value).trim());
  } catch {
    // reported below
  }
  if (!value || !url || !/^https?:$/.test(url.protocol)) {
    throw new OptionError('apiUrl', `must be the API's absolute http(s) URL, e.g. "https://api.example.com" (data-api-url), not "${String(value)}".`);
  }
  return (url.origin + url.pathname).replace(/\/+$/, '');
}

/** Required options throw an OptionError; optional ones fall back to defaults with a warning. */
export function resolveOptions(options: ChatClientOptions): ResolvedOptions {
  const apiKey = options?.apiKey;
  if (typeof apiKey !== 'string' || !apiKey.trim()) {
    throw new OptionError('apiKey', 'is required: the publishable API key (data-api-key on the script tag).');
  }
  const resolved: ResolvedOptions = { ...DEFAULTS, apiKey: apiKey.trim(), apiUrl: normalizeApiUrl(options.apiUrl), streaming: options.streaming !== false, live: 'poll' };
  if (options.streaming !== undefined && typeof options.streaming !== 'boolean') {
    console.warn('[ChatSDK] Option "streaming" must be true or false; using true.');
    resolved.streaming = true;
  }
  const { live, websocketUrl } = options;
  if (live === 'poll' || live === 'websocket' || live === 'off') resolved.live = live;
  else if (live !== undefined) console.warn('[ChatSDK] Option "live" must be "poll", "websocket" or "off"; using "poll".');
  if (typeof websocketUrl === 'string' && /^wss?:\/\//i.test(websocketUrl)) resolved.websocketUrl = websocketUrl;
  else if (websocketUrl !== undefined) console.warn('[ChatSDK] Option "websocketUrl" must be a ws:// or wss:// URL; using the default.');
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value === 'number' && value >= 0 && value < Infinity) resolved[name] = Math.floor(value);
    else console.warn(`[ChatSDK] Option "${name}" must be a non-negative number; using ${DEFAULTS[name]}.`);
  }
  resolved.maxMessageLength ||= 1;
  return resolved;
}
