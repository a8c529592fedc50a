// The app (chat-sdk-app.js) sits next to chat-sdk.js: its URL is resolved against the script's own, read
// while the bundle runs (afterwards document.currentScript is null). `import()` rather than a <script>
// element: it needs no Trusted Types policy, only `script-src` for that origin. The app's own chunks are
// the bundler's, found by the browser next to it.
import { type App, version } from '../widget';

const APP_FILE = 'chat-sdk-app.js';

const scriptUrl = typeof document !== 'undefined' ? (document.currentScript as HTMLScriptElement | null)?.src : undefined;

/**
 * Where the app file is: next to the script. A CDN's package URL (`https://unpkg.com/chat-sdk@1`) redirects
 * to the script, but currentScript keeps the URL before the redirect: the files are then under `dist/` of
 * this very version (a range would redirect again, and the app's chunks, which import it by the URL it was
 * redirected to, would load a second copy).
 */
export const appUrl = (script: string, query = ''): string => {
  const url = new URL(script);
  const packageUrl = /^(.*\/)chat-sdk(@[^/]*)?\/?$/.exec(url.pathname);
  const base = packageUrl ? new URL(`${packageUrl[1]}chat-sdk@${version}/dist/`, url) : url;
  return new URL(APP_FILE + query, base).href;
};

let loading: Promise<App> | undefined;
let failures = 0;

const importApp = (query: string): Promise<App> =>
  new Promise<string>((resolve) => {
    if (!scriptUrl) throw new Error(`cannot tell where ${APP_FILE} is: the script's URL is unknown`);
    resolve(appUrl(scriptUrl, query));
  }).then((url) => import(/* @vite-ignore */ url) as Promise<App>);

/**
 * Import the app once. A failed import is forgotten, so the next reach for the chat tries again: at the
 * same URL first (browsers that follow whatwg/html#10327 fetch it again, and the app's chunks, which import
 * it by that URL, share it), then with a query (browsers that keep a failed module URL's failure for the
 * page's lifetime; there the chunks cannot load until a reload, and the chat works without them).
 */
export const loadAppNextToScript = (): Promise<App> =>
  (loading ??= importApp('')
    .catch((error: unknown) => (failures ? importApp(`?retry=${failures}`) : Promise.reject(error)))
    .catch((error: unknown) => {
      loading = undefined;
      failures++;
      throw new Error(`${APP_FILE} did not load (${String(error)})`);
    }));
