#!/usr/bin/env node
// @ts-check
/**
 * `npm run demo` (after `npm run build`): the reference API and the demo pages, both on 127.0.0.1.
 *   env: API_PORT (default 8787), DEMO_PORT (default 5173), API_KEY (default demo-key),
 *   IDENTITY_SECRET (default demo-identity-secret)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer } from './api-server.mjs';
import { closeOnSignals, toInt } from './lib/cli.mjs';
import { DEFAULT_IDENTITY_SECRET } from './lib/identity.mjs';
import { startDemoServer } from './static-server.mjs';

const apiKey = process.env.API_KEY || 'demo-key';
const identitySecret = process.env.IDENTITY_SECRET || DEFAULT_IDENTITY_SECRET;
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

/** @param {NodeJS.ErrnoException} error @param {string} variable */
const failed = (error, variable) => {
  console.error(error.code === 'EADDRINUSE' ? `Port in use (${error.message}). Set ${variable} to another port.` : error);
  process.exit(1);
};

const api = await startApiServer({ port: toInt(process.env.API_PORT, 8787, 'API_PORT'), apiKey, identitySecret }).catch((e) =>
  failed(e, 'API_PORT'),
);
const pages = await startDemoServer({ port: toInt(process.env.DEMO_PORT, 5173, 'DEMO_PORT'), apiUrl: api.url, apiKey, distDir }).catch(
  async (e) => {
    await api.close();
    return failed(e, 'DEMO_PORT');
  },
);

console.log(`
ChatSDK demo
  QA page     ${pages.url}/
              The widget plus fault buttons (slow, 500, 429, cut stream, offline...),
              the live request log and the widget's event log.
  Agent       ${pages.url}/agent
              Agent console: live sessions, transcripts, reply as a named agent (default Olena),
              typing both ways. QA/demo only: its /__agent/ endpoints have no authentication.
  Embed page  ${pages.url}/embed.html
              A third-party shop page with hostile CSS and a strict CSP (no inline script,
              Trusted Types); the widget comes from one <script> tag. Copy the snippet from it.
  API         ${api.url}/
              Reference backend (docs/openapi.yaml), X-API-Key: ${apiKey}. QA state: ${api.url}/__qa/state
              WebSocket: ${api.url.replace(/^http/, 'ws')}/ws/chats/sessions/{session_id}/?visitor_id={id}
              Identity HMAC secret: ${process.env.IDENTITY_SECRET ? 'from IDENTITY_SECRET' : `'${DEFAULT_IDENTITY_SECRET}' (set IDENTITY_SECRET)`};
              signatures for the QA page: ${api.url}/__qa/identity-signature?external_user_id={id}
`);
if (!existsSync(path.join(distDir, 'chat-sdk.js'))) {
  console.warn(`  Warning: ${path.join(distDir, 'chat-sdk.js')} is missing; run \`npm run build\` (npm run demo does).\n`);
}
console.log('Press Ctrl+C to stop.');
closeOnSignals([api, pages]);
