import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// Three library builds from one config:
//   vite build               -> dist/chat-sdk.mjs, the ES module for bundlers (everything in one file)
//   vite build --mode script -> dist/chat-sdk.js, the classic script that defines window.ChatSDK
//   vite build --mode live   -> dist/chat-sdk-live.js, live updates (polling, WebSocket), which the
//                               classic script loads on demand (src/core/live-loader.ts)
// Preact is bundled: the widget then never depends on (or clashes with) the host's own copy.
const loader = fileURLToPath(new URL('src/core/live-loader.ts', import.meta.url));

/** In the classic script, the client's `./live` is the on-demand loader instead of the module itself. */
const liveOnDemand: Plugin = {
  name: 'chat-sdk:live-on-demand',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === './live' && importer?.replace(/\\/g, '/').endsWith('/src/core/client.ts')) return loader;
    return null;
  },
};

export default defineConfig(({ mode }) => {
  const lib = {
    script: { entry: 'src/embed/script.ts', formats: ['iife' as const], name: 'ChatSDK', fileName: () => 'chat-sdk.js' },
    live: { entry: 'src/core/live.ts', formats: ['es' as const], fileName: () => 'chat-sdk-live.js' },
  }[mode] ?? { entry: 'src/index.ts', formats: ['es' as const], fileName: () => 'chat-sdk.mjs' };
  return {
    plugins: mode === 'script' ? [liveOnDemand] : [],
    build: {
      target: 'es2020',
      emptyOutDir: mode === 'production',
      sourcemap: false,
      minify: true,
      lib,
      // Library mode keeps an ES module's whitespace for the next bundler; this file is loaded as is.
      ...(mode === 'live' ? { rolldownOptions: { output: { minify: true } } } : {}),
    },
  };
});
