#!/usr/bin/env node
// @ts-check
/**
 * `npm run api`: the reference backend alone.
 *   node demo/server/api.mjs [--port 8787] [--chunk-delay 35]
 *   env: PORT (default 8787), API_KEY (default demo-key)
 */
import { startApiServer } from './api-server.mjs';
import { closeOnSignals, flag, toInt } from './lib/cli.mjs';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log('Usage: node demo/server/api.mjs [--port 8787] [--chunk-delay 35]\nEnv: PORT, API_KEY');
  process.exit(0);
}

const server = await startApiServer({
  port: toInt(flag(argv, 'port') ?? process.env.PORT, 8787, 'port'),
  apiKey: process.env.API_KEY || 'demo-key',
  chunkDelayMs: toInt(flag(argv, 'chunk-delay'), 35, 'chunk delay'),
}).catch((/** @type {NodeJS.ErrnoException} */ error) => {
  console.error(error.code === 'EADDRINUSE' ? `Port in use: ${error.message}. Set --port or PORT.` : error);
  process.exit(1);
});

console.log(`ChatSDK reference API listening on ${server.url}`);
console.log(`  API key (X-API-Key): ${server.state.apiKey}`);
console.log(`  QA state:            ${server.url}/__qa/state`);
closeOnSignals([server]);
