import type { StorageLike } from './types';

/** Stored records carry this version; anything else is ignored as unreadable. */
export const SCHEMA_VERSION = 1;

function memoryStorage(): StorageLike {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

/**
 * Storage that never throws. Private modes, blocked third-party storage and full quotas throw on
 * access; then we keep the value in memory so the chat keeps working for this page's lifetime.
 * `onWriteError` tells the caller a write was refused, e.g. to trim and try again.
 */
export interface SafeStorage extends StorageLike {
  /** Write, returning false if the underlying storage refused it (the value is kept in memory). */
  trySetItem(key: string, value: string): boolean;
}

export function safeStorage(get: () => StorageLike | undefined): SafeStorage {
  const memory = memoryStorage();
  // Keys whose last write the real storage refused: their truth is in memory until a write succeeds.
  const inMemory = new Set<string>();
  let backend: StorageLike | undefined;
  let resolved = false;
  const real = (): StorageLike | undefined => {
    if (!resolved) {
      resolved = true;
      try {
        backend = get() ?? undefined;
      } catch {
        backend = undefined;
      }
    }
    return backend;
  };
  const trySetItem = (key: string, value: string): boolean => {
    try {
      const store = real();
      if (store) {
        store.setItem(key, value);
        inMemory.delete(key);
        // Keep a copy: some blocked storages accept writes but throw on reads, and then the value
        // we just wrote must still be readable (or every send would create a new visitor).
        memory.setItem(key, value);
        return true;
      }
    } catch {
      // refused: quota, private mode, blocked storage
    }
    inMemory.add(key);
    memory.setItem(key, value);
    return false;
  };
  return {
    getItem(key) {
      if (inMemory.has(key)) return memory.getItem(key);
      try {
        const store = real();
        if (store) return store.getItem(key);
      } catch {
        // unreadable storage: behave as empty
      }
      return memory.getItem(key);
    },
    setItem: (key, value) => void trySetItem(key, value),
    trySetItem,
    removeItem(key) {
      inMemory.delete(key);
      memory.removeItem(key);
      try {
        real()?.removeItem(key);
      } catch {
        // nothing stored there to remove
      }
    },
  };
}

/** Read a versioned JSON record; garbage, old versions and wrong shapes read as null. */
export function readRecord<T>(storage: StorageLike, key: string, isValid: (value: unknown) => value is T): T | null {
  const raw = storage.getItem(key);
  if (raw === null || raw.length > 4_000_000) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const record = parsed as { v?: unknown; data?: unknown };
    if (record.v !== SCHEMA_VERSION) return null;
    return isValid(record.data) ? record.data : null;
  } catch {
    return null;
  }
}

export function writeRecord(storage: SafeStorage, key: string, data: unknown): boolean {
  return storage.trySetItem(key, JSON.stringify({ v: SCHEMA_VERSION, data }));
}

/** Where the client keeps `kind` for one API (the widget's start-up peeks at `chats` without the core). */
export const storageKey = (kind: 'visitor' | 'chats' | 'profile' | 'reset' | 'tab' | 'teaser', apiUrl: string): string =>
  `chatsdk:${kind}:${apiUrl}`;
