// Run by npm run test:consumer in the scratch project: the package imported under Node as server-side
// rendering does (no window, no document). Nothing may throw, and no browser global may appear.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));
const warnings = [];
const warn = console.warn;
console.warn = (...args) => warnings.push(args.map(String).join(' '));

const sdk = await import('chat-sdk');
assert.equal(typeof globalThis.window, 'undefined');
assert.equal(typeof globalThis.document, 'undefined');
for (const name of ['init', 'createChatClient']) assert.equal(typeof sdk[name], 'function', `${name} is exported`);
for (const name of ['ChatError', 'OptionError']) assert.equal(typeof sdk[name], 'function', `${name} is exported`);
assert.ok(Array.isArray(sdk.ATTACHMENT_TYPES) || typeof sdk.ATTACHMENT_TYPES === 'object', 'ATTACHMENT_TYPES is exported');
const { version } = JSON.parse(readFileSync(new URL('./node_modules/chat-sdk/package.json', import.meta.url), 'utf8'));
assert.equal(sdk.version, version, 'the exported version is the package version');

// init on the server: a no-op widget, with one warning that says why.
const widget = sdk.init({ apiKey: 'pk_test', apiUrl: 'https://api.example.com' });
for (const method of ['open', 'close', 'toggle', 'send', 'newChat', 'identify', 'reset', 'on', 'destroy']) {
  assert.equal(typeof widget[method], 'function', `the no-op widget has ${method}()`);
}
widget.open();
widget.on('message', () => undefined)();
widget.destroy();
assert.equal(warnings.filter((w) => /server-side rendering/.test(w)).length, 1, `one SSR warning, got ${JSON.stringify(warnings)}`);

// The headless core constructs under Node too (no storage: it keeps its state in memory).
const client = sdk.createChatClient({ apiKey: 'pk_test', apiUrl: 'https://api.example.com' });
assert.deepEqual(client.getState().messages, []);
client.destroy();

// Even the script tag's file, imported by mistake on a server, throws nothing.
await import('chat-sdk/script');

const added = Object.getOwnPropertyNames(globalThis).filter((name) => !globalsBefore.has(name));
assert.deepEqual(added, [], 'no global was added');
console.warn = warn;
console.log(`ssr: chat-sdk ${sdk.version} imported under Node ${process.version}: exports, no-op init, core, no globals`);
