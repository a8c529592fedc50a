const SCHEMES = /^(https?|mailto|tel)$/;

/**
 * Returns a cleaned URL if its scheme is http:, https:, mailto: or tel:, else null.
 * Relative and scheme-less URLs are rejected (the widget lives on someone else's page).
 * ASCII control characters are removed everywhere and spaces inside the scheme are dropped
 * before the case-insensitive check, so `java\tscript:` / ` JaVaScRiPt:` are caught; encoded
 * schemes (`&#106;avascript:`, `%6Aavascript:`) never match the allowlist. The returned string
 * carries the normalised scheme, so what the browser parses is what was checked.
 */
export function safeUrl(url: string): string | null {
  if (typeof url !== 'string') return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const cleaned = url.replace(/[\x00-\x1f\x7f]/g, '').trim();
  const colon = cleaned.indexOf(':');
  const scheme = cleaned.slice(0, colon).replace(/ /g, '').toLowerCase();
  return colon > 0 && SCHEMES.test(scheme) ? scheme + cleaned.slice(colon) : null;
}
