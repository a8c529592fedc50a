// @ts-check
/**
 * The bench's own page and API server on 127.0.0.1 (port 0):
 * - GET /blank, /widget, /manual, /empty: minimal pages (no CSP) with the in-page probes of probe.mjs;
 * - GET /chat-sdk.js: the built bundle (and the files beside it that it loads on demand);
 * - GET /floor: the same async tag loading /floor.js, the least a script can do to show a launcher
 *   (one button in a shadow root): what this harness and machine cost any embed, the floor under ours;
 * - /api/...: proxied to the reference backend (demo/server/api-server.mjs), except a streamed chat
 *   whose message contains STREAM_WORD, which this server answers itself with `streamChunks` SSE events,
 *   `spacingMs` apart (the reference backend has no 5,000-chunk answer), or PARAGRAPH_WORD: one
 *   paragraph of `paragraphChunks` chunks of 100 characters, no line break (600 KB for 6,000), or
 *   TABLE_WORD: one table whose rows arrive in two chunks each (`paragraphChunks` chunks in all).
 * Pages and API share one origin, so the widget makes no CORS preflights (the same for every run).
 */

import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PROBE } from './probe.mjs';

export const STREAM_WORD = 'benchstream';
export const PARAGRAPH_WORD = 'benchparagraph';
export const TABLE_WORD = 'benchtable';
/** `benchhostile:<name>` answers one hostile Markdown text of HOSTILE in a single chunk. */
export const HOSTILE_WORD = 'benchhostile:';

/** Hostile Markdown (reliability case 19): each must render within a fixed budget, without freezing the page. */
export const HOSTILE = {
  'mixed 1 MB': `${'Some **bold** and _it_ text with `code` and [l](https://a.b/c) https://x.y/z <b>x</b>\n'.repeat(8)}\n`.repeat(1450),
  'plain 1 MB': 'lorem ipsum dolor '.repeat(55_000),
  '10k >': `${'>'.repeat(10_000)} x`,
  '10k [': `${'['.repeat(10_000)}x`,
  '50k *': '*'.repeat(50_000),
  '25k **a': '**a'.repeat(25_000),
  '20k backticks': `a ${'`'.repeat(20_000)}x`,
  'url + 50k )': `https://a.b/${')'.repeat(50_000)}`,
  '10k quote lines': Array.from({ length: 10_000 }, (_, i) => `${'>'.repeat(i % 50)} q${i}`).join('\n'),
  '10k list lines': Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i % 40)}- i${i}`).join('\n'),
};
export const API_KEY = 'demo-key';

/** The floor: read window.ChatSDK (the probe's execution mark), draw one labelled button, nothing else. */
const FLOOR_JS = `(() => {
  void window.ChatSDK;
  const host = document.createElement('chat-sdk-widget');
  const b = host.attachShadow({ mode: 'open' }).appendChild(document.createElement('button'));
  b.setAttribute('aria-label', 'Open chat');
  b.style.cssText = 'position:fixed;bottom:20px;right:20px;width:56px;height:56px;border-radius:50%;border:0;background:#2563eb';
  document.body.appendChild(host);
})();
`;

const WORDS =
  'the bike frame wheel gear brake tyre saddle chain light lock rack battery service warranty size ride road gravel trail'.split(' ');

/**
 * A realistic long answer: chunks of three words, a paragraph break every 40 chunks, some emphasis
 * and a short list now and then (so the Markdown renderer has real blocks to keep).
 * @param {number} n
 */
export function answerChunks(n) {
  const chunks = [];
  for (let i = 0; i < n; i++) {
    const w = (k) => WORDS[(i * 7 + k * 3) % WORDS.length];
    let chunk = `${w(0)} ${i % 11 === 5 ? `**${w(1)}**` : w(1)} ${w(2)}`;
    if (i % 40 === 39) chunk += '.\n\n';
    else if (i % 200 === 120) chunk += ':\n\n- one item\n- another *item*\n\n';
    else chunk += ' ';
    chunks.push(chunk);
  }
  return chunks;
}

/**
 * One paragraph that never ends: `n` chunks of 100 characters, words and spaces, now and then emphasis
 * or code that closes within the chunk, never a line break.
 * @param {number} n
 */
export function paragraphChunks(n) {
  const chunks = [];
  for (let i = 0; i < n; i++) {
    const w = (k) => WORDS[(i * 5 + k * 7) % WORDS.length];
    let chunk = `${w(0)} ${i % 9 === 4 ? `*${w(1)}*` : i % 13 === 6 ? `\`${w(1)}\`` : w(1)} ${w(2)} ${w(3)} `;
    while (chunk.length < 100) chunk += `${w(chunk.length)} `;
    chunks.push(`${chunk.slice(0, 99)} `);
  }
  return chunks;
}

/**
 * One table after a line of text: a header, a delimiter row, then rows of four cells (some emphasis and
 * code), each row in two chunks cut inside a cell, `n` chunks in all.
 * @param {number} n
 */
export function tableChunks(n) {
  const chunks = ['Here is the table you asked for:\n| # | Model | Note | Price |\n|--:|:--|:--|--:|\n'];
  for (let i = 0; chunks.length < n; i++) {
    const w = (k) => WORDS[(i * 5 + k * 7) % WORDS.length];
    chunks.push(`| ${i} | ${i % 9 === 4 ? `*${w(1)}*` : w(1)} ${w(2)}`, ` | ${i % 13 === 6 ? `\`${w(3)}\`` : w(3)} ${w(4)} | ${i * 7} |\n`);
  }
  return chunks.slice(0, n);
}

/** @param {string} title @param {string} body */
const page = (title, body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<title>${title}</title><script>${PROBE}</script></head><body><h1>${title}</h1><p>A plain host page for the ChatSDK benchmark.</p>${body}</body></html>`;

/**
 * @param {{ apiUrl: string, dist: string, streamChunks: number, paragraphChunks: number, spacingMs: number }} options
 */
export async function startBenchServer({ apiUrl, dist, streamChunks, paragraphChunks: paragraphs, spacingMs }) {
  const upstream = new URL(apiUrl);
  /** @type {Record<string, Buffer>} */
  const files = {};
  for (const name of readdirSync(path.dirname(dist)).filter((file) => /^chat-sdk.*\.js$/.test(file)))
    files[`/${name}`] = readFileSync(path.join(path.dirname(dist), name));
  files['/floor.js'] = Buffer.from(FLOOR_JS);
  const chunks = answerChunks(streamChunks);
  const paragraph = paragraphChunks(paragraphs);
  const table = tableChunks(paragraphs);
  /** Server-side timing of the last bench stream, for the report. */
  const streamStats = { startedAt: 0, endedAt: 0, events: 0 };
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  let self = '';

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    const tag = (attrs, src = '/chat-sdk.js') => `<script src="${src}" ${attrs}></script>`;
    if (req.method === 'GET' && files[p]) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(files[p]);
    }
    const pages = {
      '/empty': () => page('Empty', ''),
      '/blank': () => page('Blank page', ''),
      // The embed as the README shows it: one async tag with data-* options.
      '/widget': () => page('Widget page', tag(`async data-api-key="${API_KEY}" data-api-url="${self}"`)),
      '/floor': () => page('Floor page', tag(`async data-api-key="${API_KEY}" data-api-url="${self}"`, '/floor.js')),
      // API only; the bench calls ChatSDK.init() itself.
      '/manual': () => page('Manual init', tag('data-auto-init="false"')),
    };
    if (req.method === 'GET' && p in pages) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(pages[/** @type {keyof typeof pages} */ (p)]());
    }
    if (p === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (p.startsWith('/api/')) return proxyOrStream(req, res, p);
    res.writeHead(404);
    res.end('not found');
  });

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {string} p */
  function proxyOrStream(req, res, p) {
    const body = [];
    req.on('data', (c) => body.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(body);
      const hostile =
        req.method === 'POST' && p === '/api/chats/messages/chat/stream/' && raw.toString('utf8').match(/benchhostile:([^"]+)/);
      if (hostile) return stream(res, JSON.parse(raw.toString('utf8')), [HOSTILE[/** @type {keyof typeof HOSTILE} */ (hostile[1])] ?? '']);
      if (req.method === 'POST' && p === '/api/chats/messages/chat/stream/' && raw.includes(PARAGRAPH_WORD)) {
        return stream(res, JSON.parse(raw.toString('utf8')), paragraph);
      }
      if (req.method === 'POST' && p === '/api/chats/messages/chat/stream/' && raw.includes(TABLE_WORD)) {
        return stream(res, JSON.parse(raw.toString('utf8')), table);
      }
      if (req.method === 'POST' && p === '/api/chats/messages/chat/stream/' && raw.includes(STREAM_WORD)) {
        return stream(res, JSON.parse(raw.toString('utf8')), chunks);
      }
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      forward.end(raw);
    });
  }

  /**
   * Event i is due at start + i * spacingMs; each tick writes every event that is due, one write each,
   * so the average spacing is exact even though Node's timers fire at >= 1 ms.
   * @param {http.ServerResponse} res @param {Record<string, unknown>} body @param {string[]} chunks
   */
  function stream(res, body, chunks) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    const start = performance.now();
    streamStats.startedAt = Date.now();
    streamStats.events = 0;
    let i = 0;
    let closed = false;
    res.on('close', () => (closed = true));
    const tick = () => {
      if (closed) return;
      const due = Math.min(chunks.length, Math.floor((performance.now() - start) / spacingMs) + 1);
      for (; i < due; i++) res.write(`data: ${JSON.stringify({ chunk: chunks[i], done: false })}\n\n`);
      streamStats.events = i;
      if (i < chunks.length) return void setTimeout(tick, spacingMs);
      const done = {
        chunk: '',
        done: true,
        message_id: `bench-q-${body.client_message_id ?? ''}`,
        response_id: `bench-a-${Date.now()}`,
        session_id: body.session_id,
      };
      res.end(`data: ${JSON.stringify(done)}\n\n`);
      streamStats.endedAt = Date.now();
    };
    tick();
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  self = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url: self,
    chunks,
    streamStats,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        for (const s of sockets) s.destroy();
      }),
  };
}
