import { defineConfig } from 'vitest/config';

// Unit tests only; the browser suite (test/e2e) runs through its own runner against dist/.
// Core tests run in Node; UI tests opt into happy-dom with a `@vitest-environment happy-dom` docblock.
export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 10000,
  },
});
