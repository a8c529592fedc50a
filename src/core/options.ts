import type { ChatClientOptions } from './types';

export interface ResolvedOptions {
  apiKey: string;
  apiUrl: string;
  streaming: boolean;
  requestTimeout: number;
  streamFirstByteTimeout: number;
  streamIdleTimeout: number;
  maxRetries: number;
  maxMessageLength: number;
}

export const DEFAULTS = {
  streaming: true,
  requestTimeout: 20_000,
  streamFirstByteTimeout: 30_000,
  streamIdleTimeout: 30_000,
  maxRetries: 4,
  maxMessageLength: 4000,
} as const;

/** The option is wrong in a way we cannot guess around: name it and say how to fix it. */
export class OptionError extends TypeError {
  override name = 'OptionError';
  constructor(readonly option: string, message: string) {
    super(`[ChatSDK] Option "${option}": ${message}`);
  }
}

/** `https://api.example.com/` -> `https://api.example.com`; only http(s) URLs are accepted. */
export function normalizeApiUrl(value: unknown): string {
  if (typeof value !== 'string' || !value.trim()) {
    throw new OptionError('apiUrl', 'is required, e.g. apiUrl: "https://api.example.com" (data-api-url on the script tag).');
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new OptionError('apiUrl', `"${value}" is not an absolute URL; use the API origin, e.g. "https://api.example.com".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OptionError('apiUrl', `must be an http(s) URL, not "${url.protocol}".`);
  }
  return (url.origin + url.pathname).replace(/\/+$/, '');
}

const positive = (options: ChatClientOptions, name: keyof typeof DEFAULTS, fallback: number): number => {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    console.warn(`[ChatSDK] Option "${name}" must be a non-negative number; using ${fallback}.`);
    return fallback;
  }
  return value;
};

/** Required options throw an OptionError; optional ones fall back to defaults with a warning. */
export function resolveOptions(options: ChatClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new OptionError('options', 'pass an object: createChatClient({ apiKey, apiUrl }).');
  }
  if (typeof options.apiKey !== 'string' || !options.apiKey.trim()) {
    throw new OptionError('apiKey', 'is required: the publishable API key (data-api-key on the script tag).');
  }
  const apiUrl = normalizeApiUrl(options.apiUrl);
  let streaming: boolean = DEFAULTS.streaming;
  if (options.streaming !== undefined) {
    if (typeof options.streaming === 'boolean') streaming = options.streaming;
    else console.warn('[ChatSDK] Option "streaming" must be true or false; using true.');
  }
  return {
    apiKey: options.apiKey.trim(),
    apiUrl,
    streaming,
    requestTimeout: positive(options, 'requestTimeout', DEFAULTS.requestTimeout),
    streamFirstByteTimeout: positive(options, 'streamFirstByteTimeout', DEFAULTS.streamFirstByteTimeout),
    streamIdleTimeout: positive(options, 'streamIdleTimeout', DEFAULTS.streamIdleTimeout),
    maxRetries: Math.floor(positive(options, 'maxRetries', DEFAULTS.maxRetries)),
    maxMessageLength: Math.max(1, Math.floor(positive(options, 'maxMessageLength', DEFAULTS.maxMessageLength))),
  };
}
