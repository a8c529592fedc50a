import { defineConfig } from 'vitest/config';

// Browser tests: Debian's Chromium driven by playwright-core, against the built dist/chat-sdk.js
// and the reference backend on 127.0.0.1. One file at a time: the machines have two cores.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
