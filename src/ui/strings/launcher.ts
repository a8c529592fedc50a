// What a page view needs of the strings (chat-sdk.js): the launcher's, for every built-in language, and
// reading the `strings` option. The window's come with the app (./index.ts).
import type { Strings } from '.';

/**
 * Its name while the window is closed, what is appended to it when answers arrived, and the teaser's
 * Dismiss button: `|`-separated.
 */
const LAUNCHER: Record<string, string> = {
  en: 'Open chat|{n} unread|Dismiss',
  uk: 'Відкрити чат|непрочитаних: {n}|Приховати',
  ru: 'Открыть чат|непрочитанных: {n}|Скрыть',
};

export const BUILT_IN_LANGUAGES = Object.keys(LAUNCHER);

/** Primary language subtag, lower-cased: `uk-UA` -> `uk`. */
export const lang = (locale: string): string => locale.toLowerCase().split(/[-_]/)[0]!;

export type LauncherStrings = Pick<Strings, 'open' | 'unread' | 'dismiss'>;

/** The launcher's strings in a locale (English when it has none built in), with `overrides` applied. */
export function launcherStrings(locale: string, overrides: Partial<Strings>): LauncherStrings {
  const [open, unread, dismiss] = (LAUNCHER[lang(locale)] ?? LAUNCHER.en!).split('|') as [string, string, string];
  return { open, unread, dismiss, ...overrides };
}

/** The string values of `overrides` (anything else is ignored). */
export const ownStrings = (overrides: unknown): Partial<Strings> => {
  const own: Partial<Strings> = {};
  if (typeof overrides !== 'object' || !overrides) return own;
  for (const [key, value] of Object.entries(overrides)) if (typeof value === 'string') own[key as keyof Strings] = value;
  return own;
};
