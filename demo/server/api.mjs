#!/usr/bin/env node
// @ts-check
/**
 * `npm run api`: the reference backend alone.
 *   node demo/server/api.mjs [--port 8787] [--chunk-delay 35]
 *   env: PORT (default 8787), API_KEY (default demo-key), IDENTITY_SECRET (default demo-identity-secret)
 */
import { startApiServer } from './api-server.mjs';
import { closeOnSignals, flag, toInt } from './lib/cli.mjs';
import { DEFAULT_IDENTITY_SECRET } from './lib/identity.mjs';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log('Usage: node demo/server/api.mjs [--port 8787] [--chunk-delay 35]\nEnv: PORT, API_KEY, IDENTITY_SECRET');
  process.exit(0);
}

const server = await startApiServer({
  port: toInt(flag(argv, 'port') ?? process.env.PORT, 8787, 'port'),
  apiKey: process.env.API_KEY || 'demo-key',
  chunkDelayMs: toInt(flag(argv, 'chunk-delay'), 35, 'chunk delay'),
  identitySecret: process.env.IDENTITY_SECRET || DEFAULT_IDENTITY_SECRET,
}).catch((/** @type {NodeJS.ErrnoException} */ error) => {
  console.error(error.code === 'EADDRINUSE' ? `Port in use: ${error.message}. Set --port or PORT.` : error);
  process.exit(1);
});

console.log(`ChatSDK reference API listening on ${server.url}`);
console.log(`  API key (X-API-Key): ${server.state.apiKey}`);
console.log(`  QA state:            ${server.url}/__qa/state`);
// The secret itself is not printed: only whether it is the public demo default.
console.log(
  `  Identity secret:     ${process.env.IDENTITY_SECRET ? 'from IDENTITY_SECRET' : `the demo default '${DEFAULT_IDENTITY_SECRET}' (set IDENTITY_SECRET)`}`,
);
closeOnSignals([server]);
