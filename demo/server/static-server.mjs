// @ts-check
/**
 * Serves the demo pages (demo/pages) at / and the built widget (dist/) at /dist/.
 * HTML is templated at serve time ({{API_URL}}, {{API_KEY}}, {{API_ORIGIN}}) so the pages need no
 * inline script; /config.js gives the same values to external scripts. The embed page gets the
 * strict CSP a careful site owner would send.
 */

import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closer, listen, originOf } from './lib/http.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_ROOT = path.resolve(here, '../pages');
const DEFAULT_DIST = path.resolve(here, '../../dist');

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * The API's WebSocket origin (ws: for http:, wss: for https:). A CSP `connect-src` must list it
 * explicitly: Chromium does not let an http(s) source expression cover ws(s) URLs.
 * @param {string} apiOrigin
 */
export function socketOrigin(apiOrigin) {
  return apiOrigin.replace(/^http/, 'ws');
}

/** The embed page's policy: what a strict third-party site would send. */
export function embedCsp(/** @type {string} */ apiOrigin) {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${apiOrigin} ${socketOrigin(apiOrigin)}`,
    // The API's origin for attachment thumbnails; an https: API in production is already covered by https:.
    `img-src 'self' https: ${apiOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

/** The QA page is a test bench, not a CSP test: scripts stay external, styles are relaxed. */
function qaCsp(/** @type {string} */ apiOrigin) {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ${apiOrigin} ${socketOrigin(apiOrigin)}`,
    // The API's origin: attachment thumbnails in the widget and in the agent console.
    `img-src 'self' https: data: ${apiOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** @param {string} value */
function escapeHtml(value) {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * @typedef {object} DemoServerOptions
 * @property {number} [port] 0 picks a free port
 * @property {string} [host]
 * @property {string} apiUrl where the reference API listens, e.g. http://127.0.0.1:8787
 * @property {string} [apiKey]
 * @property {string} [root] the pages folder (default demo/pages)
 * @property {string} [distDir] the built widget (default <repo>/dist)
 */

/** @param {DemoServerOptions} options */
export async function startDemoServer({
  port = 0,
  host = '127.0.0.1',
  apiUrl,
  apiKey = 'demo-key',
  root = DEFAULT_ROOT,
  distDir = DEFAULT_DIST,
}) {
  const apiOrigin = new URL(apiUrl).origin;
  const pagesRoot = path.resolve(root);
  const distRoot = path.resolve(distDir);
  const values = { API_URL: apiOrigin, API_KEY: apiKey, API_ORIGIN: apiOrigin };
  // JSON inside a script: escape `<` so no value can close a tag or start a comment.
  const configJs = `window.DEMO_CONFIG = Object.freeze(${JSON.stringify({ apiUrl: apiOrigin, apiKey }).replace(/</g, '\\u003c')});\n`;

  const server = http.createServer((req, res) => {
    serve(req, res).catch((error) => {
      console.error('[demo] unexpected error', error);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal error');
      else res.destroy();
    });
  });

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  async function serve(req, res) {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store'); // a rebuilt dist/ must show up on reload
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed');
    }
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname === '/config.js') return send(res, 200, TYPES['.js'] ?? '', configJs, req.method === 'HEAD');

    let decoded;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', 'Bad request');
    }
    const file = resolveFile(decoded);
    if (!file) return notFound(res);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return notFound(res); // also: no directory listings

    const ext = path.extname(file).toLowerCase();
    const type = TYPES[ext] ?? 'application/octet-stream';
    /** @type {string | Buffer} */
    let body = await readFile(file);
    if (ext === '.html') {
      const base = path.basename(file);
      res.setHeader('Content-Security-Policy', base === 'embed.html' ? embedCsp(apiOrigin) : qaCsp(apiOrigin));
      body = body
        .toString('utf8')
        .replace(/\{\{(API_URL|API_KEY|API_ORIGIN)\}\}/g, (_, name) => escapeHtml(values[/** @type {keyof typeof values} */ (name)]));
    }
    return send(res, 200, type, body, req.method === 'HEAD');
  }

  /**
   * Map a URL path to a file inside the pages or dist folder, or null. Dot-files and anything that
   * resolves outside the folder (../, encoded %2e%2e, backslashes, NUL) are refused.
   * @param {string} urlPath decoded
   */
  function resolveFile(urlPath) {
    if (urlPath.includes('\0') || urlPath.includes('\\')) return null;
    const inDist = urlPath === '/dist' || urlPath.startsWith('/dist/');
    const base = inDist ? distRoot : pagesRoot;
    let rel = inDist ? urlPath.slice('/dist'.length) : urlPath;
    if (rel === '/' || rel === '') rel = inDist ? '' : '/index.html';
    if (!inDist && (rel === '/agent' || rel === '/agent/')) rel = '/agent.html';
    if (rel.split('/').some((part) => part.startsWith('.'))) return null;
    const file = path.resolve(base, `.${rel}`);
    return file.startsWith(base + path.sep) ? file : null;
  }

  const close = closer(server);
  const actualPort = await listen(server, port, host);
  return { url: originOf(host, actualPort), port: actualPort, close };
}

/** @typedef {Awaited<ReturnType<typeof startDemoServer>>} DemoServer */

/** @param {http.ServerResponse} res */
function notFound(res) {
  send(res, 404, 'text/plain; charset=utf-8', 'Not found');
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {string} type
 * @param {string | Buffer} body
 * @param {boolean} [headOnly]
 */
function send(res, status, type, body, headOnly = false) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(headOnly ? undefined : body);
}
