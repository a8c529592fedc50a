// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { init } from '../../src';
import { getInstance, type WidgetInstance } from '../../src/widget';
import { API, createTestServer, KEY, MemoryStorage } from '../helpers/contract-server';
import { createFakeClient } from '../ui/fake-client';
import { button, dialog, host, key, messages, openChat, shadow, textbox, type } from '../ui/helpers';

const { server, fresh } = createTestServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

let inst: WidgetInstance | undefined;
beforeEach(() => void fresh());
afterEach(() => {
  getInstance()?.destroy();
  inst = undefined;
  vi.restoreAllMocks();
});

const spyConsole = () => ({
  error: vi.spyOn(console, 'error').mockImplementation(() => {}),
  warn: vi.spyOn(console, 'warn').mockImplementation(() => {}),
});

describe('options', () => {
  it('a missing apiKey logs how to fix it and leaves nothing behind', async () => {
    const c = spyConsole();
    inst = init({ apiUrl: API } as any);
    expect(c.error).toHaveBeenCalledWith(
      '[ChatSDK] Missing option "apiKey": pass data-api-key="..." on the script tag or apiKey in ChatSDK.init().',
    );
    expect(host()).toBeNull();
    expect(getInstance()).toBeNull();
    expect(() => {
      inst!.open();
      inst!.on('open', () => {})();
      inst!.destroy();
    }).not.toThrow();
  });

  it('a missing apiUrl names the option', async () => {
    const c = spyConsole();
    init({ apiKey: KEY } as any);
    expect(c.error.mock.calls[0]![0]).toContain('Missing option "apiUrl"');
    expect(host()).toBeNull();
  });

  it('a wrong apiUrl is reported by init itself (the client is created later) and leaves nothing behind', async () => {
    const c = spyConsole();
    inst = init({ apiKey: KEY, apiUrl: 'ftp://example.com' });
    expect(String(c.error.mock.calls[0]![1])).toContain('Option "apiUrl" must be');
    expect(host()).toBeNull();
    expect(getInstance()).toBeNull();
  });

  it('invalid values warn with the option and the fix, and fall back to defaults', async () => {
    const c = spyConsole();
    inst = init({
      apiKey: KEY,
      apiUrl: API,
      position: 'middle' as any,
      primaryColor: 'not a colour',
      zIndex: 'abc' as any,
      theme: 'pink' as any,
      locale: 'xx',
      maxMessageLength: -1,
    });
    const warned = c.warn.mock.calls.map((a) => String(a[0])).join('\n');
    for (const opt of ['position', 'primaryColor', 'zIndex', 'theme', 'locale', 'maxMessageLength'])
      expect(warned).toContain(`Option "${opt}"`);
    expect(warned).toContain('must be "right" or "left"');
    const h = host()!;
    expect(h.dataset.position).toBe('right');
    expect(h.dataset.theme).toBeUndefined();
    expect(h.style.getPropertyValue('--chat-primary')).toBe('');
    expect(button('Open chat')).not.toBeNull(); // English fallback
  });

  it('applies title, colour, position, locale and string overrides', async () => {
    inst = init({
      apiKey: KEY,
      apiUrl: API,
      title: 'Допомога',
      locale: 'uk',
      position: 'left',
      primaryColor: '#0a7',
      strings: { send: 'Вперед' },
    });
    expect(host()!.dataset.position).toBe('left');
    expect(host()!.style.getPropertyValue('--chat-primary')).toBe('#0a7');
    button('Відкрити чат')!.click();
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(shadow().getElementById(dialog()!.getAttribute('aria-labelledby')!)!.textContent).toBe('Допомога');
    expect(button('Вперед')).not.toBeNull();
  });

  it('RTL locales lay out right to left', async () => {
    inst = init({ apiKey: KEY, apiUrl: API, locale: 'he-IL', strings: { open: 'פתח צ׳אט' } });
    button('פתח צ׳אט')!.click();
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(dialog()!.dir).toBe('rtl');
  });

  it('a second init returns the live widget and warns', async () => {
    const c = spyConsole();
    inst = init({ apiKey: KEY, apiUrl: API });
    expect(init({ apiKey: KEY, apiUrl: API })).toBe(inst);
    expect(c.warn.mock.calls[0]![0]).toContain('while a widget is live');
    expect(document.querySelectorAll('chat-sdk-widget')).toHaveLength(1);
  });
});

describe('instance', () => {
  it('open/close/toggle emit open and close events; on() returns an unsubscribe', async () => {
    const client = createFakeClient();
    inst = init({ apiKey: KEY, apiUrl: API, client });
    const seen: string[] = [];
    const off = inst.on('open', () => seen.push('open'));
    inst.on('close', () => seen.push('close'));
    await openChat(inst);
    inst.toggle();
    off();
    inst.open();
    inst.close();
    expect(seen).toEqual(['open', 'close', 'close']);
  });

  it('a throwing event handler does not break the widget', async () => {
    const c = spyConsole();
    inst = init({ apiKey: KEY, apiUrl: API, client: createFakeClient() });
    inst.on('open', () => {
      throw new Error('host bug');
    });
    expect(() => inst!.open()).not.toThrow();
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(c.error).toHaveBeenCalled();
  });

  it('send() before opening starts the client; the message is there on open', async () => {
    const client = createFakeClient();
    inst = init({ apiKey: KEY, apiUrl: API, client });
    const m = await inst.send('from code');
    expect(m?.text).toBe('from code');
    inst.open();
    await vi.waitFor(() => expect(messages()[0]?.textContent).toContain('from code'));
  });

  it('send() of invalid text resolves undefined with a warning instead of throwing', async () => {
    const c = spyConsole();
    inst = init({ apiKey: KEY, apiUrl: API, client: createFakeClient() });
    expect(await inst.send('   ')).toBeUndefined();
    expect(c.warn).toHaveBeenCalled();
  });

  it('open: true opens at start; preload connects at idle time without opening', async () => {
    const a = createFakeClient();
    inst = init({ apiKey: KEY, apiUrl: API, client: a, open: true });
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    await vi.waitFor(() => expect(a.calls.connect).toBe(1));
    inst.destroy();

    const b = createFakeClient();
    inst = init({ apiKey: KEY, apiUrl: API, client: b, preload: true });
    expect(b.calls.getState + b.calls.connect).toBe(0);
    await vi.waitFor(() => expect(b.calls.connect).toBe(1));
    expect(dialog()).toBeUndefined();
  });
});

describe('preload', () => {
  it('warms up through requestIdleCallback when there is one, and destroy() cancels it', async () => {
    const ric = vi.fn((cb: () => void) => setTimeout(cb, 0) as unknown as number);
    const cic = vi.fn();
    vi.stubGlobal('requestIdleCallback', ric);
    vi.stubGlobal('cancelIdleCallback', cic);
    try {
      const a = createFakeClient();
      inst = init({ apiKey: KEY, apiUrl: API, client: a, preload: true });
      expect(ric).toHaveBeenCalledTimes(1);
      expect(a.calls.connect).toBe(0);
      await vi.waitFor(() => expect(a.calls.connect).toBe(1));
      inst.destroy();
      inst = init({ apiKey: KEY, apiUrl: API, client: createFakeClient(), preload: true });
      inst.destroy();
      expect(cic).toHaveBeenCalledWith(ric.mock.results[1]!.value);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('lazy start and the real client', () => {
  it('makes no request and reads no storage until the visitor opens the widget', async () => {
    const backend = fresh();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const getItem = vi.spyOn(Storage.prototype, 'getItem');
    inst = init({ apiKey: KEY, apiUrl: API });
    expect(button('Open chat')).not.toBeNull();
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(getItem).not.toHaveBeenCalled();
    expect(backend.calls).toEqual([]);
    inst.open();
    await vi.waitFor(() => expect(backend.count('POST', '/visitors/')).toBe(1));
  });

  it('talks to the backend: sends, streams the answer, persists across destroy/init', async () => {
    const backend = fresh();
    const local = new MemoryStorage();
    const tab = new MemoryStorage();
    backend.setReply((t) => ['**Sure**', ', you said ', t]);
    inst = init({ apiKey: KEY, apiUrl: API, localStorage: local, sessionStorage: tab });
    await openChat(inst);
    type('hello widget');
    key(textbox(), 'Enter');
    await vi.waitFor(() => expect(messages().at(-1)?.dataset.status).toBe('sent'), { timeout: 3000 });
    const [q, a] = messages();
    expect(q!.dataset.author).toBe('visitor');
    expect(a!.dataset.author).toBe('assistant');
    expect(a!.textContent).toContain('you said hello widget');
    expect(backend.chats[0]!.body.message).toBe('hello widget');

    inst.destroy();
    expect(host()).toBeNull();
    inst = init({ apiKey: KEY, apiUrl: API, localStorage: local, sessionStorage: tab });
    await openChat(inst);
    await vi.waitFor(() => expect(messages()).toHaveLength(2));
  });
});

describe('destroy', () => {
  it('removes every element, window/document listener and timer', async () => {
    fresh();
    const added = new Map<unknown, number>();
    for (const target of [window, document] as EventTarget[]) {
      const add = target.addEventListener.bind(target);
      const remove = target.removeEventListener.bind(target);
      vi.spyOn(target, 'addEventListener').mockImplementation((t, fn, o) => {
        added.set(fn, (added.get(fn) ?? 0) + 1);
        add(t, fn, o);
      });
      vi.spyOn(target, 'removeEventListener').mockImplementation((t, fn, o) => {
        added.set(fn, (added.get(fn) ?? 0) - 1);
        remove(t, fn, o);
      });
    }
    const timers = new Set<unknown>();
    const st = window.setTimeout.bind(window);
    const ct = window.clearTimeout.bind(window);
    vi.spyOn(window, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const id = st(() => {
        timers.delete(id);
        fn();
      }, ms);
      timers.add(id);
      (id as any).stack = new Error().stack;
      return id;
    }) as any);
    vi.spyOn(window, 'clearTimeout').mockImplementation((id) => {
      timers.delete(id);
      ct(id);
    });

    inst = init({ apiKey: KEY, apiUrl: API, localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage(), open: true });
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    type('hi');
    key(textbox(), 'Enter');
    inst.close();
    inst.open();
    inst.destroy();
    expect(host()).toBeNull();
    expect([...added.values()].filter((n) => n > 0)).toEqual([]);
    // The in-flight request was aborted; its timeout timer goes with it.
    await vi.waitFor(() => expect([...timers].map((t: any) => t.stack)).toEqual([]));
    expect(getInstance()).toBeNull();
    // A later init starts clean.
    inst = init({ apiKey: KEY, apiUrl: API, localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage() });
    expect(document.querySelectorAll('chat-sdk-widget')).toHaveLength(1);
    expect(button('Open chat')).not.toBeNull();
  });
});
