import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
// @ts-expect-error: plain ESM JavaScript without declarations
import { startApiServer } from '../../demo/server/api-server.mjs';
// @ts-expect-error: plain ESM JavaScript without declarations
import { listenLocally } from '../../demo/server/lib/http.mjs';
// @ts-expect-error: plain ESM JavaScript without declarations
import { embedCsp, startDemoServer } from '../../demo/server/static-server.mjs';
import { launchChromium } from '../../scripts/chromium.mjs';
import type { HistoryMessage } from '../helpers/contract-server';
import { type QaApi, qaApi } from '../helpers/qa-api';

export const API_KEY = 'demo-key';

/** Backend paths, as the request log shows them. */
export const VISITORS = '/api/chats/visitors/';
export const SESSIONS = '/api/chats/sessions/';
export const STREAM = '/api/chats/messages/chat/stream/';
export const CHAT = '/api/chats/messages/chat/';

interface Server {
  url: string;
  close(): Promise<void>;
}

export type { LogEntry } from '../helpers/qa-api';

interface StoredMessage {
  id: string;
  author: 'visitor' | 'assistant' | 'agent' | 'system';
  text: string;
  created_at: string;
  client_message_id?: string;
  agent?: { name: string; avatar_url?: string };
  feedback?: { rating: 'up' | 'down'; comment?: string };
}

/** A message as the history endpoint and the WebSocket send it: the same shape as the unit tests' backend. */
export type { HistoryMessage } from '../helpers/contract-server';

/** The in-process reference backend (see demo/server/api-server.mjs). */
interface ApiServer extends Server {
  state: {
    store: {
      messages: Map<string, StoredMessage[]>;
      sessions: Map<string, { id: string; visitor_id: string }>;
      visitors: Map<string, { id: string; metadata: Record<string, unknown>; external_user_id?: string }>;
      attachments: Map<string, { id: string; name: string; size: number; content_type: string }>;
      counts(): { visitors: number; sessions: number; messages: number; attachments: number };
    };
  };
  /** Same as POST /__qa/fault, without HTTP. */
  fault(name: string, seconds?: number): void;
  /** Reply as a human agent (stored, then sent to the session's sockets); throws for an unknown session. */
  agentReply(sessionId: string, text: string, name?: string, avatarUrl?: string): HistoryMessage;
  /** End the chat as an agent (history says closed, sockets hear `session:closed`, chat gets 404); returns `closed_at`. */
  endChat(sessionId: string): string;
  /** "<name> is typing…" on or off on the session's sockets (on lapses after 6 s). */
  agentTyping(sessionId: string, isTyping: boolean, name?: string): void;
  /** A socket of this session sent `typing: true` less than 5 s ago. */
  visitorTyping(sessionId: string): boolean;
  /** Open WebSockets, in one session or in all. */
  socketCount(sessionId?: string): number;
}

/** The servers, the browser and the backend's QA API (fault, reset, log, count) of one test file. */
export interface Stack extends QaApi {
  api: ApiServer;
  demo: Server;
  browser: Browser;
  /** The third-party page: strict CSP, Trusted Types, hostile CSS. */
  embedUrl: string;
  /**
   * A plain page on its own 127.0.0.1 origin: no CSS and no CSP, the same script tag as embed.html
   * (dist/chat-sdk.js). For comparisons and for tests that are not about the host page. (Served by a
   * real server, not a Playwright route: Chromium's local-network-access checks block a fulfilled page
   * from calling a loopback API.)
   */
  plainUrl: string;
  /**
   * A plain page like `plainUrl` whose widget is started by `ChatSDK.init(options)` (through the
   * command queue, `data-auto-init="false"`), with apiKey, apiUrl and title "Acme support" filled in.
   * The options travel in the URL, so a reload starts the same widget.
   */
  initUrl(options?: Record<string, unknown>): string;
  /** The plain page with these extra `data-*` attributes on its script tag, e.g. `{ live: 'websocket' }`. */
  tagUrl(attributes: Record<string, string>): string;
  /**
   * Like `tagUrl`, served with embed.html's strict CSP (no inline script or style, Trusted Types) and its
   * hostile CSS; the page holds `<div id="support-chat">` (420 x 520 px, as the page's CSS sets) for inline mode.
   */
  strictUrl(attributes: Record<string, string>): string;
  /** A fresh browser profile (its own storage), closed with the stack. */
  context(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  /** Page errors and CSP / Trusted Types violations seen on pages opened through `watch`, all pages. */
  problems: string[];
  /** Start collecting problems of this page (call before `goto`). */
  watch(page: Page): Promise<Page>;
  /** Problems of one watched page: page errors, CSP console messages and `securitypolicyviolation` events. */
  problemsOf(page: Page): Promise<string[]>;
  /** Visitor messages with exactly this text stored by the backend (de-duplicated retries count once). */
  stored(text: string): number;
  /** Where the backend stored a visitor message: its session and that session's visitor (or null). */
  storedIn(text: string): { sessionId: string; visitorId: string | null } | null;
  /** The visitor texts of one stored session, in order. */
  sessionTexts(sessionId: string): string[];
  /**
   * Serve the plain page and the script of this context from memory, so a page can reload while the
   * context is offline (a real browser would need a cache or a service worker for that).
   */
  servePlainPageFromMemory(context: BrowserContext): Promise<void>;
  close(): Promise<void>;
}

const escapeAttr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

const plainPage = (apiUrl: string, attributes: Record<string, string> = {}, strict = false) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plain page</title>${strict ? '<link rel="stylesheet" href="/strict.css">' : ''}</head>
<body><h1>Plain page</h1><p id="probe">A page without CSS.</p><button type="button" id="page-button">Page button</button>
${strict ? '<div id="support-chat"></div>' : ''}<script src="/dist/chat-sdk.js" data-api-key="${API_KEY}" data-api-url="${apiUrl}" data-title="Acme support"${Object.entries(
  attributes,
)
  .map(([name, value]) => ` data-${name.replace(/[^a-z0-9-]/gi, '')}="${escapeAttr(value)}"`)
  .join('')} async></script>
</body></html>`;

/** The plain page with the widget started by `ChatSDK.init(options)` from the command queue. */
const initPage = (apiUrl: string, options: Record<string, unknown>) => {
  const json = JSON.stringify({ apiKey: API_KEY, apiUrl, title: 'Acme support', ...options }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Init page</title></head>
<body><h1>Init page</h1><button type="button" id="page-button">Page button</button>
<script>window.ChatSDK = window.ChatSDK || []; window.ChatSDK.push(['init', ${json}]);</script>
<script src="/dist/chat-sdk.js" data-auto-init="false" async></script>
</body></html>`;
};

async function startPlainServer(apiUrl: string): Promise<Server> {
  const server = http.createServer((req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/plain.html' || url.pathname === '/strict.html') {
      const strict = url.pathname === '/strict.html';
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        ...(strict && { 'Content-Security-Policy': embedCsp(new URL(apiUrl).origin) }),
      });
      // ?data-live=websocket&data-sound=true: extra attributes on the script tag
      const attributes: Record<string, string> = {};
      for (const [name, value] of url.searchParams) if (name.startsWith('data-')) attributes[name.slice(5)] = value;
      res.end(plainPage(apiUrl, attributes, strict));
    } else if (url.pathname === '/strict.css') {
      res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8' });
      // embed.html's hostile rules, then the box for inline mode.
      res.end(`${readFileSync('demo/pages/hostile.css', 'utf8')}\n#support-chat{width:420px;height:520px;margin:16px}`);
    } else if (url.pathname === '/init.html') {
      let options: Record<string, unknown>;
      try {
        options = JSON.parse(url.searchParams.get('options') ?? '{}') as Record<string, unknown>;
      } catch {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        return void res.end('options: not JSON');
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(initPage(apiUrl, options));
    } else if (/^\/dist\/chat-sdk(-[a-z-]+)?\.js$/.test(url.pathname) && existsSync(url.pathname.slice(1))) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(readFileSync(url.pathname.slice(1)));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not found');
    }
  });
  return listenLocally(server);
}

/** Collects `securitypolicyviolation` events (the page CSP cannot stop an init script run over CDP). */
function cspCollector() {
  const w = window as unknown as { __cspViolations?: string[] };
  if (w.__cspViolations) return; // added for the context and for the page: collect once
  w.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    w.__cspViolations!.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} ${e.sample || ''}`.trim());
  });
}

export async function startStack(apiOptions: Record<string, unknown> = {}): Promise<Stack> {
  if (!existsSync('dist/chat-sdk.js')) throw new Error('dist/chat-sdk.js is missing: run `npm run build` first.');
  const api: ApiServer = await startApiServer({ chunkDelayMs: 15, apiKey: API_KEY, ...apiOptions });
  const demo: Server = await startDemoServer({ apiUrl: api.url, apiKey: API_KEY });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const perPage = new WeakMap<Page, string[]>();
  const plain = await startPlainServer(api.url);
  const plainUrl = `${plain.url}/plain.html`;
  const qa = qaApi(api.url);
  return {
    api,
    demo,
    browser,
    problems,
    embedUrl: `${demo.url}/embed.html`,
    plainUrl,
    tagUrl: (attributes) =>
      `${plainUrl}?${new URLSearchParams(Object.entries(attributes).map(([name, value]) => [`data-${name}`, value])).toString()}`,
    strictUrl: (attributes) =>
      `${plain.url}/strict.html?${new URLSearchParams(Object.entries(attributes).map(([name, value]) => [`data-${name}`, value])).toString()}`,
    initUrl: (options = {}) => `${plain.url}/init.html?options=${encodeURIComponent(JSON.stringify(options))}`,
    async context(options) {
      const context = await browser.newContext(options);
      contexts.push(context);
      // Also in pages the page opens (window.open), from their first document on.
      await context.addInitScript(cspCollector);
      // Fail a stuck action with its own message well before the test's 30 s timeout.
      context.setDefaultTimeout(10_000);
      return context;
    },
    async watch(page) {
      const own: string[] = [];
      perPage.set(page, own);
      const add = (problem: string) => {
        own.push(problem);
        problems.push(problem);
      };
      // Before the page's first navigation.
      await page.addInitScript(cspCollector);
      page.on('pageerror', (error) => add(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        const text = message.text();
        if (/Content Security Policy|Trusted Type|securitypolicyviolation/i.test(text)) add(`csp: ${text}`);
      });
      return page;
    },
    async problemsOf(page) {
      const own = perPage.get(page);
      if (!own) return ['page not watched: its problems were not collected'];
      if (page.isClosed()) return [...own, 'page closed before its CSP violations were read'];
      const events = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? null);
      if (!events) return [...own, 'no collector on this page'];
      return [...own, ...events.map((e) => `securitypolicyviolation: ${e}`)];
    },
    ...qa,
    stored(text) {
      let n = 0;
      for (const list of api.state.store.messages.values()) {
        for (const m of list) if (m.author === 'visitor' && m.text === text) n++;
      }
      return n;
    },
    storedIn(text) {
      for (const [sessionId, list] of api.state.store.messages) {
        if (list.some((m) => m.author === 'visitor' && m.text === text)) {
          return { sessionId, visitorId: api.state.store.sessions.get(sessionId)?.visitor_id ?? null };
        }
      }
      return null;
    },
    sessionTexts(sessionId) {
      return (api.state.store.messages.get(sessionId) ?? []).filter((m) => m.author === 'visitor').map((m) => m.text);
    },
    async servePlainPageFromMemory(context) {
      const html = plainPage(api.url);
      // A fulfilled document has no IP address space: allow it to call the loopback API.
      await context.grantPermissions(['local-network-access']);
      await context.route(plainUrl, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }));
      for (const file of readdirSync('dist').filter((name) => /^chat-sdk.*\.js$/.test(name))) {
        const script = readFileSync(`dist/${file}`, 'utf8');
        await context.route(`${plain.url}/dist/${file}`, (route) =>
          route.fulfill({ contentType: 'text/javascript; charset=utf-8', body: script }),
        );
      }
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await demo.close();
      await plain.close();
      await api.close();
    },
  };
}

// ---- driving the widget through its accessibility contract ------------------------------------

/** A unique, keyword-free message (the backend's default reply quotes it back). */
let counter = 0;
/**
 * The usual set-up of a test file: one stack for the file, and before each test a reset backend and a
 * fresh browser context with a watched page. Read `stack`, `context` and `page` inside the tests.
 */
export function useStack(apiOptions: Record<string, unknown> = {}): {
  readonly stack: Stack;
  readonly context: BrowserContext;
  readonly page: Page;
} {
  const env = {} as { stack: Stack; context: BrowserContext; page: Page };
  beforeAll(async () => {
    env.stack = await startStack(apiOptions);
  });
  afterAll(async () => {
    await env.stack?.close();
  });
  beforeEach(async () => {
    await env.stack.reset();
    await env.context?.close();
    env.context = await env.stack.context();
    env.page = await env.stack.watch(await env.context.newPage());
  });
  return env;
}

export const uniqueText = (label: string) => `${label} q${Date.now().toString(36)}${++counter}`;

export const launcher = (page: Page) => page.getByRole('button', { name: /^Open chat/ });
export const dialog = (page: Page, name: string | RegExp = 'Acme support') => page.getByRole('dialog', { name });
export const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
export const button = (page: Page, name: 'Send' | 'Stop' | 'Retry' | 'New chat' | 'Close chat') =>
  page.getByRole('button', { name, exact: true });
export const chatLog = (page: Page) => page.getByRole('log');
export type Author = 'visitor' | 'assistant' | 'agent' | 'system';

/** Messages of one author (`[data-author][data-status]`), optionally only those containing `text`. */
export const messages = (page: Page, author: Author, text?: string): Locator => {
  const all = page.locator(`[data-author="${author}"][data-status]`);
  return text === undefined ? all : all.filter({ hasText: text });
};

/** Open the widget with the launcher and wait for the dialog and its composer. */
export async function openChat(page: Page): Promise<void> {
  await page.bringToFront();
  await launcher(page).click();
  await composer(page).waitFor({ state: 'visible' });
}

/**
 * Type into the composer and press the Send button. The tab is brought to the front first: Chromium
 * throttles animation frames in a tab that is not in front, and both the widget (renders once per
 * frame) and Playwright's actionability checks wait for frames.
 */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.bringToFront();
  await composer(page).fill(text);
  await button(page, 'Send').click();
}

/** The widget's messages as plain data, in order (author, status, text). */
export async function transcript(page: Page): Promise<{ author: string; status: string; text: string; stopped: boolean }[]> {
  return page.evaluate(() => {
    const root = document.querySelector('chat-sdk-widget')?.shadowRoot;
    return [...(root?.querySelectorAll<HTMLElement>('[data-author][data-status]') ?? [])].map((el) => ({
      author: el.dataset.author ?? '',
      status: el.dataset.status ?? '',
      // Without the message's time (checked on its own): what was said, and its status line.
      text: (() => {
        const copy = el.cloneNode(true) as HTMLElement;
        for (const time of copy.querySelectorAll('time')) time.remove();
        return copy.textContent ?? '';
      })(),
      stopped: el.hasAttribute('data-stopped'),
    }));
  });
}

/** The raw stored visitor record (localStorage `chatsdk:visitor:*`), or null. */
export async function storedVisitorId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      if (!key.startsWith('chatsdk:visitor:')) continue;
      try {
        const record = JSON.parse(localStorage.getItem(key) ?? 'null') as { data?: { id?: string } } | null;
        return record?.data?.id ?? null;
      } catch {
        return null;
      }
    }
    return null;
  });
}

/** Watch the newest assistant answer until it is settled; returns the distinct text lengths it went through. */
export async function recordAnswerGrowth(page: Page, timeoutMs = 20_000): Promise<{ lengths: number[]; status: string }> {
  return page.evaluate(
    (timeout) =>
      new Promise<{ lengths: number[]; status: string }>((resolve) => {
        const root = document.querySelector('chat-sdk-widget')!.shadowRoot!;
        const lengths: number[] = [];
        const last = () => {
          const all = root.querySelectorAll<HTMLElement>('[data-author="assistant"][data-status]');
          return all[all.length - 1];
        };
        const sample = () => {
          const el = last();
          if (!el) return false;
          const length = (el.querySelector('.bb')?.textContent ?? '').length;
          if (el.dataset.status === 'streaming' && length && lengths[lengths.length - 1] !== length) lengths.push(length);
          if (el.dataset.status !== 'streaming' && lengths.length) {
            lengths.push(length);
            done(el.dataset.status ?? '');
            return true;
          }
          return false;
        };
        const observer = new MutationObserver(() => void sample());
        const timer = setTimeout(() => done('timeout'), timeout);
        function done(status: string) {
          observer.disconnect();
          clearTimeout(timer);
          resolve({ lengths, status });
        }
        if (!sample()) observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
      }),
    timeoutMs,
  );
}

/** `expect.poll` with a timeout that suits a browser (vitest's default is 1 s). */
export const poll = <T>(fn: () => T | Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout, interval: 50 });

/** `data-status` of the newest message of this author, or null when there is none (never waits). */
export async function lastStatus(page: Page, author: Author): Promise<string | null> {
  const all = (await transcript(page)).filter((m) => m.author === author);
  return all[all.length - 1]?.status ?? null;
}

/** How many messages of this author contain `text` (never waits). */
export async function countMessages(page: Page, author: Author, text?: string): Promise<number> {
  return (await transcript(page)).filter((m) => m.author === author && (text === undefined || m.text.includes(text))).length;
}
