// Size budget for the built bundles: deterministic, so it belongs in CI (timing does not).
// Prints raw, gzip and brotli sizes and exits 1 when a budget is exceeded.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const KB = 1024;
const budgets = [
  // Everything a script-tag site loads: Preact, the widget, Markdown, styles and all locales.
  { file: 'dist/chat-sdk.js', brotli: 16 * KB, gzip: 20 * KB },
  { file: 'dist/chat-sdk.mjs', brotli: 16 * KB, gzip: 20 * KB },
];

const fmt = (n) => `${(n / KB).toFixed(2)} KB`;
let failed = false;
console.log('file                 raw        gzip       brotli     budget (br / gz)');
for (const budget of budgets) {
  const bytes = readFileSync(budget.file);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const over = brotli > budget.brotli || gzip > budget.gzip;
  failed ||= over;
  console.log(
    `${budget.file.padEnd(20)} ${fmt(bytes.length).padEnd(10)} ${fmt(gzip).padEnd(10)} ${fmt(brotli).padEnd(10)} ${fmt(budget.brotli)} / ${fmt(budget.gzip)}${over ? '  OVER BUDGET' : ''}`,
  );
}
if (failed) {
  console.error('Size budget exceeded.');
  process.exit(1);
}
