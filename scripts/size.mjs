// Size of the built bundles: deterministic, so it belongs in CI (timing does not).
// Prints raw, gzip and brotli sizes against two lines:
//   target  - the product budget (16 KB brotli / 20 KB gzip), held against what every page view loads
//             (chat-sdk.js) and against what a visitor who chats loads (the sum in the last line);
//   ceiling - what CI enforces: the measured size plus a small margin, lowered as a file shrinks, so
//             nothing grows unnoticed. chat-sdk.js fails at its target.
// On demand, next to chat-sdk.js: chat-sdk-app.js (the core and the window) when the visitor reaches for the
// chat or the tab already has one (src/widget/load-app-remote.ts); chat-sdk-live.js once a chat has a session
// (src/core/live-loader.ts); chat-sdk-extras.js only on sites that turn on the contact form, attachments or
// feedback.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const KB = 1024;
const target = { brotli: 16 * KB, gzip: 20 * KB };
const bundles = [
  { file: 'dist/chat-sdk.js', target, ceiling: { brotli: 6.25 * KB, gzip: 7.25 * KB } },
  { file: 'dist/chat-sdk-app.js', ceiling: { brotli: 23 * KB, gzip: 25.5 * KB } },
  { file: 'dist/chat-sdk-live.js', ceiling: { brotli: 2.5 * KB, gzip: 2.75 * KB } },
  { file: 'dist/chat-sdk-extras.js', ceiling: { brotli: 4.5 * KB, gzip: 5 * KB } },
  // Bundlers minify the ES module again; reported for information only.
  { file: 'dist/chat-sdk.mjs' },
];
const chatting = ['dist/chat-sdk.js', 'dist/chat-sdk-app.js', 'dist/chat-sdk-live.js'];

const kb = (n) => `${(n / KB).toFixed(2)} KB`;
const measure = (file) => {
  const bytes = readFileSync(file);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const over = (size, limit) => limit && (size.brotli > limit.brotli || size.gzip > limit.gzip);
const limitText = (size, limit, mark) => (limit ? `${kb(limit.brotli)} / ${kb(limit.gzip)}${over(size, limit) ? ` ${mark}` : ''}` : '-');
const print = (name, size, goal, ceiling) =>
  console.log(
    `${name.padEnd(24)} ${kb(size.raw).padEnd(10)} ${kb(size.gzip).padEnd(10)} ${kb(size.brotli).padEnd(10)} ${limitText(size, goal, '(over target)').padEnd(21)} ${limitText(size, ceiling, 'OVER CEILING')}`,
  );

let failed = false;
const sizes = {};
console.log(`${'file'.padEnd(24)} ${'raw'.padEnd(10)} ${'gzip'.padEnd(10)} ${'brotli'.padEnd(10)} target (br / gz)      ceiling (br / gz)`);
for (const { file, target: goal, ceiling } of bundles) {
  const size = (sizes[file] = measure(file));
  failed ||= Boolean(over(size, ceiling) || over(size, goal));
  print(file, size, goal, ceiling);
}
const sum = Object.fromEntries(['raw', 'gzip', 'brotli'].map((k) => [k, chatting.reduce((n, f) => n + sizes[f][k], 0)]));
print('a visitor who chats', sum, target);
console.log(`  (${chatting.map((f) => f.slice(5)).join(' + ')}; reported, not enforced: see the README's "Size and speed")`);
if (failed) {
  console.error('A bundle grew past its ceiling (or chat-sdk.js past its target) in scripts/size.mjs.');
  process.exit(1);
}
