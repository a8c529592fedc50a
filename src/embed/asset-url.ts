// Files the classic script loads on demand sit next to it: their URL is resolved against the script's
// own, read while the bundle runs (afterwards document.currentScript is null), or, in chat-sdk-app.js (an
// ES module, which has no currentScript), against the module's own URL. `import()` rather than a
// <script> element: it needs no Trusted Types policy, only `script-src` for that origin.
const here = typeof document != 'undefined' ? (document.currentScript as HTMLScriptElement | null)?.src || import.meta.url : undefined;

/** Import `file` from next to chat-sdk.js; rejects when the script's URL is unknown or the file does not load. */
export const importAsset = <T>(file: string): Promise<T> =>
  new Promise<string>((resolve) => {
    if (!here) throw new Error(`cannot tell where ${file} is: the script's URL is unknown`);
    resolve(new URL(file, here).href);
  }).then((url) => import(/* @vite-ignore */ url) as Promise<T>);
