// Which tab owns the chats in this tab's sessionStorage. Browsers copy sessionStorage into a duplicated
// tab (window.open, "Duplicate tab"), outbox and all: without an owner both tabs would deliver the
// messages still waiting. Each tab holds a Web Lock named after its tab id for its life; a copy finds the
// id it read already held, takes a new one, and leaves the copied outbox to the original until the
// original's lock is free (that tab closed first).
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
}

const lockName = (id: string): string => `chat-sdk:tab:${id}`;

/** Claim this tab's id (kept in `storage` under `key`) until `signal` aborts. */
export async function claimTab(storage: SafeStorage, key: string, locks: TabLocks | undefined, signal: AbortSignal): Promise<TabClaim> {
  const stored = storage.getItem(key);
  const own: TabClaim = { copy: false, originalGone: Promise.resolve() };
  if (!locks) return own;
  const held = new Promise<void>((release) => signal.addEventListener('abort', () => release(), { once: true }));
  /** Hold `id`'s lock for this tab's life: false when another tab holds it. */
  const hold = (id: string): Promise<boolean> =>
    new Promise<boolean>((resolve, reject) => {
      locks
        .request(lockName(id), { ifAvailable: true }, (lock) => {
          resolve(lock !== null);
          return lock === null ? undefined : held;
        })
        .catch(reject);
    });
  try {
    if (stored && (await hold(stored))) return own;
    const id = nanoid();
    storage.setItem(key, id);
    await hold(id);
    if (!stored) return own;
    // Granted once the original lets go; released at once (this tab holds its own id).
    const originalGone = locks
      .request(lockName(stored), { signal }, () => undefined)
      .then(
        () => undefined,
        () => new Promise<void>(() => undefined),
      );
    return { copy: true, originalGone };
  } catch {
    // Locks refused (an opaque origin, a sandboxed frame): act as the original, as without locks.
    return own;
  }
}
