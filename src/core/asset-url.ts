// Files the classic script loads on demand sit next to it: their URL is resolved against the script's
// own, read while the bundle runs (afterwards document.currentScript is null).
const here = typeof document != 'undefined' ? (document.currentScript as HTMLScriptElement | null)?.src : undefined;

/** The URL of `file` next to chat-sdk.js; throws when the script's URL is unknown. */
export const assetUrl = (file: string): string => new URL(file, here).href;
