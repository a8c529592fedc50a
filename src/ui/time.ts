// When something happened, in the widget's language: one format on the day it is, another on an earlier day
// (12 or 24 hours as the locale has it). Each formatter is made once per locale and format, not per message
// or chat drawn.

const formats = new Map<Intl.DateTimeFormatOptions, Map<string, Intl.DateTimeFormat>>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const byLocale = formats.get(options) ?? new Map<string, Intl.DateTimeFormat>();
  formats.set(options, byLocale);
  let format = byLocale.get(locale);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale, options);
    } catch {
      // A locale Intl does not take (the widget's strings may still cover it): the browser's.
      format = new Intl.DateTimeFormat(undefined, options);
    }
    byLocale.set(locale, format);
  }
  return format;
}

/** `iso` in the format `today` when it is today, else in `earlier`; '' when it is not a time. */
export function dayTime(iso: string, locale: string, today: Intl.DateTimeFormatOptions, earlier: Intl.DateTimeFormatOptions): string {
  const at = new Date(iso);
  if (Number.isNaN(+at)) return '';
  return formatter(locale, at.toDateString() === new Date().toDateString() ? today : earlier).format(at);
}

const TIME: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };
// No year: chats live in the tab's storage, and their sessions end within days.
const DATE_AND_TIME: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', ...TIME };

/** A message's time: the time on the day it is, with the date on an earlier day; '' when `iso` is not a time. */
export const messageTime = (iso: string, locale: string): string => dayTime(iso, locale, TIME, DATE_AND_TIME);
