// The servers of one engine test file, on 127.0.0.1 with free ports, as test/e2e/harness.ts starts them:
// the reference backend (demo/server/api-server.mjs) and a page server for the built dist/. The page server
// serves the demo's strict-CSP page (demo/pages/embed.html, with the demo server's own policy) and two plain
// pages, each with a same-origin collector script first in <head>: WebKit's WebDriver has no console or
// BiDi events, so console errors, uncaught errors and CSP violations are gathered by the page itself.

import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain ESM JavaScript without declarations
import { startApiServer } from '../../demo/server/api-server.mjs';
// @ts-expect-error: plain ESM JavaScript without declarations
import { listenLocally } from '../../demo/server/lib/http.mjs';
// @ts-expect-error: plain ESM JavaScript without declarations
import { embedCsp } from '../../demo/server/static-server.mjs';
import { type QaApi, qaApi } from '../helpers/qa-api';

export const API_KEY = 'demo-key';
export const VISITORS = '/api/chats/visitors/';
export const SESSIONS = '/api/chats/sessions/';
export const STREAM = '/api/chats/messages/chat/stream/';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pagesDir = path.join(root, 'demo/pages');
const distDir = path.join(root, 'dist');
const collectorFile = path.join(root, 'test/engines/collector.js');

export type { LogEntry } from '../helpers/qa-api';

interface StoredMessage {
  author: 'visitor' | 'assistant' | 'agent' | 'system';
  text: string;
  /** When the backend stored it (ISO), as the history names it. */
  created_at: string;
  feedback?: { rating: 'up' | 'down'; comment?: string };
}

/** What the tests use of the in-process reference backend (see demo/server/api-server.mjs). */
interface ApiServer {
  url: string;
  close(): Promise<void>;
  state: {
    store: {
      messages: Map<string, StoredMessage[]>;
      sessions: Map<string, { id: string; visitor_id: string }>;
      visitors: Map<string, { id: string; metadata: Record<string, unknown> }>;
    };
  };
  agentReply(sessionId: string, text: string, name?: string): unknown;
  /** End the session, as the agent console's End chat does. */
  endChat(sessionId: string): unknown;
  socketCount(sessionId?: string): number;
}

/** The servers and the backend's QA API (fault, reset, log, count) of one engine test file. */
export interface Stack extends QaApi {
  api: ApiServer;
  /**
   * The demo's third-party page: strict CSP and Trusted Types, hostile CSS; extra `data-*` attributes for its tag.
   * With a `target` attribute the page also holds `<div id="support-chat">` (420 x 520 px) for inline mode.
   */
  embedUrl(attributes?: Record<string, string>): string;
  /** A plain page (no CSP) with the script tag and these extra `data-*` attributes. */
  tagUrl(attributes?: Record<string, string>): string;
  /** A plain page whose widget is started by `ChatSDK.init({ apiKey, apiUrl, title: 'Acme support', ...options })`. */
  initUrl(options?: Record<string, unknown>): string;
  /** Visitor messages with exactly this text the backend stored. */
  stored(text: string): number;
  /** The session (and its visitor) where the backend stored a visitor message containing this text. */
  storedIn(text: string): { sessionId: string; visitorId: string | null } | null;
  close(): Promise<void>;
}

const escapeAttr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const dataAttributes = (attributes: Record<string, string>) =>
  Object.entries(attributes)
    .map(([name, value]) => ` data-${name.replace(/[^a-z0-9-]/gi, '')}="${escapeAttr(value)}"`)
    .join('');
const fromQuery = (url: URL) => {
  const attributes: Record<string, string> = {};
  for (const [name, value] of url.searchParams) if (name.startsWith('data-')) attributes[name.slice(5)] = value;
  return attributes;
};

/** First in <head> of every page: the collector. */
const COLLECTOR = '<script src="/engines/collector.js"></script>';
/** And on the plain pages, before the widget: the QA page's network switch (offline-sim.js reads /config.js). */
const NETWORK_SWITCH = '<script src="/config.js"></script><script src="/offline-sim.js"></script>';

/** The inline target's size on the embed page: a same-origin stylesheet, as the strict CSP allows no inline style. */
const SUPPORT_CHAT_CSS = '#support-chat{width:420px;height:520px;margin:16px}';

/** demo/pages/embed.html as the demo server sends it, with the collector first and extra attributes on the widget's tag. */
function embedPage(apiOrigin: string, attributes: Record<string, string>): string {
  const values: Record<string, string> = { API_URL: apiOrigin, API_KEY, API_ORIGIN: apiOrigin };
  let html = readFileSync(path.join(pagesDir, 'embed.html'), 'utf8')
    .replace(/\{\{(API_URL|API_KEY|API_ORIGIN)\}\}/g, (_, name: string) => escapeHtml(values[name]!))
    .replace('<meta charset="utf-8">', `<meta charset="utf-8">${COLLECTOR}`)
    .replace(
      /(<script src="\/dist\/chat-sdk\.js"[^>]*?)( async><\/script>)/,
      (_, tag: string, end: string) => tag + dataAttributes(attributes) + end,
    );
  if (!html.includes(COLLECTOR) || !html.includes('src="/dist/chat-sdk.js"')) throw new Error('demo/pages/embed.html changed shape');
  if (attributes.target !== undefined) {
    html = html
      .replace('</head>', '<link rel="stylesheet" href="/engines/support-chat.css"></head>')
      .replace('<script src="/dist/chat-sdk.js"', '<div id="support-chat"></div><script src="/dist/chat-sdk.js"');
  }
  return html;
}

const plainPage = (body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${COLLECTOR}${NETWORK_SWITCH}<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plain page</title></head>
<body><h1>Plain page</h1><p>A page without CSS.</p><button type="button" id="page-button">Page button</button>
${body}
</body></html>`;

const tagPage = (apiUrl: string, attributes: Record<string, string>) =>
  plainPage(
    `<script src="/dist/chat-sdk.js" data-api-key="${API_KEY}" data-api-url="${apiUrl}" data-title="Acme support"${dataAttributes(attributes)} async></script>`,
  );

const initPage = (apiUrl: string, options: Record<string, unknown>) => {
  const json = JSON.stringify({ apiKey: API_KEY, apiUrl, title: 'Acme support', ...options }).replace(/</g, '\\u003c');
  return plainPage(`<script>window.ChatSDK = window.ChatSDK || []; window.ChatSDK.push(['init', ${json}]);</script>
<script src="/dist/chat-sdk.js" data-auto-init="false" async></script>`);
};

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.js': 'text/javascript; charset=utf-8',
};

async function startPageServer(apiUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const apiOrigin = new URL(apiUrl).origin;
  const config = `window.DEMO_CONFIG = Object.freeze(${JSON.stringify({ apiUrl: apiOrigin, apiKey: API_KEY })});\n`;
  const server = http.createServer((req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': type, ...headers });
      res.end(body);
    };
    const html = 'text/html; charset=utf-8';
    try {
      if (url.pathname === '/embed.html')
        return send(200, html, embedPage(apiOrigin, fromQuery(url)), { 'Content-Security-Policy': embedCsp(apiOrigin) });
      if (url.pathname === '/plain.html') return send(200, html, tagPage(apiOrigin, fromQuery(url)));
      if (url.pathname === '/init.html') return send(200, html, initPage(apiOrigin, JSON.parse(url.searchParams.get('options') ?? '{}')));
      if (url.pathname === '/config.js') return send(200, TYPES['.js']!, config);
      if (url.pathname === '/engines/support-chat.css') return send(200, TYPES['.css']!, SUPPORT_CHAT_CSS);
      if (url.pathname === '/engines/collector.js') return send(200, TYPES['.js']!, readFileSync(collectorFile));
      const dist = /^\/dist\/(chat-sdk(-[a-z-]+)?\.js)$/.exec(url.pathname);
      if (dist && existsSync(path.join(distDir, dist[1]!))) return send(200, TYPES['.js']!, readFileSync(path.join(distDir, dist[1]!)));
      const asset = /^\/([a-z-]+\.(css|svg|js))$/.exec(url.pathname);
      if (asset && existsSync(path.join(pagesDir, asset[1]!))) {
        return send(200, TYPES[`.${asset[2]}`]!, readFileSync(path.join(pagesDir, asset[1]!)));
      }
      send(404, 'text/plain', 'Not found');
    } catch (error) {
      send(500, 'text/plain', String(error));
    }
  });
  return listenLocally(server);
}

export async function startStack(): Promise<Stack> {
  if (!existsSync(path.join(distDir, 'chat-sdk.js'))) throw new Error('dist/chat-sdk.js is missing: run `npm run build` first.');
  const api: ApiServer = await startApiServer({ chunkDelayMs: 15, apiKey: API_KEY });
  const pages = await startPageServer(api.url).catch(async (error) => {
    await api.close();
    throw error;
  });
  const query = (attributes: Record<string, string>) =>
    new URLSearchParams(Object.entries(attributes).map(([name, value]) => [`data-${name}`, value])).toString();
  const visitorMessages = function* () {
    for (const [sessionId, list] of api.state.store.messages)
      for (const m of list) if (m.author === 'visitor') yield { sessionId, text: m.text };
  };
  return {
    api,
    embedUrl: (attributes = {}) => `${pages.url}/embed.html?${query(attributes)}`,
    tagUrl: (attributes = {}) => `${pages.url}/plain.html?${query(attributes)}`,
    initUrl: (options = {}) => `${pages.url}/init.html?options=${encodeURIComponent(JSON.stringify(options))}`,
    ...qaApi(api.url),
    stored: (text) => [...visitorMessages()].filter((m) => m.text === text).length,
    storedIn(text) {
      const found = [...visitorMessages()].find((m) => m.text.includes(text));
      return found ? { sessionId: found.sessionId, visitorId: api.state.store.sessions.get(found.sessionId)?.visitor_id ?? null } : null;
    },
    async close() {
      await pages.close();
      await api.close();
    },
  };
}
