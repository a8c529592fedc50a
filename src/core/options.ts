// Options, written once: each option's check, what a valid value is, its default, and how the text of
// its data-* attribute becomes a value. The core, init() and the script tag all read options through
// these rules, so a bad option gets one warning that names it, and falls back to its default.
import { isString } from './guards';
import { logWarning } from './log';
import type { ChatClientOptions } from './types';

export interface OptionRule<T> {
  /** The option's value, or undefined when `value` is not a valid one. */
  read(value: unknown): T | undefined;
  /** How the text of a data-* attribute becomes a value (numbers and true/false); other text is kept. */
  parse?(text: string): unknown;
  /** What a valid value is, for the warning: `Option "x" must be <expected>`. */
  expected: string;
  /** Used when the option is absent or not valid; undefined: the feature's own default (e.g. the stylesheet's). */
  fallback: T;
}

export type OptionRules = Record<string, OptionRule<unknown>>;
export type ResolvedOptions<Rules extends OptionRules> = {
  -readonly [Name in keyof Rules]: Rules[Name] extends OptionRule<infer T> ? T : never;
};

// The rule makers are marked free of side effects: a build that imports readOptions alone (the app)
// then drops the rules it does not use.
/* @__NO_SIDE_EFFECTS__ */
export const rule = <T>(
  expected: string,
  fallback: T,
  read: (value: unknown) => T | undefined,
  parse?: (text: string) => unknown,
): OptionRule<T> => ({
  expected,
  fallback,
  read,
  parse,
});

/** true or false; on a tag, `data-x`, `data-x="true"` and `data-x="false"`. */
/* @__NO_SIDE_EFFECTS__ */
export const flag = (fallback: boolean): OptionRule<boolean> =>
  rule(
    'true or false',
    fallback,
    (value) => (typeof value === 'boolean' ? value : undefined),
    (text) => (/^(true|false|)$/.test(text) ? text !== 'false' : text),
  );

/** A whole number of at least `min` (non-integers are rounded down when `min` is 0). */
/* @__NO_SIDE_EFFECTS__ */
export const count = (fallback: number, min = 0): OptionRule<number> =>
  rule(
    min ? 'a positive integer' : 'a non-negative number',
    fallback,
    (value) =>
      typeof value !== 'number' || !(value >= 0 && value < Infinity)
        ? undefined
        : min
          ? Number.isInteger(value) && value >= min
            ? value
            : undefined
          : Math.floor(value),
    (text) => (text.trim() ? Number(text) : text),
  );

/** One of a few words. */
/* @__NO_SIDE_EFFECTS__ */
export const oneOf = <T extends string>(values: readonly T[], fallback: T): OptionRule<T> =>
  rule(
    values
      .map((value) => `"${value}"`)
      .join(', ')
      .replace(/, ([^,]*)$/, ' or $1'),
    fallback,
    (value) => (values.includes(value as T) ? (value as T) : undefined),
  );

/** Any string. */
/* @__NO_SIDE_EFFECTS__ */
export const text = (): OptionRule<string | undefined> => rule('a string', undefined, (value) => (isString(value) ? value : undefined));

/** The options of the headless client (and of the widget, which passes them on). */
export const CLIENT_OPTIONS = {
  streaming: flag(true),
  requestTimeout: count(20_000),
  streamFirstByteTimeout: count(30_000),
  streamIdleTimeout: count(30_000),
  streamMaxDuration: count(600_000),
  maxRetries: count(4),
  maxMessageLength: count(4000, 1),
  maxFileSize: { ...count(10 * 1024 * 1024, 1), expected: 'a positive integer (bytes)' },
  live: oneOf(['poll', 'websocket', 'off'], 'poll'),
  websocketUrl: rule('a ws:// or wss:// URL', undefined as string | undefined, (value) =>
    isString(value) && /^wss?:\/\//i.test(value) ? value : undefined,
  ),
  pollInterval: count(3000),
  pollIntervalClosed: count(20_000),
};

/** The client's options with every default applied. */
export type ClientOptions = ResolvedOptions<typeof CLIENT_OPTIONS> & { apiKey: string; apiUrl: string };

/** Read `options` through `rules`: a value that is absent takes its default; one that is wrong also warns, once. */
export function readOptions<Rules extends OptionRules>(rules: Rules, options: Record<string, unknown>): ResolvedOptions<Rules> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(rules)) {
    const { read, expected, fallback } = rules[name]!;
    const given = options[name];
    const value = given == null ? undefined : read(given);
    if (given != null && value === undefined) {
      const shown = fallback === undefined ? 'the default' : JSON.stringify(Array.isArray(fallback) ? fallback.join() : fallback);
      logWarning(`Option "${name}" must be ${expected}; using ${shown}.`);
    }
    out[name] = value ?? fallback;
  }
  return out as ResolvedOptions<Rules>;
}

/** The option is wrong in a way we cannot guess around: name it and say how to fix it. */
export class OptionError extends TypeError {
  override name = 'OptionError';
  constructor(
    readonly option: string,
    message: string,
  ) {
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
    throw new OptionError(
      'apiUrl',
      `must be the API's absolute http(s) URL, e.g. "https://api.example.com" (data-api-url), not "${String(value)}".`,
    );
  }
  return (url.origin + url.pathname).replace(/\/+$/, '');
}

/** Required options throw an OptionError; optional ones fall back to their defaults with a warning. */
export function resolveClientOptions(options: ChatClientOptions): ClientOptions {
  const apiKey = options?.apiKey;
  if (typeof apiKey !== 'string' || !apiKey.trim()) {
    throw new OptionError('apiKey', 'is required: the publishable API key (data-api-key on the script tag).');
  }
  const apiUrl = normalizeApiUrl(options.apiUrl);
  return { ...readOptions(CLIENT_OPTIONS, options as unknown as Record<string, unknown>), apiKey: apiKey.trim(), apiUrl };
}
