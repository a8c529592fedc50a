// The chat itself, for the ES module build and the tests: bundled, so it is there at once (no promise).
// The classic script replaces this module with load-app-remote.ts (vite.config.ts).
import * as app from './app';

export type App = typeof app;
export const loadApp = (): App | Promise<App> => app;
