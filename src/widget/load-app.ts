// The chat itself, for the ES module build and the tests: bundled, so the widget attaches it at init.
// The classic script replaces this module with load-app-remote.ts (vite.config.ts).
import * as app from './app';

export type App = typeof app;
/** The app when it is part of this bundle (else it has to be loaded). */
export const bundled: App | undefined = app;
export const loadApp = (): Promise<App> => Promise.resolve(app);
