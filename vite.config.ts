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

/** Chunk names of the app build: next to chat-sdk.js, so named for the site owner who copies them. */
const appChunkName = (id: string | null | undefined): string => {
  const file = id?.replace(/\\/g, '/') ?? '';
  if (file.endsWith('/ui/features/index.ts')) return 'chat-sdk-features.js';
  if (file.endsWith('/core/wire/upload.ts')) return 'chat-sdk-upload.js';
  const language = /\/ui\/strings\/(\w+)\.ts$/.exec(file)?.[1];
  if (language) return `chat-sdk-${language}.js`;
  return 'chat-sdk-[name].js';
};

export default defineConfig(({ mode }): UserConfig => {
  const common = { target: 'es2020', sourcemap: false, minify: true } as const;
  if (mode === 'script') {
    return {
      build: {
        ...common,
        emptyOutDir: false,
        lib: { entry: 'src/embed/script.ts', formats: ['iife'], name: 'ChatSDK', fileName: () => 'chat-sdk.js' },
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
          output: { minify: true, chunkFileNames: (chunk) => appChunkName(chunk.facadeModuleId) },
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
