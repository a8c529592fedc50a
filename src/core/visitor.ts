import { linkAbort, unlessAborted } from './abort';
import { ChatError } from './errors';
import { isRecord, isSafeId } from './guards';
import { readRecord, type SafeStorage, writeRecord } from './storage';
import type { Api } from './wire/api';

/** A stored visitor whose id could not go into a URL (`..`, a slash) is not one: a new one is made. */
const isVisitorRecord = (value: unknown): value is { id: string } => isRecord(value) && isSafeId(value.id);

/**
 * The visitor id, shared by all tabs through localStorage. Concurrent callers share one request,
 * so two sends racing at start-up create one visitor, not two. That request ends with the client
 * (`lifetime`) or its own deadline; a caller's `signal` (Stop) only stops that caller's waiting.
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

export function createVisitorManager(api: Api, storage: SafeStorage, key: string, lifetime: AbortSignal): VisitorManager {
  let validated: string | null = null;
  let inFlight: { promise: Promise<string>; abort(): void } | null = null;

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

  const shared = (work: (signal: AbortSignal) => Promise<string>, waiter: AbortSignal): Promise<string> => {
    if (!inFlight) {
      const run = linkAbort(lifetime);
      const promise: Promise<string> = work(run.signal).finally(() => {
        run.unlink();
        if (inFlight?.promise === promise) inFlight = null;
      });
      inFlight = { promise, abort: () => run.abort(new ChatError('aborted', 'The visitor was forgotten.')) };
    }
    return unlessAborted(inFlight.promise, waiter);
  };

  const ensure = (waiter: AbortSignal): Promise<string> => {
    const current = stored();
    if (current && current === validated) return Promise.resolve(current);
    return shared(async (signal) => {
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
    }, waiter);
  };

  return {
    key,
    stored,
    ensure,
    replace(staleId, waiter) {
      const current = stored();
      if (current && current !== staleId) {
        // Someone (this tab or another) already replaced it.
        return current === validated ? Promise.resolve(current) : ensure(waiter);
      }
      if (validated === staleId) validated = null;
      return shared(async (signal) => {
        const now = stored();
        if (now && now !== staleId) return now;
        storage.removeItem(key);
        return create(signal, staleId);
      }, waiter);
    },
    adopt(raw) {
      if (raw === null) return stored();
      const id = stored();
      // Another tab validated or created it moments ago; asking again would only cost a request.
      if (id) validated = id;
      return id;
    },
    forget() {
      // An answer about the forgotten visitor must not reach a caller after it.
      inFlight?.abort();
      inFlight = null;
      validated = null;
      storage.removeItem(key);
    },
  };
}
