/** Every visible or announced string of the widget. Each one can be overridden through the `strings` option. */
export interface Strings {
  /** Window title and dialog name. */
  title: string;
  /** Launcher name while the window is closed. */
  open: string;
  /** Appended to the launcher name when answers arrived while closed; `{n}` is the count. */
  unread: string;
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
}

// Stored compactly: one `|`-separated string per locale, in the order of KEYS. The strings of the
// optional features (contact form, attachments, feedback) are in extras-i18n.ts and load with them.
const KEYS = 'title|open|unread|close|newChat|message|placeholder|send|stop|retry|typing|sending|queued|failed|stopped|newMessages|offline|tooLong|error|you|bot|network|timeout|busy|http|interrupted|protocol|earlier|agent|agentTyping|reconnecting|offlineShort|chats|untitled|unreadDot|formFirst|elsewhere'.split('|') as (keyof Strings)[];

/** Built-in locales. */
export const locales: Record<string, string> = {
  en: 'Chat|Open chat|{n} unread|Close chat|New chat|Message|Write a message…|Send|Stop|Retry|Typing…|Sending…|Queued, will send when online|Not sent.|Stopped|New messages|You are offline. Messages will be sent when the connection is back.|Messages can be at most {n} characters.|Something went wrong. Please try again.|You|Assistant|No connection.|The server took too long.|The server is busy.|The server could not answer.|The answer was interrupted.|Unexpected answer from the server.|Show earlier messages|Agent|{n} is typing…|Reconnecting…|Offline|Chats|New conversation|unread|Please fill in the form first.|New message in another chat',
  uk: 'Чат|Відкрити чат|непрочитаних: {n}|Закрити чат|Новий чат|Повідомлення|Напишіть повідомлення…|Надіслати|Зупинити|Повторити|Друкує…|Надсилання…|У черзі, надішлемо, щойно буде зв’язок|Не надіслано.|Зупинено|Нові повідомлення|Немає з’єднання. Повідомлення надішлемо, щойно воно відновиться.|Повідомлення може містити щонайбільше {n} символів.|Щось пішло не так. Спробуйте ще раз.|Ви|Асистент|Немає з’єднання.|Сервер відповідав надто довго.|Сервер перевантажений.|Сервер не зміг відповісти.|Відповідь перервано.|Неочікувана відповідь сервера.|Показати попередні повідомлення|Оператор|{n} друкує…|Перепідключення…|Офлайн|Чати|Нова розмова|непрочитане|Спершу заповніть форму.|Нове повідомлення в іншому чаті',
  ru: 'Чат|Открыть чат|непрочитанных: {n}|Закрыть чат|Новый чат|Сообщение|Напишите сообщение…|Отправить|Остановить|Повторить|Печатает…|Отправка…|В очереди, отправим, когда появится связь|Не отправлено.|Остановлено|Новые сообщения|Нет соединения. Сообщения отправим, когда оно восстановится.|Сообщение может содержать не более {n} символов.|Что-то пошло не так. Попробуйте ещё раз.|Вы|Ассистент|Нет соединения.|Сервер отвечал слишком долго.|Сервер перегружен.|Сервер не смог ответить.|Ответ прерван.|Неожиданный ответ сервера.|Показать предыдущие сообщения|Оператор|{n} печатает…|Переподключение…|Офлайн|Чаты|Новый разговор|непрочитанное|Сначала заполните форму.|Новое сообщение в другом чате',
};

/** Primary language subtag, lower-cased: `uk-UA` -> `uk`. */
export const lang = (locale: string): string => locale.toLowerCase().split(/[-_]/)[0]!;

/** Languages written right to left. */
export const isRtl = (locale: string): boolean => /^(ar|he|fa|ur)$/.test(lang(locale));

/** Fill the `keys` of `s` it lacks from a `|`-separated table, in the locale (English when unknown). */
export const fill = (s: Partial<Strings>, locale: string, table: Record<string, string>, keys: (keyof Strings)[]): Strings => {
  const base = (table[lang(locale)] || table.en)!.split('|');
  const out = { ...s };
  keys.forEach((k, i) => {
    if (typeof out[k] != 'string') out[k] = base[i]!;
  });
  return out as Strings;
};

/**
 * Built-in strings for a locale, with overrides (string values only) applied. The optional features'
 * strings are added when they load (extras-i18n.ts); their overrides are kept until then.
 */
export const getStrings = (locale: string, overrides?: Partial<Strings>): Strings => {
  const own: Partial<Strings> = {};
  for (const k in overrides) if (typeof overrides[k as keyof Strings] == 'string') own[k as keyof Strings] = overrides[k as keyof Strings];
  return fill(own, locale, locales, KEYS);
};

/** Replace `{n}` (and `{m}`) in a template. */
export const fmt = (s: string, n: number | string, m: number | string = ''): string => s.replace('{n}', n as string).replace('{m}', m as string);
