import { defineConfig } from 'vite';

// Two library builds from one config:
//   vite build               -> dist/chat-sdk.mjs, the ES module for bundlers
//   vite build --mode script -> dist/chat-sdk.js, the classic script that defines window.ChatSDK
// Preact is bundled into both: the widget then never depends on (or clashes with) the host's own copy.
export default defineConfig(({ mode }) => {
  const script = mode === 'script';
  return {
    build: {
      target: 'es2020',
      emptyOutDir: !script,
      sourcemap: false,
      minify: true,
      lib: script
        ? { entry: 'src/embed/script.ts', formats: ['iife'], name: 'ChatSDK', fileName: () => 'chat-sdk.js' }
        : { entry: 'src/index.ts', formats: ['es'], fileName: () => 'chat-sdk.mjs' },
    },
  };
});
