// Size of the built bundles: deterministic, so it belongs in CI (timing does not).
// Prints raw, gzip and brotli sizes against two lines:
//   target  - the product budget for everything a script-tag site loads (16 KB brotli / 20 KB gzip);
//   ceiling - what CI enforces today: the measured size plus a small margin, lowered as the bundle
//             shrinks, so nothing grows unnoticed while the target is not yet met.
// Loaded on demand, next to chat-sdk.js: chat-sdk-live.js once a chat has a session (src/core/live-loader.ts),
// chat-sdk-extras.js only on sites that turn on the contact form, attachments or feedback.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const KB = 1024;
const bundles = [
  { file: 'dist/chat-sdk.js', target: { brotli: 16 * KB, gzip: 20 * KB }, ceiling: { brotli: 26.25 * KB, gzip: 29.5 * KB } },
  { file: 'dist/chat-sdk-live.js', ceiling: { brotli: 3 * KB, gzip: 3.25 * KB } },
  { file: 'dist/chat-sdk-extras.js', ceiling: { brotli: 4.5 * KB, gzip: 5 * KB } },
  // Bundlers minify the ES module again; reported for information only.
  { file: 'dist/chat-sdk.mjs' },
];

const kb = (n) => `${(n / KB).toFixed(2)} KB`;
let failed = false;
console.log(`${'file'.padEnd(22)} ${'raw'.padEnd(10)} ${'gzip'.padEnd(10)} ${'brotli'.padEnd(10)} target (br / gz)      ceiling (br / gz)`);
for (const { file, target, ceiling } of bundles) {
  const bytes = readFileSync(file);
  const size = {
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  const over = (limit) => limit && (size.brotli > limit.brotli || size.gzip > limit.gzip);
  const line = (limit, mark) => (limit ? `${kb(limit.brotli)} / ${kb(limit.gzip)}${over(limit) ? ` ${mark}` : ''}` : '-');
  failed ||= Boolean(over(ceiling));
  console.log(
    `${file.padEnd(22)} ${kb(bytes.length).padEnd(10)} ${kb(size.gzip).padEnd(10)} ${kb(size.brotli).padEnd(10)} ${line(target, '(over target)').padEnd(21)} ${line(ceiling, 'OVER CEILING')}`,
  );
}
if (failed) {
  console.error('The bundle grew past its ceiling in scripts/size.mjs.');
  process.exit(1);
}
