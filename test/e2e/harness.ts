import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
// @ts-expect-error: plain ESM JavaScript without declarations
import { startApiServer } from '../../demo/server/api-server.mjs';
// @ts-expect-error: plain ESM JavaScript without declarations
import { startDemoServer } from '../../demo/server/static-server.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Server {
  url: string;
  close(): Promise<void>;
}

export interface Stack {
  api: Server;
  demo: Server;
  browser: Browser;
  /** A fresh browser profile (its own storage), closed with the stack. */
  context(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  /** Page errors and CSP violations seen on pages opened through `watch`. */
  problems: string[];
  watch(page: Page): Page;
  /** Switch a backend fault (see demo/server/lib/faults.mjs). */
  fault(name: string, extra?: Record<string, unknown>): Promise<void>;
  /** The backend's request log. */
  log(): Promise<{ method: string; path: string; status: number; note?: string }[]>;
  close(): Promise<void>;
}

export async function startStack(apiOptions: Record<string, unknown> = {}): Promise<Stack> {
  if (!existsSync('dist/chat-sdk.js')) throw new Error('dist/chat-sdk.js is missing: run `npm run build` first.');
  const api: Server = await startApiServer({ chunkDelayMs: 15, ...apiOptions });
  const demo: Server = await startDemoServer({ apiUrl: api.url });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  return {
    api,
    demo,
    browser,
    problems,
    async context(options) {
      const context = await browser.newContext(options);
      contexts.push(context);
      return context;
    },
    watch(page) {
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        const text = message.text();
        if (/Content Security Policy|Trusted Type|securitypolicyviolation/i.test(text)) problems.push(`csp: ${text}`);
      });
      return page;
    },
    async fault(name, extra = {}) {
      const response = await fetch(`${api.url}/__qa/fault`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fault: name, ...extra }),
      });
      if (!response.ok) throw new Error(`fault ${name}: ${response.status} ${await response.text()}`);
    },
    async log() {
      const response = await fetch(`${api.url}/__qa/state`);
      const state = (await response.json()) as { log: { method: string; path: string; status: number; note?: string }[] };
      return state.log;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await demo.close();
      await api.close();
    },
  };
}
