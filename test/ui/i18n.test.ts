import { describe, expect, it } from 'vitest';
import { featureLocales, withFeatureStrings } from '../../src/ui/features/strings';
import { withRichStrings } from '../../src/ui/markdown/rich-blocks';
import { loadStrings } from '../../src/ui/strings';
import { BUILT_IN_LANGUAGES, launcherStrings } from '../../src/ui/strings/launcher';

describe('built-in locales', () => {
  const all = async (locale: string, overrides = {}) =>
    withRichStrings(withFeatureStrings(await loadStrings(locale, overrides), locale), locale);
  const holes = (text: string) => (text.match(/\{[nm]\}/g) ?? []).sort().join();

  it('the launcher, the window and the optional features ship the same languages', () => {
    expect(Object.keys(featureLocales)).toEqual(BUILT_IN_LANGUAGES);
    expect(BUILT_IN_LANGUAGES).toEqual(['en', 'uk', 'ru']);
  });

  for (const locale of BUILT_IN_LANGUAGES) {
    it(`${locale}: a non-empty string for every key, with the same placeholders as English`, async () => {
      const en = await all('en');
      const keys = Object.keys(en) as (keyof typeof en)[];
      const strings = await all(locale);
      expect(Object.keys(strings).sort()).toEqual([...keys].sort());
      expect(keys.length).toBeGreaterThan(50);
      for (const key of keys) {
        expect(strings[key].trim(), key).not.toBe('');
        expect(holes(strings[key]), `${locale}.${key}`).toBe(holes(en[key]));
      }
      // Each language is its own: nothing falls back to English but the names that are the same in both.
      if (locale !== 'en') expect(keys.filter((key) => strings[key] === en[key] && !/^(email)$/.test(key))).toEqual([]);
      const launcher = launcherStrings(locale, {});
      expect(launcher.open.trim()).not.toBe('');
      expect(holes(launcher.unread)).toBe('{n}');
      if (locale !== 'en') expect(launcher.open).not.toBe(launcherStrings('en', {}).open);
      expect(launcher.dismiss.trim()).not.toBe('');
      if (locale !== 'en') expect(launcher.dismiss).not.toBe(launcherStrings('en', {}).dismiss);
    });
  }

  it("overrides of the optional features' strings survive until those strings load", async () => {
    const strings = await all('uk', { attach: 'Файл', send: 'Go' });
    expect([strings.attach, strings.send, strings.helpful]).toEqual(['Файл', 'Go', 'Корисно']);
  });

  it('an unknown language is English; its region does not matter', async () => {
    expect((await loadStrings('pt-BR')).send).toBe('Send');
    expect((await loadStrings('uk-UA')).send).toBe('Надіслати');
  });
});
