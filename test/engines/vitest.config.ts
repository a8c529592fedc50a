import { defineConfig } from 'vitest/config';

// The engine tests (npm run test:engines): the same flows in Firefox and WebKit, one engine per run (ENGINE),
// against the built dist/ and the reference backend. scripts/engines.mjs runs this config once per engine.
// One file at a time: the machines have two cores.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/engines/**/*.engine.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: ['default', './test/engines/count-reporter.ts'],
  },
});
