// Strings of the optional features (contact form, attachments, feedback), shipped with them; the same
// `|`-separated layout as ../strings.
import { fill, lang, type Strings } from '../strings';

const KEYS =
  'attach|uploading|cancel|remove|fileType|fileSize|fileEmpty|uploadFailed|dropHere|helpful|notHelpful|comment|sendFeedback|thanks|name|email|phone|contactPrompt|continue|required|badEmail|badPhone|saved'.split(
    '|',
  ) as (keyof Strings)[];

export const featureLocales: Record<string, string> = {
  en: 'Attach file|Uploading {n}|Cancel|Remove {n}|{n} can’t be sent: only images, PDF, text, CSV, Word, Excel or ZIP files.|{n} is too large: files can be at most {m}.|{n} is empty.|Upload failed.|Drop files to attach|Helpful|Not helpful|What went wrong? (optional)|Send feedback|Thanks for your feedback!|Name|Email|Phone|Please leave your contact details so we can reach you.|Continue|Please fill this in.|Enter an email address like name@example.com.|Enter a phone number: digits, optionally starting with +.|Thank you! We will reach you there.',
  uk: 'Прикріпити файл|Завантаження {n}|Скасувати|Прибрати {n}|{n} не можна надіслати: лише зображення, PDF, текст, CSV, Word, Excel або ZIP.|{n} завеликий: файл може мати щонайбільше {m}.|{n} порожній.|Не вдалося завантажити.|Перетягніть файли сюди|Корисно|Не корисно|Що було не так? (необов’язково)|Надіслати відгук|Дякуємо за відгук!|Ім’я|Email|Телефон|Залиште, будь ласка, контакти, щоб ми могли з вами зв’язатися.|Продовжити|Заповніть це поле.|Введіть email, наприклад name@example.com.|Введіть номер телефону: цифри, можна з + на початку.|Дякуємо! Ми зв’яжемося з вами.',
  ru: 'Прикрепить файл|Загрузка {n}|Отменить|Убрать {n}|{n} нельзя отправить: только изображения, PDF, текст, CSV, Word, Excel или ZIP.|{n} слишком большой: файл может быть не больше {m}.|{n} пустой.|Не удалось загрузить.|Перетащите файлы сюда|Полезно|Бесполезно|Что было не так? (необязательно)|Отправить отзыв|Спасибо за отзыв!|Имя|Email|Телефон|Оставьте, пожалуйста, контакты, чтобы мы могли с вами связаться.|Продолжить|Заполните это поле.|Введите email, например name@example.com.|Введите номер телефона: цифры, можно с + в начале.|Спасибо! Мы свяжемся с вами.',
};

/** `s` with the optional features' strings added where it has none (its overrides stay). */
export const withFeatureStrings = (strings: Strings, locale: string): Strings =>
  fill(strings, featureLocales[lang(locale)] ?? featureLocales.en!, KEYS);
