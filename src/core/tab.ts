// Which tab owns the chats in this tab's sessionStorage. Browsers copy sessionStorage into a duplicated
// tab (window.open, "Duplicate tab"), outbox and all: without an owner both tabs would deliver the
// messages still waiting. Each tab holds a Web Lock named after its tab id; a copy finds the id it read
// already held, takes a new one, and leaves the copied outbox to the original until the original's lock
// is free. It then keeps that lock too: the original's page may only have reloaded or moved on within the
// site, and its next page, finding its id held, leaves the outbox to the copy in turn.
import { nanoid } from 'nanoid';
import type { SafeStorage } from './storage';

/** The part of the Web Locks API used here (absent in Node and in old browsers: every tab is an original). */
export interface TabLocks {
  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

export interface TabClaim {
  /** This tab is a copy of another, still open. */
  copy: boolean;
  /** A copy: resolves when the original is gone (closed, or navigated away) and its outbox is this tab's. */
  originalGone: Promise<void>;
  /**
   * Let go of the id while the page sits in the back/forward cache (a lock held there would evict the
   * page as soon as the site's next page in this tab asks for it), and take it back when it is shown:
   * false when another page holds it by then (a copy took the outbox over meanwhile).
   */
  pause(): void;
  resume(): Promise<boolean>;
}

const lockName = (id: string): string => `chat-sdk:tab:${id}`;
/** How long a page waits for its tab's lock before it counts another page as holding it. */
const WAIT_MS = 500;

/** Claim this tab's id (kept in `storage` under `key`) until `signal` aborts. */
export async function claimTab(storage: SafeStorage, key: string, locks: TabLocks | undefined, signal: AbortSignal): Promise<TabClaim> {
  let release: (() => void) | undefined;
  let ownId = storage.getItem(key);
  /** The lock's callback: held until paused (the own id) or destroyed. */
  const holdOwn = (): Promise<void> =>
    new Promise<void>((done) => {
      release = () => {
        release = undefined;
        done();
      };
    });
  const holdForLife = (): Promise<void> => new Promise<void>((done) => signal.addEventListener('abort', () => done(), { once: true }));
  /**
   * Hold `id`'s lock, waiting up to `waitMs` for it (not `ifAvailable`: the lock of a page that just
   * unloaded, or that went into the back/forward cache, may still be on its way out): false when another
   * tab holds it.
   */
  const hold = (id: string, waitMs: number): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const gaveUp = new AbortController();
      const timer = setTimeout(() => gaveUp.abort(), waitMs);
      locks!
        .request(lockName(id), { signal: gaveUp.signal }, () => {
          clearTimeout(timer);
          resolve(true);
          return signal.aborted ? undefined : holdOwn();
        })
        .catch(() => resolve(false));
    });
  const claim: TabClaim = {
    copy: false,
    originalGone: Promise.resolve(),
    pause: () => release?.(),
    resume: () => (!locks || !ownId || release || signal.aborted ? Promise.resolve(true) : hold(ownId, WAIT_MS)),
  };
  signal.addEventListener('abort', claim.pause, { once: true });
  if (!locks) return claim;
  try {
    const stored = ownId;
    if (stored && (await hold(stored, WAIT_MS))) return claim;
    ownId = nanoid();
    storage.setItem(key, ownId);
    await hold(ownId, WAIT_MS);
    if (!stored) return claim;
    // Granted once the original's page lets go; kept, so the original's next page defers to this tab.
    const originalGone = new Promise<void>((resolve) => {
      locks
        .request(lockName(stored), { signal }, () => {
          resolve();
          return holdForLife();
        })
        .catch(() => undefined);
    });
    return { ...claim, copy: true, originalGone };
  } catch {
    // Locks refused (an opaque origin, a sandboxed frame): act as the original, as without locks.
    return claim;
  }
}
