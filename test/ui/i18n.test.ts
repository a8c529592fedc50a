import { describe, expect, it } from 'vitest';
import { extraLocales, withExtraStrings } from '../../src/ui/extras-i18n';
import { getStrings, locales } from '../../src/ui/i18n';

describe('built-in locales', () => {
  const all = (locale: string, overrides = {}) => withExtraStrings(getStrings(locale, overrides), locale);
  const en = all('en');
  const keys = Object.keys(en) as (keyof typeof en)[];
  const holes = (text: string) => (text.match(/\{[nm]\}/g) ?? []).sort().join();

  it('the widget and its optional features ship the same languages', () => {
    expect(Object.keys(extraLocales)).toEqual(Object.keys(locales));
    expect(locales.en!.split('|').length + extraLocales.en!.split('|').length).toBe(keys.length);
  });

  for (const locale of Object.keys(locales)) {
    it(`${locale}: a non-empty string for every key, with the same placeholders as English`, () => {
      expect(locales[locale]!.split('|')).toHaveLength(locales.en!.split('|').length);
      expect(extraLocales[locale]!.split('|')).toHaveLength(extraLocales.en!.split('|').length);
      const s = all(locale);
      for (const key of keys) {
        expect(s[key].trim(), key).not.toBe('');
        expect(holes(s[key]), `${locale}.${key}`).toBe(holes(en[key]));
      }
    });
  }

  it('overrides of the optional features\' strings survive until those strings load', () => {
    const s = all('uk', { attach: 'Файл', send: 'Go' });
    expect([s.attach, s.send, s.helpful]).toEqual(['Файл', 'Go', 'Корисно']);
  });
});
