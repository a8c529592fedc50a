// The classic script's stand-in for load-app.ts: the core and the chat window come from
// dist/chat-sdk-app.js next to the script, fetched when the visitor reaches for the chat (pointer over or
// focus on the launcher, a click, a call such as send()) or at idle time when this tab already has a chat.
// A page view where nobody chats pays only for the launcher.
import { importAsset } from '../embed/asset-url';
import type { App } from './load-app';

export type { App };
export const APP_FILE = 'chat-sdk-app.js';

export const bundled: App | undefined = undefined;

let loading: Promise<App> | undefined;
let failures = 0;

/**
 * Import the app once. A failed import is forgotten, so the next reach for the chat tries again, with a
 * query: browsers keep a failed module URL's failure for the page's lifetime.
 */
export const loadApp = (): Promise<App> =>
  (loading ||= importAsset<App>(APP_FILE + (failures ? `?retry=${failures}` : '')).catch((e: unknown) => {
    loading = undefined;
    failures++;
    throw new Error(`${APP_FILE} did not load (${String(e)})`);
  }));
