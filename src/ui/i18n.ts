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
  /** Attachments: the attach button; `{n}` is a file name, `{m}` the size limit. */
  attach: string;
  uploading: string;
  cancel: string;
  remove: string;
  fileType: string;
  fileSize: string;
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

// Stored compactly: one `|`-separated string per locale, in the order of KEYS.
const KEYS = ('title|open|unread|close|newChat|message|placeholder|send|stop|retry|typing|sending|queued|failed|stopped|newMessages|offline|tooLong|error|you|bot|network|timeout|busy|http|interrupted|protocol|earlier|agent|agentTyping|reconnecting|offlineShort|' +
  'chats|untitled|unreadDot|attach|uploading|cancel|remove|fileType|fileSize|uploadFailed|dropHere|helpful|notHelpful|comment|sendFeedback|thanks|name|email|phone|contactPrompt|continue|required|badEmail|badPhone|formFirst|saved').split('|') as (keyof Strings)[];

/** Built-in locales. */
export const locales: Record<string, string> = {
  en: 'Chat|Open chat|{n} unread|Close chat|New chat|Message|Write a message…|Send|Stop|Retry|Typing…|Sending…|Queued, will send when online|Not sent.|Stopped|New messages|You are offline. Messages will be sent when the connection is back.|Messages can be at most {n} characters.|Something went wrong. Please try again.|You|Assistant|No connection.|The server took too long.|The server is busy.|The server could not answer.|The answer was interrupted.|Unexpected answer from the server.|Show earlier messages|Agent|{n} is typing…|Reconnecting…|Offline|' +
    'Chats|New conversation|unread|Attach file|Uploading {n}|Cancel|Remove {n}|{n} can’t be sent: only images, PDF, text, CSV, Word, Excel or ZIP files.|{n} is too large: files can be at most {m}.|Upload failed.|Drop files to attach|Helpful|Not helpful|What went wrong? (optional)|Send feedback|Thanks for your feedback!|Name|Email|Phone|Please leave your contact details so we can reach you.|Continue|Please fill this in.|Enter an email address like name@example.com.|Enter a phone number: digits, optionally starting with +.|Please fill in the form first.|Thank you! We will reach you there.',
  uk: 'Чат|Відкрити чат|непрочитаних: {n}|Закрити чат|Новий чат|Повідомлення|Напишіть повідомлення…|Надіслати|Зупинити|Повторити|Друкує…|Надсилання…|У черзі, надішлемо, щойно буде зв’язок|Не надіслано.|Зупинено|Нові повідомлення|Немає з’єднання. Повідомлення надішлемо, щойно воно відновиться.|Повідомлення може містити щонайбільше {n} символів.|Щось пішло не так. Спробуйте ще раз.|Ви|Асистент|Немає з’єднання.|Сервер відповідав надто довго.|Сервер перевантажений.|Сервер не зміг відповісти.|Відповідь перервано.|Неочікувана відповідь сервера.|Показати попередні повідомлення|Оператор|{n} друкує…|Перепідключення…|Офлайн|' +
    'Чати|Нова розмова|непрочитане|Прикріпити файл|Завантаження {n}|Скасувати|Прибрати {n}|{n} не можна надіслати: лише зображення, PDF, текст, CSV, Word, Excel або ZIP.|{n} завеликий: файл може мати щонайбільше {m}.|Не вдалося завантажити.|Перетягніть файли сюди|Корисно|Не корисно|Що було не так? (необов’язково)|Надіслати відгук|Дякуємо за відгук!|Ім’я|Email|Телефон|Залиште, будь ласка, контакти, щоб ми могли з вами зв’язатися.|Продовжити|Заповніть це поле.|Введіть email, наприклад name@example.com.|Введіть номер телефону: цифри, можна з + на початку.|Спершу заповніть форму.|Дякуємо! Ми зв’яжемося з вами.',
  ru: 'Чат|Открыть чат|непрочитанных: {n}|Закрыть чат|Новый чат|Сообщение|Напишите сообщение…|Отправить|Остановить|Повторить|Печатает…|Отправка…|В очереди, отправим, когда появится связь|Не отправлено.|Остановлено|Новые сообщения|Нет соединения. Сообщения отправим, когда оно восстановится.|Сообщение может содержать не более {n} символов.|Что-то пошло не так. Попробуйте ещё раз.|Вы|Ассистент|Нет соединения.|Сервер отвечал слишком долго.|Сервер перегружен.|Сервер не смог ответить.|Ответ прерван.|Неожиданный ответ сервера.|Показать предыдущие сообщения|Оператор|{n} печатает…|Переподключение…|Офлайн|' +
    'Чаты|Новый разговор|непрочитанное|Прикрепить файл|Загрузка {n}|Отменить|Убрать {n}|{n} нельзя отправить: только изображения, PDF, текст, CSV, Word, Excel или ZIP.|{n} слишком большой: файл может быть не больше {m}.|Не удалось загрузить.|Перетащите файлы сюда|Полезно|Бесполезно|Что было не так? (необязательно)|Отправить отзыв|Спасибо за отзыв!|Имя|Email|Телефон|Оставьте, пожалуйста, контакты, чтобы мы могли с вами связаться.|Продолжить|Заполните это поле.|Введите email, например name@example.com.|Введите номер телефона: цифры, можно с + в начале.|Сначала заполните форму.|Спасибо! Мы свяжемся с вами.',
};

/** Primary language subtag, lower-cased: `uk-UA` -> `uk`. */
export const lang = (locale: string): string => locale.toLowerCase().split(/[-_]/)[0]!;

/** Languages written right to left. */
export const isRtl = (locale: string): boolean => /^(ar|he|fa|ur)$/.test(lang(locale));

/** Built-in strings for a locale (English when unknown), with overrides (string values only) applied. */
export const getStrings = (locale: string, overrides?: Partial<Strings>): Strings => {
  const base = (locales[lang(locale)] || locales.en)!.split('|');
  const s = {} as Strings;
  KEYS.forEach((k, i) => {
    const o = overrides?.[k];
    s[k] = typeof o == 'string' ? o : base[i]!;
  });
  return s;
};

/** Replace `{n}` (and `{m}`) in a template. */
export const fmt = (s: string, n: number | string, m: number | string = ''): string => s.replace('{n}', n as string).replace('{m}', m as string);
