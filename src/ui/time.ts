// When a message was sent or received, in the widget's language: the time on the day it is, with the date on
// an earlier day; 12 or 24 hours as the locale has it. Each formatter is made once per locale and kind, not
// per message drawn. (No year: chats live in the tab's storage, and their sessions end within days.)

const formats = new Map<string, Intl.DateTimeFormat>();

/** `iso` as a message shows it, or '' when it is not a time. */
export function messageTime(iso: string, locale: string): string {
  const at = new Date(iso);
  if (Number.isNaN(+at)) return '';
  const earlier = at.toDateString() !== new Date().toDateString();
  const key = locale + earlier;
  let format = formats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = { ...(earlier && { month: 'short', day: 'numeric' }), hour: 'numeric', minute: '2-digit' };
    try {
      format = new Intl.DateTimeFormat(locale, options);
    } catch {
      // A locale Intl does not take (the widget's strings may still cover it): the browser's.
      format = new Intl.DateTimeFormat(undefined, options);
    }
    formats.set(key, format);
  }
  return format.format(at);
}
