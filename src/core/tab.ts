// Which tab owns the chats in this tab's sessionStorage. Browsers copy sessionStorage into a duplicated
// tab (window.open, "Duplicate tab"), outbox and all: without an owner both tabs would deliver the
// messages still waiting. Each tab holds a Web Lock named after its tab id; a copy finds the id it read
// already held, takes a new one, and leaves the copied outbox to the original until the original's lock
// is free (that tab closed first).
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
   * page as soon as the site's next page in this tab asks for it), and take it back when it is shown.
   */
  pause(): void;
  resume(): void;
}

const lockName = (id: string): string => `chat-sdk:tab:${id}`;
const never = new Promise<void>(() => undefined);

/** Claim this tab's id (kept in `storage` under `key`) until `signal` aborts. */
export async function claimTab(storage: SafeStorage, key: string, locks: TabLocks | undefined, signal: AbortSignal): Promise<TabClaim> {
  let release: (() => void) | undefined;
  let ownId = storage.getItem(key);
  const claim: TabClaim = {
    copy: false,
    originalGone: Promise.resolve(),
    pause: () => release?.(),
    resume: () => void (locks && ownId && !release && !signal.aborted && hold(ownId).catch(() => undefined)),
  };
  signal.addEventListener('abort', claim.pause, { once: true });
  /** Hold `id`'s lock until paused or destroyed: false when another tab holds it. */
  const hold = (id: string): Promise<boolean> =>
    new Promise<boolean>((resolve, reject) => {
      locks!
        .request(lockName(id), { ifAvailable: true }, (lock) => {
          resolve(lock !== null);
          if (lock === null || signal.aborted) return;
          return new Promise<void>((done) => {
            release = () => {
              release = undefined;
              done();
            };
          });
        })
        .catch(reject);
    });
  if (!locks) return claim;
  try {
    const stored = ownId;
    if (stored && (await hold(stored))) return claim;
    ownId = nanoid();
    storage.setItem(key, ownId);
    await hold(ownId);
    if (!stored) return claim;
    // Granted once the original lets go; released at once (this tab holds its own id).
    const originalGone = locks
      .request(lockName(stored), { signal }, () => undefined)
      .then(
        () => undefined,
        () => never,
      );
    return { ...claim, copy: true, originalGone };
  } catch {
    // Locks refused (an opaque origin, a sandboxed frame): act as the original, as without locks.
    return claim;
  }
}
