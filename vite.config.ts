import { defineConfig, type UserConfig } from 'vite';

// Three builds, the files of each made by the bundler:
//   vite build               -> dist/chat-sdk.mjs and dist/chunks/: the ES module for bundlers and Node
//                               (the window and the optional features are chunks it imports on demand)
//   vite build --mode script -> dist/chat-sdk.js, the classic script: the API, the option checks and the
//                               launcher, all that a page view where nobody chats runs
//   vite build --mode app    -> dist/chat-sdk-app.js, the client and the window, which the script imports
//                               from next to itself when the visitor reaches for the chat; its dynamic
//                               imports (the optional features, uploads, each language but English) are
//                               chunks beside it, named below
// Preact is bundled: the widget never depends on (or clashes with) the host's own copy.

/**
 * What only some sites use, in one file of the app build (one request, not a cascade): the contact form,
 * attachments and feedback, and the core's identify(), upload() and feedback() they call.
 */
const FEATURES = /src[\\/](ui[\\/]features[\\/]|core[\\/](identify|contact|feedback|uploads|files|wire[\\/]upload)\.ts)/;

export default defineConfig(({ mode }): UserConfig => {
  const common = { target: 'es2020', sourcemap: false, minify: true } as const;
  if (mode === 'script') {
    return {
      build: {
        ...common,
        emptyOutDir: false,
        lib: { entry: 'src/embed/script.ts', formats: ['iife'], name: 'ChatSDK', fileName: () => 'chat-sdk.js' },
        // Loaded as they are, by browsers: no comments (pure annotations only help a next bundler).
        rolldownOptions: { output: { comments: false } },
      },
    };
  }
  if (mode === 'app') {
    return {
      build: {
        ...common,
        emptyOutDir: false,
        lib: { entry: 'src/widget/app.ts', formats: ['es'], fileName: () => 'chat-sdk-app.js' },
        rolldownOptions: {
          // Chunks import what they share with the app from chat-sdk-app.js itself (no facade file).
          preserveEntrySignatures: 'allow-extension',
          // Library mode keeps an ES module's whitespace for the next bundler; these files are loaded as they are.
          output: {
            minify: true,
            comments: false,
            // Next to chat-sdk.js, so named for the site owner who copies them: chat-sdk-features.js,
            // -files, -chat-list, -socket, -sweep, -ended, -sound, -suggestions, -rich-blocks, -uk, -ru.
            chunkFileNames: 'chat-sdk-[name].js',
            codeSplitting: { groups: [{ name: 'features', test: FEATURES, includeDependenciesRecursively: false }] },
          },
        },
      },
    };
  }
  return {
    build: {
      ...common,
      emptyOutDir: true,
      lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'chat-sdk.mjs' },
      rolldownOptions: { output: { chunkFileNames: 'chunks/[name]-[hash].mjs' } },
    },
  };
});
