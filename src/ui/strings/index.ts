// The widget's strings. The window's English ones ship with the app; Ukrainian and Russian load on demand
// (./uk.ts, ./ru.ts), so a visitor downloads only their language; the launcher's own two ship with
// chat-sdk.js (./launcher.ts). Each one can be overridden through the `strings` option.
import { lang, ownStrings } from './launcher';

export { fmt } from '../format';
export { lang, ownStrings };

/** Every visible or announced string of the widget. Each one can be overridden through the `strings` option. */
export interface Strings {
  /** Window title and dialog name. */
  title: string;
  /** Launcher name while the window is closed. */
  open: string;
  /** Appended to the launcher name when answers arrived while closed; `{n}` is the count. */
  unread: string;
  /** The teaser's button that hides it for the rest of the tab's session. */
  dismiss: string;
  close: string;
  newChat: string;
  /** Accessible name of the composer textbox. */
  message: string;
  placeholder: string;
  send: string;
  stop: string;
  retry: string;
  typing: string;
  sending: string;
  queued: string;
  /** Before the reason on a visitor message that failed. */
  failed: string;
  /** An answer stopped by the visitor; also the reason for an `aborted` failure. */
  stopped: string;
  newMessages: string;
  offline: string;
  /** `{n}` is the limit. */
  tooLong: string;
  /** Any other failure. */
  error: string;
  /** Screen-reader prefixes of visitor and other messages. */
  you: string;
  bot: string;
  // Why a message failed, by the core's error code (`busy`: HTTP 429 or 503; `http`: any other status).
  network: string;
  timeout: string;
  busy: string;
  http: string;
  interrupted: string;
  protocol: string;
  /** Reveals older messages of a long conversation. */
  earlier: string;
  /** Name of an agent who sent none. */
  agent: string;
  /** An agent is typing; `{n}` is the agent's name (or `agent`). */
  agentTyping: string;
  /** Header labels while live updates are degraded or the browser is offline. */
  reconnecting: string;
  offlineShort: string;
  /** The conversation list: its header button and heading; a chat with no visitor message yet; the unread dot. */
  chats: string;
  untitled: string;
  unreadDot: string;
  /** Announced when an answer arrives in a chat that is not the one shown. */
  elsewhere: string;
  /** After the reason, under a message that waits to be sent again by itself (the server was busy, the request timed out). */
  retrying: string;
  /** The line where an agent ended the conversation, and the conversation list's mark of such a chat. */
  ended: string;
  endedMark: string;
  /** Attachments: the attach button; `{n}` is a file name, `{m}` the size limit. */
  attach: string;
  uploading: string;
  cancel: string;
  remove: string;
  fileType: string;
  fileSize: string;
  fileEmpty: string;
  uploadFailed: string;
  dropHere: string;
  /** Answer feedback. */
  helpful: string;
  notHelpful: string;
  comment: string;
  sendFeedback: string;
  thanks: string;
  /** The contact form: field labels, its prompt and button, validation, the composer's hint while it waits. */
  name: string;
  email: string;
  phone: string;
  contactPrompt: string;
  continue: string;
  required: string;
  badEmail: string;
  badPhone: string;
  formFirst: string;
  saved: string;
  /** A code block's copy button, what it says once it copied, and what it says when the browser would not copy. */
  copyCode: string;
  copied: string;
  copyFailed: string;
}

/** The window's keys, in the order of each language's `|`-separated table (the launcher's are in ./launcher.ts). */
const KEYS =
  'title|close|newChat|message|placeholder|send|stop|retry|typing|sending|queued|failed|stopped|newMessages|offline|tooLong|error|you|bot|network|timeout|busy|http|interrupted|protocol|earlier|agent|agentTyping|reconnecting|offlineShort|chats|untitled|unreadDot|formFirst|elsewhere|retrying|ended|endedMark'.split(
    '|',
  ) as (keyof Strings)[];

const EN =
  'Chat|Close chat|New chat|Message|Write a message…|Send|Stop|Retry|Typing…|Sending…|Queued, will send when online|Not sent.|Stopped|New messages|You are offline. Messages will be sent when the connection is back.|Messages can be at most {n} characters.|Something went wrong. Please try again.|You|Assistant|No connection.|The server took too long.|The server is busy.|The server could not answer.|The answer was interrupted.|Unexpected answer from the server.|Show earlier messages|Agent|{n} is typing…|Reconnecting…|Offline|Chats|New conversation|unread|Please fill in the form first.|New message in another chat|Trying again shortly…|This chat has ended|Ended';

/** Languages written right to left. */
export const isRtl = (locale: string): boolean => /^(ar|he|fa|ur)$/.test(lang(locale));

/** Fill the `keys` of `strings` it lacks from a `|`-separated table. */
export const fill = (strings: Partial<Strings>, table: string, keys: (keyof Strings)[]): Strings => {
  const values = table.split('|');
  const out = { ...strings };
  keys.forEach((key, index) => {
    if (typeof out[key] !== 'string') out[key] = values[index]!;
  });
  return out as Strings;
};

/** The window's table of a language: English is here, the others load on demand. */
const windowTable = async (locale: string): Promise<string> => {
  const language = lang(locale);
  if (language === 'uk') return (await import('./uk')).default;
  if (language === 'ru') return (await import('./ru')).default;
  return EN;
};

/**
 * The window's strings in a locale (English when it has none built in), with the overrides applied. The
 * launcher has its own (./launcher.ts); the optional features' are added when they load
 * (features/strings.ts), and their overrides are kept until then.
 */
export const loadStrings = async (locale: string, overrides?: unknown): Promise<Strings> =>
  fill(ownStrings(overrides), await windowTable(locale), KEYS);
