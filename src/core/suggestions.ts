// Suggested questions: the site's (the `suggestions` option) and the server's follow-ups on an answer.
// Both are shown as buttons, so both are held to the same few short texts.
import { isString } from './guards';

/** Most suggestions shown at once; the rest of a longer list are ignored. */
export const MAX_SUGGESTIONS = 4;
/** Longest suggestion, in characters: a button's text, sent as the visitor's message; longer ones are left out. */
const MAX_SUGGESTION_LENGTH = 200;

/** The usable texts of a list (not blank, not too long), at most MAX_SUGGESTIONS; undefined when none is. */
export function readSuggestions(list: unknown): string[] | undefined {
  const texts = (Array.isArray(list) ? list : [])
    .filter((item): item is string => isString(item) && !!item.trim() && item.length <= MAX_SUGGESTION_LENGTH)
    .slice(0, MAX_SUGGESTIONS);
  return texts.length ? texts : undefined;
}
