// The widget's public API: init() checks the options and draws the launcher; the client and the window
// come with the app, loaded by `loadApp` (the ES module imports it; the script tag finds it next to itself).
// Safe to import anywhere (no browser globals at import time); nothing it does throws into the page.
import { logError, logWarning } from '../core/log';
import { createWidget, inertWidget, type LoadApp, type WidgetInstance } from './instance';
import { resolveWidgetOptions, type WidgetOptions } from './options';

export type { WidgetEventName, WidgetEvents } from './events';
export type { App, LoadApp, WidgetInstance } from './instance';
export type { WidgetOptions } from './options';

export const version = '0.1.0';

let current: WidgetInstance | null = null;
let currentHost: HTMLElement | undefined;

/** The widget started by `init`, if any. */
export const getInstance = (): WidgetInstance | null => current;

/** Start the widget, with the app loaded by `loadApp`. Logs and returns an inert widget when it cannot start. */
export function startWidget(options: WidgetOptions, loadApp: LoadApp): WidgetInstance {
  try {
    if (typeof window === 'undefined' || typeof document === 'undefined') {
      logWarning(
        'init() needs a browser (not server-side rendering): call it on the client, e.g. in useEffect(). Returning a no-op widget.',
      );
      return inertWidget();
    }
    // A single-page app's route took the chat's element (or the launcher) away without destroy(): start afresh.
    if (current && !currentHost?.isConnected) current.destroy();
    if (current) {
      logWarning('init() called while a widget is live: returning it. Call destroy() first for a new one.');
      return current;
    }
    const resolved = resolveWidgetOptions(options);
    if (!resolved) return inertWidget();
    const { instance: widget, host } = createWidget(resolved, loadApp, () => {
      if (current === widget) current = null;
    });
    current = widget;
    currentHost = host;
    if (resolved.open && !resolved.target) widget.open();
    return widget;
  } catch (error) {
    logError('init() failed:', error);
    return inertWidget();
  }
}
