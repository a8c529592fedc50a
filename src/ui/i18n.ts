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
  failed: string;
  interrupted: string;
  stopped: string;
  newMessages: string;
  offline: string;
  /** `{n}` is the limit. */
  tooLong: string;
  error: string;
  you: string;
  bot: string;
}

const en: Strings = {
  title: 'Chat',
  open: 'Open chat',
  unread: '{n} unread',
  close: 'Close chat',
  newChat: 'New chat',
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  stop: 'Stop',
  retry: 'Retry',
  typing: 'Typing…',
  sending: 'Sending…',
  queued: 'Queued, will send when online',
  failed: 'Not sent',
  interrupted: 'Answer interrupted',
  stopped: 'Stopped',
  newMessages: 'New messages',
  offline: 'You are offline. Messages will be sent when the connection is back.',
  tooLong: 'Messages are limited to {n} characters.',
  error: 'Something went wrong. Please try again.',
  you: 'You',
  bot: 'Assistant',
};

const uk: Strings = {
  title: 'Чат',
  open: 'Відкрити чат',
  unread: 'непрочитаних: {n}',
  close: 'Закрити чат',
  newChat: 'Новий чат',
  message: 'Повідомлення',
  placeholder: 'Напишіть повідомлення…',
  send: 'Надіслати',
  stop: 'Зупинити',
  retry: 'Повторити',
  typing: 'Друкує…',
  sending: 'Надсилання…',
  queued: 'У черзі, надішлемо, щойно буде зв’язок',
  failed: 'Не надіслано',
  interrupted: 'Відповідь перервано',
  stopped: 'Зупинено',
  newMessages: 'Нові повідомлення',
  offline: 'Немає з’єднання. Повідомлення надішлемо, щойно воно відновиться.',
  tooLong: 'Повідомлення може містити до {n} символів.',
  error: 'Щось пішло не так. Спробуйте ще раз.',
  you: 'Ви',
  bot: 'Асистент',
};

const ru: Strings = {
  title: 'Чат',
  open: 'Открыть чат',
  unread: 'непрочитанных: {n}',
  close: 'Закрыть чат',
  newChat: 'Новый чат',
  message: 'Сообщение',
  placeholder: 'Напишите сообщение…',
  send: 'Отправить',
  stop: 'Остановить',
  retry: 'Повторить',
  typing: 'Печатает…',
  sending: 'Отправка…',
  queued: 'В очереди, отправим, когда появится связь',
  failed: 'Не отправлено',
  interrupted: 'Ответ прерван',
  stopped: 'Остановлено',
  newMessages: 'Новые сообщения',
  offline: 'Нет соединения. Сообщения отправим, когда оно восстановится.',
  tooLong: 'Сообщение может содержать до {n} символов.',
  error: 'Что-то пошло не так. Попробуйте ещё раз.',
  you: 'Вы',
  bot: 'Ассистент',
};

export const locales: Record<string, Strings> = { en, uk, ru };

/** Languages written right to left. */
const RTL = ['ar', 'he', 'fa', 'ur'];

/** Primary language subtag, lower-cased: `uk-UA` -> `uk`. */
export const lang = (locale: string): string => locale.toLowerCase().split(/[-_]/)[0] || 'en';

export const isRtl = (locale: string): boolean => RTL.includes(lang(locale));

/** Built-in strings for a locale (English when unknown), with overrides applied. */
export const getStrings = (locale: string, overrides?: Partial<Strings>): Strings => ({
  ...en,
  ...locales[lang(locale)],
  ...overrides,
});

/** Replace `{n}` in a template. */
export const fmt = (s: string, n: number | string): string => s.replace('{n}', String(n));
