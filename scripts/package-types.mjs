// The last step of `npm run build`, after `tsc -p tsconfig.build.json` wrote dist/**/*.d.ts: completes the
// package's type declarations for every way a project resolves them.
//
// 1. tsc keeps import specifiers as the sources write them (`from './widget'`). A project whose TypeScript
//    resolves like Node's ES modules (`moduleResolution` node16 / nodenext, i.e. most Node and SSR code)
//    needs the file named: `from './widget/index.js'`, else every type of the package is an error or `any`.
//    Each relative specifier gets the `.js` of the declaration it names (bundler resolution accepts it too);
//    one that names no declaration fails the build.
// 2. dist/script.d.ts: the types of `chat-sdk/script` (dist/chat-sdk.js, the script tag), which defines
//    `window.ChatSDK` rather than exporting anything.
// 3. Only the declarations those two entry points reach stay: the rest (the window's, which import Preact,
//    not a dependency of the package) could not be imported through the exports map and only bloat the tarball.

import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

/** @param {string} dir @returns {string[]} */
const declarations = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return declarations(file);
    return entry.name.endsWith('.d.ts') ? [file] : [];
  });

// `from '…'`, `import '…'`, `import('…')` (tsc writes the last in inferred types).
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.{1,2}(?:\/[^'"]*)?)\2/g;

let rewritten = 0;
for (const file of declarations(dist)) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(SPECIFIER, (whole, before, quote, specifier) => {
    if (/\.(m?js|json)$/.test(specifier)) return whole;
    const target = path.resolve(path.dirname(file), specifier);
    let named;
    if (existsSync(`${target}.d.ts`)) named = `${specifier}.js`;
    else if (existsSync(path.join(target, 'index.d.ts'))) named = `${specifier.replace(/\/$/, '')}/index.js`;
    else throw new Error(`${path.relative(dist, file)}: "${specifier}" names no declaration file`);
    rewritten++;
    return `${before}${quote}${named}${quote}`;
  });
  if (next !== text) writeFileSync(file, next);
}

writeFileSync(
  path.join(dist, 'script.d.ts'),
  `// The script tag's build (dist/chat-sdk.js, \`chat-sdk/script\`) defines window.ChatSDK. A project that loads it
// with a <script> tag gets these types with \`import type {} from 'chat-sdk/script';\` once.
import type { WidgetInstance, WidgetOptions } from './index.js';

export type { WidgetEventName, WidgetEvents, WidgetInstance, WidgetOptions } from './index.js';

/** A call for the widget, e.g. \`['open']\`, \`['send', 'Hello']\` or \`['on', 'message', handler]\`. */
export type ChatSDKCommand = [method: string, ...args: unknown[]];

/** \`window.ChatSDK\` once the script has run. */
export interface ChatSDKGlobal {
  /** Start the widget (the same options as the \`data-*\` attributes). */
  init(options: WidgetOptions): WidgetInstance;
  /** Run one command on the live widget (queued until \`init\`). */
  push(command: ChatSDKCommand): void;
  readonly version: string;
}

declare global {
  interface Window {
    /** Before the script has run: an array of commands it replays in order. Afterwards: the API. */
    ChatSDK?: ChatSDKGlobal | ChatSDKCommand[];
  }
}
`,
);

const reached = new Set();
/** @param {string} file */
const reach = (file) => {
  if (reached.has(file)) return;
  reached.add(file);
  for (const [, , , specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIER))
    if (specifier.endsWith('.js')) reach(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.d.ts')));
};
reach(path.join(dist, 'index.d.ts'));
reach(path.join(dist, 'script.d.ts'));
const unreached = declarations(dist).filter((file) => !reached.has(file));
for (const file of unreached) rmSync(file);
/** Folders that held only declarations go too. @param {string} dir @returns {boolean} whether it is gone */
const pruneEmpty = (dir) => {
  const left = readdirSync(dir, { withFileTypes: true }).filter(
    (entry) => !(entry.isDirectory() && pruneEmpty(path.join(dir, entry.name))),
  );
  if (left.length || dir === dist) return false;
  rmdirSync(dir);
  return true;
};
pruneEmpty(dist);

console.log(
  `package-types: ${rewritten} relative imports in dist/**/*.d.ts name their .js files; wrote dist/script.d.ts; ` +
    `kept the ${reached.size} declarations the entry points reach, removed ${unreached.length}`,
);
