import { isRecord, isSafeId } from './guards';
import { readRecord, type SafeStorage, writeRecord } from './storage';
import type { Api } from './wire/api';

/** A stored visitor whose id could not go into a URL (`..`, a slash) is not one: a new one is made. */
const isVisitorRecord = (value: unknown): value is { id: string } => isRecord(value) && isSafeId(value.id);

/**
 * The visitor id, shared by all tabs through localStorage. Concurrent callers share one request,
 * so two sends racing at start-up create one visitor, not two.
 */
export interface VisitorManager {
  readonly key: string;
  /** The stored id, unvalidated (null when none). */
  stored(): string | null;
  /** A validated id: validates the stored one once per page, creates one when missing or unknown. */
  ensure(signal: AbortSignal): Promise<string>;
  /** The server no longer knows `staleId`: replace it (once, even if many callers report it). */
  replace(staleId: string, signal: AbortSignal): Promise<string>;
  /** Another tab stored a new id: take it as valid. */
  adopt(raw: string | null): string | null;
  forget(): void;
}

export function createVisitorManager(api: Api, storage: SafeStorage, key: string): VisitorManager {
  let validated: string | null = null;
  let inFlight: Promise<string> | null = null;

  const stored = (): string | null => readRecord(storage, key, isVisitorRecord)?.id ?? null;

  /**
   * Create a visitor, one tab at a time (Web Locks where the browser has them): tabs recovering from a
   * forgotten visitor together end with one new visitor, the others adopting it instead of making their own.
   */
  const create = (signal: AbortSignal, staleId: string | null): Promise<string> => {
    const work = async (): Promise<string> => {
      const now = stored();
      if (now && now !== staleId) {
        validated = now;
        return now;
      }
      const { id } = await api.createVisitor(signal);
      writeRecord(storage, key, { id });
      validated = id;
      return id;
    };
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    return locks ? locks.request(key, work) : work();
  };

  const shared = (work: () => Promise<string>): Promise<string> => {
    if (!inFlight) {
      inFlight = work().finally(() => {
        inFlight = null;
      });
    }
    return inFlight;
  };

  const ensure = (signal: AbortSignal): Promise<string> => {
    const current = stored();
    if (current && current === validated) return Promise.resolve(current);
    return shared(async () => {
      const id = stored();
      if (id) {
        if (await api.validateVisitor(id, signal)) {
          validated = id;
          return id;
        }
        // Another tab replaced it while we asked: theirs is fresh, take it.
        const now = stored();
        if (now && now !== id) {
          validated = now;
          return now;
        }
        storage.removeItem(key);
      }
      return create(signal, id);
    });
  };

  return {
    key,
    stored,
    ensure,
    replace(staleId, signal) {
      const current = stored();
      if (current && current !== staleId) {
        // Someone (this tab or another) already replaced it.
        return current === validated ? Promise.resolve(current) : ensure(signal);
      }
      if (validated === staleId) validated = null;
      return shared(async () => {
        const now = stored();
        if (now && now !== staleId) return now;
        storage.removeItem(key);
        return create(signal, staleId);
      });
    },
    adopt(raw) {
      if (raw === null) return stored();
      const id = stored();
      // Another tab validated or created it moments ago; asking again would only cost a request.
      if (id) validated = id;
      return id;
    },
    forget() {
      validated = null;
      storage.removeItem(key);
    },
  };
}
