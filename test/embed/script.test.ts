// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { button, dialog, host, shadow } from '../ui/helpers';

// The app file next to the script is the browser tests' business (test/e2e: loaded, failing, retried);
// here it is the app module itself.
vi.mock('../../src/embed/app-file', () => ({ loadAppNextToScript: () => import('../../src/widget/app') }));

// Each test loads the script module afresh, as a page would.
const load = async () => {
  vi.resetModules();
  const mod = await import('../../src/embed/script');
  // The module defines window.ChatSDK in a microtask and starts the widget in a task of its own.
  await new Promise((r) => setTimeout(r));
  return mod;
};

/** A loader tag the module finds via currentScript's fallback selector (not executed by the test DOM). */
const tag = (attrs: Record<string, string>) => {
  const el = document.createElement('script');
  el.type = 'text/x-test';
  el.setAttribute('src', 'https://cdn.example.com/chat-sdk.js');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.head.appendChild(el);
  return el;
};

/** No network in these tests: requests hang until aborted. */
const hang = (_url: unknown, init?: RequestInit) =>
  new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));

beforeEach(() => {
  delete (window as any).ChatSDK;
  vi.stubGlobal('fetch', vi.fn(hang));
});
afterEach(() => {
  (window as any).ChatSDK?.push?.(['destroy']);
  for (const script of document.head.querySelectorAll('script')) script.remove();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('script tag', () => {
  it('auto-inits from data-* attributes and defines window.ChatSDK', async () => {
    tag({
      'data-api-key': 'pk_1',
      'data-api-url': 'https://api.example.com',
      'data-title': 'Help desk',
      'data-position': 'left',
      'data-primary-color': '#7c3aed',
      'data-z-index': '99',
      'data-locale': 'ru',
      'data-greeting': 'Здравствуйте!',
    });
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const mod = await load();
    const api = (window as any).ChatSDK;
    expect(typeof api.init).toBe('function');
    expect(api.version).toBe(mod.version);
    // The headless core is for bundlers (npm); the script tag's API stays small.
    expect(Object.keys(api).sort()).toEqual(['init', 'push', 'version']);
    const h = host()!;
    expect(h.dataset.position).toBe('left');
    expect(h.style.getPropertyValue('--chat-primary')).toBe('#7c3aed');
    expect(h.style.getPropertyValue('--chat-z')).toBe('99');
    expect(button('Открыть чат')).not.toBeNull();
    expect(fetchSpy).not.toHaveBeenCalled(); // loading makes no request
    api.push(['open']);
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(shadow().getElementById(dialog()!.getAttribute('aria-labelledby')!)!.textContent).toBe('Help desk');
    expect(shadow().textContent).toContain('Здравствуйте!');
  });

  it('defines the API at once and draws the launcher in a later task (two short tasks, not one long one)', async () => {
    tag({ 'data-api-key': 'pk_1', 'data-api-url': 'https://api.example.com' });
    vi.resetModules();
    await import('../../src/embed/script');
    await Promise.resolve();
    expect(typeof (window as any).ChatSDK.init).toBe('function');
    expect(host()).toBeNull();
    await new Promise((r) => setTimeout(r));
    expect(button('Open chat')).not.toBeNull();
  });

  it('reads document.currentScript and its nonce when present', async () => {
    const el = tag({ 'data-api-key': 'pk_1', 'data-api-url': 'https://api.example.com', 'data-open': 'true' });
    el.nonce = 'n0nce';
    vi.spyOn(document, 'currentScript', 'get').mockReturnValue(el);
    const orig = globalThis.CSSStyleSheet;
    (globalThis as any).CSSStyleSheet = undefined; // an old browser: <style nonce> fallback
    try {
      await load();
    } finally {
      globalThis.CSSStyleSheet = orig;
    }
    expect(shadow().querySelector('style')!.nonce).toBe('n0nce');
    await vi.waitFor(() => expect(dialog()).toBeDefined()); // data-open
  });

  it('reads data-live and data-sound', async () => {
    const { readAttributes } = await load();
    const el = tag({ 'data-live': 'websocket', 'data-sound': 'true', 'data-websocket-url': 'wss://rt.example.com/ws/{session_id}/' });
    expect(readAttributes(el)).toEqual({ live: 'websocket', sound: true, websocketUrl: 'wss://rt.example.com/ws/{session_id}/' });
    el.setAttribute('data-sound', 'false');
    expect(readAttributes(el).sound).toBe(false);
    el.setAttribute('data-sound', 'loud');
    expect(readAttributes(el).sound).toBe('loud'); // left for init() to warn about
  });

  it('data-auto-init="false" only defines the API', async () => {
    tag({ 'data-api-key': 'pk_1', 'data-api-url': 'https://api.example.com', 'data-auto-init': 'false' });
    await load();
    expect(host()).toBeNull();
    expect(typeof (window as any).ChatSDK.init).toBe('function');
  });

  it('reports a missing data-api-url with the fix', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    tag({ 'data-api-key': 'pk_1' });
    await load();
    expect(error.mock.calls[0]![0]).toContain('Missing option "apiUrl": pass data-api-url=');
    expect(host()).toBeNull();
  });

  it('waits for DOMContentLoaded while the document is loading', async () => {
    tag({ 'data-api-key': 'pk_1', 'data-api-url': 'https://api.example.com' });
    const state = vi.spyOn(document, 'readyState', 'get').mockReturnValue('loading');
    await load();
    expect(host()).toBeNull();
    state.mockReturnValue('interactive');
    document.dispatchEvent(new Event('DOMContentLoaded'));
    expect(host()).not.toBeNull();
  });
});

describe('command queue', () => {
  it('replays calls made before the script loaded, in order, and keeps push working', async () => {
    const seen: string[] = [];
    const q: unknown[] = [];
    (window as any).ChatSDK = q;
    q.push(['on', 'open', () => seen.push('open')]);
    q.push(['init', { apiKey: 'pk_1', apiUrl: 'https://api.example.com', title: 'Queued' }]);
    q.push(['on', 'close', () => seen.push('close')]);
    q.push(['open']);
    q.push(['close']);
    q.push(['toggle']);
    await load();
    // Replayed in order before the app arrived: close cancelled the waiting open, toggle opened again.
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(seen).toEqual(['open']);
    const api = (window as any).ChatSDK;
    expect(Array.isArray(api)).toBe(false);
    api.push(['close']);
    expect(dialog()).toBeUndefined();
    api.push(['toggle']);
    expect(dialog()).toBeDefined();
    expect(seen).toEqual(['open', 'close', 'open']);
  });

  it('bad commands are reported, not thrown', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    (window as any).ChatSDK = [['init', { apiKey: 'k', apiUrl: 'https://a.example' }], ['explode'], 'nonsense'];
    await load();
    expect(error).toHaveBeenCalledTimes(2);
    expect(host()).not.toBeNull();
  });

  it('a second copy of the script keeps the first API and widget', async () => {
    tag({ 'data-api-key': 'pk_1', 'data-api-url': 'https://api.example.com' });
    await load();
    const first = (window as any).ChatSDK;
    await load();
    expect((window as any).ChatSDK).toBe(first);
    expect(document.querySelectorAll('chat-sdk-widget')).toHaveLength(1);
  });
});
