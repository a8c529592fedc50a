// The optional features, for the ES module build and the tests: bundled, so "loading" them is immediate.
// The classic script replaces this module with load-extras-remote.ts (vite.config.ts).
import * as extras from './extras';

export type Extras = typeof extras;
export const loadExtras = (): Promise<Extras> => Promise.resolve(extras);
