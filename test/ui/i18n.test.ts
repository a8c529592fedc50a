import { describe, expect, it } from 'vitest';
import { getStrings, locales } from '../../src/ui/i18n';

describe('built-in locales', () => {
  const en = getStrings('en');
  const keys = Object.keys(en);
  const holes = (text: string) => (text.match(/\{[nm]\}/g) ?? []).sort().join();

  for (const locale of Object.keys(locales)) {
    it(`${locale}: a non-empty string for every key, with the same placeholders as English`, () => {
      expect(locales[locale]!.split('|')).toHaveLength(keys.length);
      const s = getStrings(locale);
      for (const key of keys) {
        const text = s[key as keyof typeof s];
        expect(text.trim(), key).not.toBe('');
        expect(holes(text), `${locale}.${key}`).toBe(holes(en[key as keyof typeof en]));
      }
    });
  }
});
