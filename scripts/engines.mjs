// npm run test:engines: the browser flows of test/engines/*.engine.ts in Firefox and in WebKit (Safari's
// engine), one engine after the other, against the built dist/ and the reference backend, and one
// `N passed, M failed` line per engine at the end. Exits non-zero when any test failed or did not run.
//
// Debian's browsers only, never a downloaded one: firefox-esr (driven by puppeteer-core over WebDriver
// BiDi) and WebKitGTK's MiniBrowser (driven by selenium-webdriver through WebKitWebDriver, on an Xvfb
// display: MiniBrowser has no headless mode). Missing packages are installed with apt-get when this runs
// as root (as in CI); otherwise it says what to install. Every process this script starts (Xvfb,
// WebKitWebDriver and the browsers it opens, the test runner) is stopped by its own process id, also on
// Ctrl-C or when a run outlives its time limit.
//
// ENGINES=webkit npm run test:engines runs one engine; extra arguments go to Vitest (e.g. a file filter).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** What each engine needs, and the Debian package that brings it. */
const NEEDS = {
  firefox: [[FIREFOX, 'firefox-esr']],
  webkit: [
    ['/usr/bin/WebKitWebDriver', 'webkit2gtk-driver'],
    [MINIBROWSER, 'webkit2gtk-driver'],
    ['/usr/bin/Xvfb', 'xvfb'],
  ],
};
/** A whole engine run may take this long before it is stopped and counted as failed. */
const RUN_LIMIT_MS = 6 * 60_000;

const engines = (process.env.ENGINES ?? 'firefox,webkit').split(',').map((name) => name.trim());
for (const name of engines) {
  if (!(name in NEEDS)) {
    console.error(`[engines] unknown engine "${name}" in ENGINES (firefox, webkit)`);
    process.exit(2);
  }
}
const vitestArgs = process.argv.slice(2);

// ---- processes we start, stopped by their own ids ----------------------------------------------

/** @type {Map<import('node:child_process').ChildProcess, string>} */
const started = new Map();

/**
 * Start a process in its own process group (so the browsers a driver opens go with it) and remember it.
 * @param {string} what @param {string} command @param {string[]} args @param {import('node:child_process').SpawnOptions} options
 */
function start(what, command, args, options) {
  const child = spawn(command, args, { ...options, detached: true });
  started.set(child, what);
  child.once('exit', () => started.delete(child));
  return child;
}

/** SIGTERM to the process group of `child` (its own id), SIGKILL after 5 s if it is still there. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signal = (name) => {
    try {
      process.kill(-(/** @type {number} */ (child.pid)), name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

const stopAll = () => Promise.all([...started.keys()].map(stop));
/** Where the runs write their counts and WebKitWebDriver its log; removed at the end, also after Ctrl-C. */
let scratch = '';

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    console.error(`\n[engines] ${signal}: stopping ${[...started.values()].join(', ') || 'nothing'}`);
    void stopAll().then(() => {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

// ---- set-up -------------------------------------------------------------------------------------

function ensureInstalled() {
  const missing = engines.flatMap((name) => NEEDS[/** @type {keyof typeof NEEDS} */ (name)].filter(([file]) => !existsSync(file)));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`[engines] missing ${missing.map(([file]) => file).join(', ')}. Install them: ${command}`);
    process.exit(2);
  }
  console.log(`[engines] installing ${packages.join(', ')} (Debian packages; no browser is downloaded)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-q'],
    ['install', '-y', '-q', ...packages],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`[engines] apt-get ${args.join(' ')} failed`);
      process.exit(2);
    }
  }
}

/** @returns {Promise<number>} */
const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });

/** Xvfb on a display number it picks itself (-displayfd), ready once it has written the number. */
async function startXvfb() {
  const xvfb = start('Xvfb', 'Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const display = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Xvfb did not start within 10 s')), 10_000);
    let text = '';
    xvfb.stdio[3]?.on('data', (chunk) => {
      text += String(chunk);
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${text.trim()}`);
      }
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code})`));
    });
  });
  return { xvfb, display: /** @type {string} */ (display) };
}

/**
 * WebKitWebDriver on a free 127.0.0.1 port, ready once /status answers and it is still running. The port is
 * free when picked, but another process may take it before the driver binds it: then the driver exits (or never
 * answers) and it is started again on a new port, up to three tries.
 */
async function startWebKitDriver(display, logFile) {
  const tries = 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWebKitDriverOnce(display, logFile);
    } catch (error) {
      if (attempt >= tries) throw error;
      console.error(`[engines] ${/** @type {Error} */ (error).message}; trying again on a new port (${attempt + 1} of ${tries})`);
    }
  }
}

async function startWebKitDriverOnce(display, logFile) {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  // LANG: MiniBrowser reports the language "C" without it (the widget would pick its default locale from it).
  const driver = start('WebKitWebDriver', 'WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], {
    stdio: ['ignore', log, log],
    env: { ...process.env, DISPLAY: display, LANG: 'en_US.UTF-8' },
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 10_000;
  const exited = () => driver.exitCode !== null || driver.signalCode !== null;
  for (;;) {
    if (exited()) throw new Error(`WebKitWebDriver on port ${port} exited (${driver.exitCode ?? driver.signalCode}); see ${logFile}`);
    const ready = await fetch(`${url}/status`).then(
      (response) => response.ok,
      () => false,
    );
    // Still running: the answer was ours, not from a process that took the port (ours then fails to bind and exits).
    if (ready) await new Promise((resolve) => setTimeout(resolve, 200));
    if (ready && !exited()) return { driver, url };
    if (!ready && Date.now() > end) {
      await stop(driver);
      throw new Error(`WebKitWebDriver did not answer on ${url} within 10 s`);
    }
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One Vitest run of test/engines for one engine; its counts from test/engines/count-reporter.ts. */
async function runEngine(name, scratch) {
  const countFile = path.join(scratch, `${name}.json`);
  const env = { ...process.env, ENGINE: name, ENGINES_COUNT_FILE: countFile };
  const logFile = path.join(scratch, 'webkitwebdriver.log');
  /** @type {import('node:child_process').ChildProcess[]} */
  const own = [];
  const began = Date.now();
  let exitCode = 1;
  try {
    if (name === 'webkit') {
      const { xvfb, display } = await startXvfb();
      own.push(xvfb);
      const { driver, url } = await startWebKitDriver(display, logFile);
      own.push(driver);
      Object.assign(env, { DISPLAY: display, WEBKIT_WEBDRIVER_URL: url });
    }
    const vitest = start(
      `Vitest (${name})`,
      process.execPath,
      [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/engines/vitest.config.ts', ...vitestArgs],
      { cwd: root, env, stdio: 'inherit' },
    );
    own.push(vitest);
    const limit = setTimeout(() => {
      console.error(`[engines] ${name}: still running after ${RUN_LIMIT_MS / 60_000} min, stopping it`);
      void stop(vitest);
    }, RUN_LIMIT_MS);
    exitCode = await new Promise((resolve) => vitest.once('exit', (code) => resolve(code ?? 1)));
    clearTimeout(limit);
  } catch (error) {
    console.error(`[engines] ${name}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    for (const child of own.reverse()) await stop(child);
  }
  const seconds = (Date.now() - began) / 1000;
  let counts = { passed: 0, failed: 1 };
  if (existsSync(countFile)) counts = JSON.parse(readFileSync(countFile, 'utf8'));
  // A run that failed outside the tests (the runner itself, a file that did not load) is a failure too.
  if (exitCode !== 0 && counts.failed === 0) counts.failed = 1;
  if (exitCode !== 0 && name === 'webkit' && existsSync(logFile)) {
    const tail = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line && !/Locale not supported|fallback 'C' locale/.test(line));
    if (tail.length) console.error(`[engines] WebKitWebDriver's log, last lines:\n${tail.slice(-20).join('\n')}`);
  }
  return { name, ...counts, seconds };
}

ensureInstalled();
if (!existsSync(path.join(root, 'dist/chat-sdk.js'))) {
  console.error('[engines] dist/chat-sdk.js is missing: run `npm run build` first (npm run test:engines does).');
  process.exit(2);
}
scratch = mkdtempSync(path.join(tmpdir(), 'chat-sdk-engines-'));
const results = [];
try {
  for (const name of engines) results.push(await runEngine(name, scratch));
} finally {
  await stopAll();
  rmSync(scratch, { recursive: true, force: true });
}
console.log('');
for (const { name, passed, failed, seconds } of results) {
  console.log(`${name}: ${passed} passed, ${failed} failed (${seconds.toFixed(0)} s)`);
}
process.exit(results.every((r) => r.failed === 0) ? 0 : 1);
