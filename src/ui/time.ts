// When a message was sent or received, in the widget's language: the time on the day it is, with the date on
// an earlier day (and the year in an earlier year); 12 or 24 hours as the locale has it. Each formatter is
// made once per locale and kind, not per message drawn.

const formats = new Map<string, Intl.DateTimeFormat>();

/** `iso` as a message shows it, or '' when it is not a time. */
export function messageTime(iso: string, locale: string): string {
  const at = new Date(iso);
  if (Number.isNaN(+at)) return '';
  const now = new Date();
  // 0: today, 1: an earlier day this year, 2: an earlier year.
  const kind = at.toDateString() === now.toDateString() ? 0 : at.getFullYear() === now.getFullYear() ? 1 : 2;
  let format = formats.get(locale + kind);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };
    if (kind) Object.assign(options, { month: 'short', day: 'numeric' }, kind > 1 && { year: 'numeric' });
    try {
      format = new Intl.DateTimeFormat(locale, options);
    } catch {
      // A locale Intl does not take (the widget's strings may still cover it): the browser's.
      format = new Intl.DateTimeFormat(undefined, options);
    }
    formats.set(locale + kind, format);
  }
  return format.format(at);
}
