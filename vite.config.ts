import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// Five library builds from one config:
//   vite build               -> dist/chat-sdk.mjs, the ES module for bundlers (everything in one file)
//   vite build --mode script -> dist/chat-sdk.js, the classic script that defines window.ChatSDK: the API,
//                               option checks and the launcher, all that a page view where nobody chats runs
//   vite build --mode app    -> dist/chat-sdk-app.js, the core and the window (Preact, Markdown), which the
//                               script loads when the visitor reaches for the chat (src/widget/load-app-remote.ts)
//   vite build --mode live   -> dist/chat-sdk-live.js, live updates (polling, WebSocket), which the app
//                               loads once a chat has a session (src/core/live-loader.ts)
//   vite build --mode extras -> dist/chat-sdk-extras.js, the contact form, attachments and feedback, which
//                               it loads only where one of them is on (src/ui/load-extras-remote.ts)
// Preact is bundled: the widget then never depends on (or clashes with) the host's own copy; the extras
// file renders with the app's copy (src/ui/preact-handoff.ts), and the live-updates file uses the app's
// copies of the core helpers they share (src/core/live-handoff.ts).
const src = (file: string) => fileURLToPath(new URL(`src/${file}`, import.meta.url));

/** In the classic script and its app, the modules that bundle the app, live updates and the extras are their on-demand loaders. */
const onDemand: Plugin = {
  name: 'chat-sdk:on-demand',
  enforce: 'pre',
  resolveId(source, importer) {
    const from = importer?.replace(/\\/g, '/') ?? '';
    if (source === './load-app' && from.endsWith('/src/widget/index.ts')) return src('widget/load-app-remote.ts');
    if (source === './load-extras' && from.endsWith('/src/ui/mount.tsx')) return src('ui/load-extras-remote.ts');
    return null;
  },
};

/** In the extras file, `preact` is the classic script's copy. */
const sharedPreact: Plugin = {
  name: 'chat-sdk:shared-preact',
  enforce: 'pre',
  resolveId: (source) => (source === 'preact' ? src('ui/preact-handoff.ts') : null),
};

export default defineConfig(({ mode }) => {
  const lib = {
    script: { entry: 'src/embed/script.ts', formats: ['iife' as const], name: 'ChatSDK', fileName: () => 'chat-sdk.js' },
    app: { entry: 'src/widget/app.ts', formats: ['es' as const], fileName: () => 'chat-sdk-app.js' },
    extras: { entry: 'src/ui/extras.ts', formats: ['es' as const], fileName: () => 'chat-sdk-extras.js' },
  }[mode] ?? { entry: 'src/index.ts', formats: ['es' as const], fileName: () => 'chat-sdk.mjs' };
  const onDemandFile = mode === 'app' || mode === 'extras';
  return {
    plugins: mode === 'script' || mode === 'app' ? [onDemand] : mode === 'extras' ? [sharedPreact] : [],
    // A classic script has no import.meta; it finds its own URL through document.currentScript.
    ...(mode === 'script' ? { define: { 'import.meta.url': 'undefined' } } : {}),
    build: {
      target: 'es2020',
      emptyOutDir: mode === 'production',
      sourcemap: false,
      minify: true,
      lib,
      // Library mode keeps an ES module's whitespace for the next bundler; these files are loaded as they are.
      ...(onDemandFile ? { rolldownOptions: { output: { minify: true } } } : {}),
    },
  };
});
