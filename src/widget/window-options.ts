// The options only the chat window reads whose checks are more than a type test: checked when the app
// loads (./instance.ts), so the page's script, which every page view loads, does not carry them. A wrong
// one warns then, once, naming it, and its default applies.
import { isString } from '../core/guards';
import { logWarning } from '../core/log';
import { type ResolvedOptions, readOptions, rule } from '../core/options';
import { MAX_SUGGESTIONS } from '../core/suggestions';

/** "https://a.example, https://b.example" or a list -> their origins, or undefined when one is not an http(s) URL. */
function readOrigins(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : isString(value) ? value.split(/[\s,]+/).filter(Boolean) : null;
  try {
    const origins = list?.map((item) => new URL(String(item)));
    return origins?.every((url) => /^https?:$/.test(url.protocol)) ? origins.map((url) => url.origin) : undefined;
  } catch {
    return undefined;
  }
}

/** "Track my order|Return a bike" or a list of texts -> the texts, blanks left out; more than MAX_SUGGESTIONS are cut, with a warning. */
function readSuggestionList(value: unknown): string[] | undefined {
  const list: unknown = isString(value) ? value.split('|') : value;
  if (!Array.isArray(list) || !list.every(isString)) return undefined;
  const texts = list.map((text) => text.trim()).filter(Boolean);
  if (texts.length > MAX_SUGGESTIONS) logWarning(`Option "suggestions" has ${texts.length} texts; showing the first ${MAX_SUGGESTIONS}.`);
  return texts.slice(0, MAX_SUGGESTIONS);
}

const WINDOW_OPTIONS = {
  suggestions: rule('a list of texts, e.g. "Track my order|Return a bike"', [] as string[], readSuggestionList),
  imageOrigins: rule('a list of origins, e.g. "https://cdn.example.com"', [] as string[], readOrigins),
};

export type WindowOnlyOptions = ResolvedOptions<typeof WINDOW_OPTIONS>;

/** The window's options checked; the API's own files (uploads) are always shown: `apiUrl`'s origin is an image origin. */
export function readWindowOptions(options: object, apiUrl: string): WindowOnlyOptions {
  const checked = readOptions(WINDOW_OPTIONS, options as Record<string, unknown>);
  return { ...checked, imageOrigins: apiUrl ? [new URL(apiUrl).origin, ...checked.imageOrigins] : checked.imageOrigins };
}
