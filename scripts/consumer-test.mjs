// npm run test:consumer: the package as its users get it. After `npm run build`:
//   1. `npm pack`: print the tarball's files and size; it must hold dist/, the README, LICENSE and the
//      changelog, every file package.json points at, and no tests, sources, demo or tooling;
//   2. a scratch project outside the repository (mktemp) installs the tarball, with React, React's types and Vue
//      (the scratch project's own devDependencies, never the repository's);
//   3. TypeScript compiles the project's code, the README's framework recipes (copied out of README.md; the Vue
//      one through Vue's own SFC compiler) and the Vite page, with the package's declarations checked, under
//      bundler resolution and under Node's (NodeNext);
//   4. Node imports it as server-side rendering does (test/consumer/project/ssr.mjs);
//   5. Vite bundles a page that calls `init`, and Debian's Chromium checks that the launcher appears and a message
//      gets an answer from the reference backend; the same for the README's plain <script> tag, with the
//      installed dist/ served as a CDN on another origin.
// Everything it starts (servers, the browser) is stopped, and the scratch folder removed (KEEP_SCRATCH=1 keeps it).

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '../demo/server/api-server.mjs';
import { listenLocally } from '../demo/server/lib/http.mjs';
import { launchChromium } from './chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const API_KEY = 'demo-key';
/** The scratch project's own dependencies: what a React or Vue user has installed anyway. */
const SCRATCH_DEPENDENCIES = { react: '^19.2.0', '@types/react': '^19.2.0', vue: '^3.5.0' };

const began = Date.now();
const steps = [];
/** Run one step, timed; a failure names the step. */
async function step(name, fn) {
  const start = Date.now();
  try {
    const result = await fn();
    steps.push(`${name} ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

const run = (command, args, cwd) => {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = /** @type {{ stdout?: string, stderr?: string }} */ (error);
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`.trim());
  }
};

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

// ---- 1. the tarball --------------------------------------------------------------------------------

/** Paths that must never be in the tarball. */
const FORBIDDEN = [
  /^(src|test|demo|docs|scripts|bench-results|coverage|node_modules|\.ci)\//,
  /^(tsconfig.*\.json|vite\.config\.ts|vitest.*\.ts|biome\.json|package-lock\.json|\.gitignore)$/,
  /\.(ts|tsx)$/, // sources (declarations end in .d.ts and are allowed below)
  /\.map$/,
];

function checkTarball(files) {
  const paths = files.map((f) => f.path);
  const problems = [];
  for (const file of paths) {
    if (file.endsWith('.d.ts')) continue;
    if (FORBIDDEN.some((pattern) => pattern.test(file))) problems.push(`should not be packed: ${file}`);
  }
  for (const file of paths.filter((p) => p.endsWith('.d.ts')))
    if (!file.startsWith('dist/')) problems.push(`declaration outside dist/: ${file}`);
  const targets = new Set([pkg.main, pkg.module, pkg.types, pkg.unpkg, pkg.jsdelivr]);
  const walk = (value) => (typeof value === 'string' ? targets.add(value) : Object.values(value).forEach(walk));
  walk(pkg.exports);
  for (const target of targets) {
    const file = target.replace(/^\.\//, '');
    if (!paths.includes(file)) problems.push(`package.json points at ${target}, which is not packed`);
  }
  for (const file of [
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'dist/chat-sdk.js',
    'dist/chat-sdk-app.js',
    'dist/script.d.ts',
  ]) {
    if (!paths.includes(file)) problems.push(`missing: ${file}`);
  }
  if (pkg.private) problems.push('package.json is private: it cannot be published');
  if (Object.keys(pkg.dependencies ?? {}).length)
    problems.push(`runtime dependencies: ${Object.keys(pkg.dependencies).join(', ')} (the bundles hold them)`);
  if (problems.length) throw new Error(`the tarball is wrong:\n  ${problems.join('\n  ')}`);
}

async function pack(scratch) {
  // --ignore-scripts: dist/ is already built (npm run test:consumer builds first); keeps stdout pure JSON.
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], root));
  const files = [...info.files].sort((a, b) => a.path.localeCompare(b.path));
  console.log(`\n${info.filename}: ${files.length} files, ${kB(info.size)} packed, ${kB(info.unpackedSize)} unpacked`);
  for (const file of files) console.log(`  ${String(file.size).padStart(7)}  ${file.path}`);
  checkTarball(files);
  return path.join(scratch, info.filename);
}

// ---- 2. the scratch project and the README's recipes ------------------------------------------------

/**
 * The code blocks of the README's "Framework recipes" section whose first line names a file
 * (`// ChatWidget.tsx`, `<!-- ChatWidget.vue -->`); the HTML block of the script tag.
 */
function readmeRecipes() {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = /^## Framework recipes\n([\s\S]*?)^## /m.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "## Framework recipes" section');
  const files = new Map();
  let scriptTag = null;
  for (const [, lang, body] of section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    const name = /^(?:\/\/|<!--)\s*([\w./-]+\.(?:tsx?|vue))\b/.exec(body)?.[1];
    if (name) files.set(name, body);
    else if (lang === 'html' && body.includes('<script src=')) scriptTag = body;
  }
  for (const wanted of [
    'ChatWidget.tsx',
    'useChat.ts',
    'SupportChat.tsx',
    'ChatWidget.vue',
    'app/chat-widget.tsx',
    'app/layout.tsx',
    'chat-commands.ts',
  ]) {
    if (!files.has(wanted)) throw new Error(`README.md's recipes have no block starting with "// ${wanted}"`);
  }
  if (!scriptTag) throw new Error("README.md's recipes have no <script> tag block");
  return { files, scriptTag };
}

async function makeProject(scratch, tarball, recipes) {
  const app = path.join(scratch, 'app');
  cpSync(path.join(root, 'test/consumer/project'), app, { recursive: true });
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify(
      {
        name: 'chat-sdk-consumer',
        private: true,
        type: 'module',
        dependencies: { 'chat-sdk': `file:${path.relative(app, tarball)}` },
        devDependencies: SCRATCH_DEPENDENCIES,
      },
      null,
      2,
    )}\n`,
  );
  for (const [name, body] of recipes.files) {
    const file = path.join(app, 'src/recipes', name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, body);
  }
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  const installed = JSON.parse(readFileSync(path.join(app, 'node_modules/chat-sdk/package.json'), 'utf8'));
  if (installed.version !== pkg.version) throw new Error(`installed chat-sdk ${installed.version}, packed ${pkg.version}`);
  return app;
}

/** The Vue recipe through Vue's SFC compiler (what vue-tsc and Vite's Vue plugin do), to TypeScript beside it. */
function compileVue(app) {
  const { parse, compileScript } = createRequire(path.join(app, 'package.json'))('vue/compiler-sfc');
  const file = path.join(app, 'src/recipes/ChatWidget.vue');
  const { descriptor, errors } = parse(readFileSync(file, 'utf8'), { filename: file });
  if (errors.length) throw new Error(`ChatWidget.vue: ${errors.map(String).join('; ')}`);
  const script = compileScript(descriptor, { id: 'chat-widget', inlineTemplate: true });
  writeFileSync(`${file}.ts`, script.content);
}

// ---- 5. the browser ---------------------------------------------------------------------------------

/** A static server on 127.0.0.1 for `dir`; `cors` adds Access-Control-Allow-Origin (a CDN's). */
async function serve(dir, { cors = false, prefix = '', pages = {} } = {}) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8' };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (cors) res.setHeader('Access-Control-Allow-Origin', '*');
    if (pathname === '/favicon.ico') {
      res.writeHead(204);
      return void res.end();
    }
    if (pages[pathname]) {
      res.writeHead(200, { 'Content-Type': types['.html'] });
      return void res.end(pages[pathname]);
    }
    const file = path.join(dir, decodeURIComponent(pathname.slice(prefix.length)));
    if (!pathname.startsWith(prefix) || !file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return void res.end('Not found');
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return listenLocally(server);
}

/** Open `url`, wait for the launcher, open the chat, send a message and wait for the answer. */
async function chatsIn(browser, url, label) {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on(
    'console',
    (message) => void (message.type() === 'error' && problems.push(`console.error: ${message.text()} (${message.location().url})`)),
  );
  try {
    await page.goto(url);
    const launcher = page.getByRole('button', { name: 'Open chat', exact: true });
    await launcher.waitFor();
    await launcher.click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.waitFor();
    const text = `Hello from the ${label}`;
    await composer.fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const answer = page.locator('[data-author="assistant"][data-status="sent"]');
    await answer.waitFor({ timeout: 20_000 });
    const said = (await answer.textContent()) ?? '';
    if (!said.includes(text)) throw new Error(`the answer does not quote the question: ${said.slice(0, 200)}`);
    if (problems.length) throw new Error(problems.join('\n'));
    console.log(`browser: ${label}: the launcher appeared, "${text}" got its answer`);
  } finally {
    await context.close();
  }
}

async function browserChecks(app, scriptTag) {
  const api = await startApiServer({ apiKey: API_KEY, chunkDelayMs: 5 });
  const closers = [() => api.close()];
  try {
    // The installed package on a "CDN": another origin, with CORS, under /npm/chat-sdk@<version>/.
    const cdnPrefix = `/npm/chat-sdk@${pkg.version}/`;
    const cdn = await serve(path.join(app, 'node_modules/chat-sdk/'), { cors: true, prefix: cdnPrefix });
    closers.push(() => cdn.close());
    const src = /<script src="([^"]+)"/.exec(scriptTag)?.[1] ?? '';
    if (!src.endsWith(`/chat-sdk@${pkg.version}/dist/chat-sdk.js`)) {
      throw new Error(`the README's script tag loads ${src}, not chat-sdk@${pkg.version}/dist/chat-sdk.js (update it with the version)`);
    }
    const tag = scriptTag
      .replace(src, `${cdn.url}${cdnPrefix}dist/chat-sdk.js`)
      .replace('data-api-key="pk_live_..."', `data-api-key="${API_KEY}"`)
      .replace('data-api-url="https://api.example.com"', `data-api-url="${api.url}"`);
    const scriptPage = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Script tag</title></head>\n<body><h1>A plain page</h1>\n${tag}</body></html>`;
    const site = await serve(path.join(app, 'page/dist'), { pages: { '/script-tag.html': scriptPage } });
    closers.push(() => site.close());

    const browser = await launchChromium();
    closers.push(() => browser.close());
    await chatsIn(browser, `${site.url}/index.html?api=${encodeURIComponent(api.url)}&key=${API_KEY}`, 'Vite page');
    await chatsIn(browser, `${site.url}/script-tag.html`, 'script tag from the CDN');
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

// ---- the run ----------------------------------------------------------------------------------------

if (!existsSync(path.join(root, 'dist/chat-sdk.js')) || !existsSync(path.join(root, 'dist/index.d.ts'))) {
  console.error('[consumer] dist/ is not built: run `npm run build` first (npm run test:consumer does).');
  process.exit(2);
}
const scratch = mkdtempSync(path.join(tmpdir(), 'chat-sdk-consumer-'));
let failed = false;
try {
  const tarball = await step('pack', () => pack(scratch));
  const recipes = readmeRecipes();
  const app = await step('install', () => makeProject(scratch, tarball, recipes));
  const tsc = path.join(root, 'node_modules/.bin/tsc');
  await step('typecheck', () => {
    compileVue(app);
    run(tsc, ['-p', 'tsconfig.json'], app);
    run(tsc, ['-p', 'tsconfig.node.json'], app);
    console.log(`typecheck: usage.ts, the Vite page and ${recipes.files.size} README recipes (bundler resolution); src/node (NodeNext)`);
  });
  await step('ssr', () => console.log(run(process.execPath, ['ssr.mjs'], app).trim()));
  await step('vite', async () => {
    const { build } = await import('vite');
    await build({
      root: path.join(app, 'page'),
      configFile: false,
      logLevel: 'warn',
      base: './',
      build: { outDir: 'dist', emptyOutDir: true },
    });
  });
  await step('browser', () => browserChecks(app, recipes.scriptTag));
} catch (error) {
  failed = true;
  console.error(`\n[consumer] ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (process.env.KEEP_SCRATCH) console.log(`[consumer] scratch project kept in ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}
console.log(`\nconsumer test ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - began) / 1000).toFixed(0)} s (${steps.join(', ')})`);
process.exit(failed ? 1 : 0);
