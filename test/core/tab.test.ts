// A duplicated tab: the browser copies sessionStorage (the transcript and its outbox) into it. Each
// message must still be delivered once: the copy leaves the original's waiting messages to it.
import { describe, expect, it, vi } from 'vitest';
import { fakeTimers, flush, MemoryStorage, settled, texts, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();

/** Web Locks as browsers grant them: one holder per name; `ifAvailable` gets null when held; waiters queue. Both call forms. */
function fakeLocks() {
  const held = new Set<string>();
  /** Which tab holds each lock (the label of the tab's view of the locks, see `as`). */
  const holders = new Map<string, string>();
  const waiting = new Map<string, (() => void)[]>();
  const grant = (name: string, callback: (lock: unknown) => unknown, holder: string): Promise<unknown> => {
    held.add(name);
    holders.set(name, holder);
    const done = Promise.resolve(callback({ name }));
    void done.finally(() => {
      held.delete(name);
      holders.delete(name);
      waiting.get(name)?.shift()?.();
    });
    return done;
  };
  function request(
    this: { holder?: string } | undefined,
    name: string,
    optionsOrCallback: { ifAvailable?: boolean; signal?: AbortSignal } | ((lock: unknown) => unknown),
    maybeCallback?: (lock: unknown) => unknown,
  ) {
    const holder = this?.holder ?? '';
    const [options, callback] = typeof optionsOrCallback === 'function' ? [{}, optionsOrCallback] : [optionsOrCallback, maybeCallback!];
    if (!held.has(name)) return grant(name, callback, holder);
    if (options.ifAvailable) return Promise.resolve(callback(null));
    return new Promise((resolve, reject) => {
      const queue = waiting.get(name) ?? [];
      const waiter = () => resolve(grant(name, callback, holder));
      queue.push(waiter);
      waiting.set(name, queue);
      // An aborted request leaves the queue, as browsers do.
      options.signal?.addEventListener('abort', () => {
        queue.splice(queue.indexOf(waiter), 1);
        reject(options.signal!.reason);
      });
    });
  }
  return {
    held,
    /** Requests waiting for a lock. */
    waiting: () => [...waiting.values()].reduce((count, queue) => count + queue.length, 0),
    request,
    /** The same locks as seen from the tab `holder` (each tab has its own navigator.locks). */
    as: (holder: string) => ({ holder, request }),
    /** The locks `holder` holds, by name. */
    heldBy: (holder: string) => [...holders].flatMap(([name, by]) => (by === holder ? [name] : [])).sort(),
  };
}

/**
 * Browsers offline, with locks; `online()` brings them back. A first tab's window is open; `open(label)` opens
 * another (its own window and navigator, the locks shared): a client started after it belongs to that tab.
 */
function browserTabs() {
  const locks = fakeLocks();
  const browser = { onLine: false };
  const windows: EventTarget[] = [];
  const open = (label: string) => {
    const win = new EventTarget();
    windows.push(win);
    vi.stubGlobal('window', win);
    vi.stubGlobal('navigator', {
      get onLine() {
        return browser.onLine;
      },
      locks: locks.as(label),
    });
    return {
      /** This tab's page goes (pagehide) or comes back (pageshow); `persisted`: into or out of the back/forward cache. */
      transition: (name: string, persisted: boolean) => win.dispatchEvent(Object.assign(new Event(name), { persisted })),
    };
  };
  const first = open('original');
  return {
    locks,
    open,
    transition: first.transition,
    online() {
      browser.onLine = true;
      for (const win of windows) win.dispatchEvent(new Event('online'));
    },
  };
}

const duplicate = (storage: MemoryStorage): MemoryStorage => Object.assign(new MemoryStorage(), { map: new Map(storage.map) });

/** A tab with a message waiting (offline), and its duplicate, started. */
async function duplicatedWhileWaiting() {
  const backend = fresh();
  const browser = browserTabs();
  const original = make();
  await original.client.send('typed offline');
  await flush();
  browser.open('copy');
  const copy = make({}, { local: original.local, tab: duplicate(original.tab) });
  expect(texts(copy.client.getState().messages)).toEqual(['visitor:typed offline:queued']);
  await flush();
  return { backend, browser, original, copy };
}

describe('a duplicated tab', () => {
  it('does not send the original’s waiting message: the original delivers it once, and the copy can still send its own', async () => {
    const { backend, browser, original, copy } = await duplicatedWhileWaiting();
    browser.online();
    await settled(original.client, 2);
    await copy.client.send('typed in the copy');
    await vi.waitFor(() =>
      expect(texts(copy.client.getState().messages)).toEqual([
        'visitor:typed offline:queued', // the original's: the copy learns it went out from the history
        'visitor:typed in the copy:sent',
        'assistant:You said: typed in the copy:sent',
      ]),
    );
    expect(backend.chats.map((chat) => chat.body.message)).toEqual(['typed offline', 'typed in the copy']);
  });

  it('delivers the copied message itself when the original closes first', async () => {
    const { backend, browser, original, copy } = await duplicatedWhileWaiting();
    original.client.destroy(); // the tab closed: its lock is free
    await flush();
    browser.online();
    const messages = await settled(copy.client, 2);
    expect(texts(messages)).toEqual(['visitor:typed offline:sent', 'assistant:You said: typed offline:sent']);
    expect(backend.chats).toHaveLength(1);
  });

  it('the original reloads (or moves on within the site) after it was copied: the message still goes once', async () => {
    const { backend, browser, original, copy } = await duplicatedWhileWaiting();
    original.client.destroy(); // the original's page unloads: the copy takes the outbox over and keeps the id
    browser.open('next page');
    const next = make({}, { local: original.local, tab: original.tab }); // the original tab's next page
    expect(texts(next.client.getState().messages)).toEqual(['visitor:typed offline:queued']);
    await flush();
    browser.online();
    await settled(copy.client, 2);
    await vi.waitFor(() => expect(backend.chats).toHaveLength(1));
    await flush();
    expect(backend.chats.map((chat) => chat.body.message)).toEqual(['typed offline']);
  });

  it('a page back from the back/forward cache whose copy took its messages over while it was away does not send them', async () => {
    fakeTimers();
    const { backend, browser, original, copy } = await duplicatedWhileWaiting();
    const { locks } = browser;
    // The copy waits 500 ms for the id it read (the original holds it), then takes an id of its own and queues
    // for the original's.
    const [originalId] = locks.heldBy('original');
    expect(originalId).toMatch(/^chat-sdk:tab:/);
    expect(locks.heldBy('copy')).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    await flush();
    const [copyId] = locks.heldBy('copy');
    expect(copyId).toMatch(/^chat-sdk:tab:/);
    expect(copyId).not.toBe(originalId);
    expect(locks.heldBy('original')).toEqual([originalId]);
    expect(locks.waiting()).toBe(1);
    browser.transition('pagehide', true); // the original into the cache: the copy gets its id
    await flush();
    expect(locks.heldBy('original')).toEqual([]);
    expect(locks.heldBy('copy')).toEqual([copyId, originalId].sort()); // the copy holds both now
    expect(locks.waiting()).toBe(0);
    browser.transition('pageshow', true); // back: its id is the copy's now
    await flush();
    expect(locks.waiting()).toBe(1); // the original asks for it back...
    await vi.advanceTimersByTimeAsync(499);
    await flush();
    expect(locks.waiting()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(locks.waiting()).toBe(0); // ...and gives up after 500 ms
    expect(locks.heldBy('original')).toEqual([]);
    expect(locks.heldBy('copy')).toEqual([copyId, originalId].sort());
    browser.online();
    await settled(copy.client, 2);
    await flush();
    expect(backend.chats).toHaveLength(1);
    expect(texts(original.client.getState().messages)).toEqual(['visitor:typed offline:queued']);
  });

  it('a reload is not a copy: the tab holds its id again and resumes its outbox at once', async () => {
    const backend = fresh();
    const browser = browserTabs();
    const first = make();
    await first.client.send('typed offline');
    await flush();
    first.client.destroy(); // the page unloads
    const reloaded = make({}, { local: first.local, tab: first.tab });
    reloaded.client.getState();
    await flush();
    browser.online();
    await settled(reloaded.client, 2);
    expect(backend.chats).toHaveLength(1);
    expect([...browser.locks.held]).toHaveLength(1);
  });

  it('a page in the back/forward cache lets go of its tab id (the next page of the site in this tab takes it), and takes it back when shown', async () => {
    fresh();
    const browser = browserTabs();
    const { client } = make();
    client.getState();
    await flush();
    const [name] = [...browser.locks.held];
    expect(name).toMatch(/^chat-sdk:tab:/);
    browser.transition('pagehide', true);
    await flush();
    expect([...browser.locks.held]).toEqual([]);
    browser.transition('pageshow', true);
    await flush();
    expect([...browser.locks.held]).toEqual([name]);
    browser.transition('pagehide', false); // unloading for good: the browser frees it with the page
    await flush();
    expect([...browser.locks.held]).toEqual([name]);
  });
});
