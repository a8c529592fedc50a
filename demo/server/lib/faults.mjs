// @ts-check
/**
 * QA fault switches. Faults imitate what a real deployment does (same statuses and messages a real
 * backend or proxy would send), so the widget cannot tell them apart; only the request log says
 * "QA fault ...".
 */

/** Every fault name `POST /__qa/fault` accepts. */
export const FAULT_NAMES = /** @type {const} */ ([
  'normal',
  'slow',
  '500-next',
  '429-next',
  '503-next',
  'html-200-next',
  'session-404-next',
  '403-next',
  'cut-stream',
  'drop-response-next',
  'forget-visitors',
  'expire-sessions',
  'drop-sockets',
  'refuse-sockets',
  'history-503',
  'unreachable',
  'upload-500-next',
  'upload-slow',
  'no-stream-ids',
  'stall-body-next',
  'history-flood',
]);

/** Messages `history-flood` adds when the request names no `count`. */
export const DEFAULT_FLOOD_COUNT = 3000;
/** Most messages `history-flood` may add (its `count`). */
export const MAX_FLOOD_COUNT = 100_000;

/** @typedef {typeof FAULT_NAMES[number]} FaultName */

/** One-shot faults, grouped by the first request that consumes them. */
const ANY_API = /** @type {const} */ (['500-next', '429-next', '503-next', 'html-200-next', 'stall-body-next']);
const CHAT = /** @type {const} */ (['session-404-next', '403-next', 'drop-response-next']);
const STREAM = /** @type {const} */ (['cut-stream']);
const UPLOAD = /** @type {const} */ (['upload-500-next']);

/** @param {unknown} name @returns {name is FaultName} */
export function isFaultName(name) {
  return typeof name === 'string' && /** @type {readonly string[]} */ (FAULT_NAMES).includes(name);
}

export function createFaults() {
  /** Seconds before the first chunk of every stream (and every non-streamed answer); null = off. */
  /** @type {number | null} */
  let slowSeconds = null;
  /** Seconds every attachment upload takes at least (read slowly, then held); null = off. */
  /** @type {number | null} */
  let uploadSlowSeconds = null;
  /** Streams name no ids, neither on their first event nor on `done`. */
  let noStreamIds = false;
  /** Synthetic messages the history endpoint adds (ignoring `since`, newest first); null = off. */
  /** @type {number | null} */
  let historyFloodCount = null;
  /** Pending one-shot faults with their `seconds` (Retry-After), in the order they were set. */
  /** @type {Map<string, number>} */
  const pending = new Map();
  /** Timed faults: until when (ms since epoch) they hold. */
  let refuseSocketsUntil = 0;
  let historyErrorsUntil = 0;
  /** Until then every /api/ request has its connection cut before anything is read or stored. */
  let unreachableUntil = 0;
  /** @param {number} until */
  const secondsLeft = (until) => Math.max(0, Math.ceil((until - Date.now()) / 1000));

  /** @param {readonly string[]} names */
  function take(names) {
    for (const [name, seconds] of pending) {
      if (names.includes(name)) {
        pending.delete(name);
        return { name, seconds };
      }
    }
    return null;
  }

  return {
    /**
     * Arm a fault. `forget-visitors`, `expire-sessions` and `drop-sockets` act at once and are
     * handled by the caller.
     * @param {FaultName} name
     * @param {number | undefined} seconds
     * @param {number} [count] messages of `history-flood`
     */
    set(name, seconds, count) {
      if (name === 'normal') {
        slowSeconds = null;
        uploadSlowSeconds = null;
        noStreamIds = false;
        historyFloodCount = null;
        pending.clear();
        refuseSocketsUntil = 0;
        historyErrorsUntil = 0;
        unreachableUntil = 0;
      } else if (name === 'slow') {
        slowSeconds = seconds ?? 5;
      } else if (name === 'upload-slow') {
        uploadSlowSeconds = seconds ?? 3;
      } else if (name === 'no-stream-ids') {
        noStreamIds = true;
      } else if (name === 'history-flood') {
        historyFloodCount = count ?? DEFAULT_FLOOD_COUNT;
      } else if (name === 'refuse-sockets') {
        refuseSocketsUntil = Date.now() + (seconds ?? 10) * 1000;
      } else if (name === 'history-503') {
        historyErrorsUntil = Date.now() + (seconds ?? 10) * 1000;
      } else if (name === 'unreachable') {
        unreachableUntil = Date.now() + (seconds ?? 10) * 1000;
      } else if (name !== 'forget-visitors' && name !== 'expire-sessions' && name !== 'drop-sockets') {
        pending.set(name, seconds ?? 2);
      }
    },
    /** Seconds that new WebSocket upgrades are still refused (0 = accepted). */
    get refuseSocketsFor() {
      return secondsLeft(refuseSocketsUntil);
    },
    /** Seconds that the history endpoint still answers 503 (0 = normal). */
    get historyErrorsFor() {
      return secondsLeft(historyErrorsUntil);
    },
    /** Seconds that the API is still unreachable (0 = normal). */
    get unreachableFor() {
      return secondsLeft(unreachableUntil);
    },
    /** For any /api/ request: 500, 429, 503, a captive-portal page or a body that stalls. */
    takeApi: () => take(ANY_API),
    /** For chat requests that passed key and body checks. */
    takeChat: () => take(CHAT),
    /** For a stream that is about to start. */
    takeStream: () => take(STREAM),
    /** For an attachment upload whose body has been read. */
    takeUpload: () => take(UPLOAD),
    get slowMs() {
      return slowSeconds === null ? 0 : slowSeconds * 1000;
    },
    get uploadSlowMs() {
      return uploadSlowSeconds === null ? 0 : uploadSlowSeconds * 1000;
    },
    /** Do streams leave out every id (`no-stream-ids`)? */
    get noStreamIds() {
      return noStreamIds;
    },
    /** Synthetic messages the history endpoint adds (0 = off). */
    get historyFlood() {
      return historyFloodCount ?? 0;
    },
    /** Human summary, e.g. `normal` or `slow 5s + 500-next`. */
    mode() {
      const parts = [];
      if (slowSeconds !== null) parts.push(`slow ${slowSeconds}s`);
      if (uploadSlowSeconds !== null) parts.push(`upload-slow ${uploadSlowSeconds}s`);
      if (noStreamIds) parts.push('no-stream-ids');
      if (historyFloodCount !== null) parts.push(`history-flood ${historyFloodCount}`);
      if (secondsLeft(refuseSocketsUntil)) parts.push(`refuse-sockets (${secondsLeft(refuseSocketsUntil)}s left)`);
      if (secondsLeft(historyErrorsUntil)) parts.push(`history-503 (${secondsLeft(historyErrorsUntil)}s left)`);
      if (secondsLeft(unreachableUntil)) parts.push(`unreachable (${secondsLeft(unreachableUntil)}s left)`);
      for (const [name, seconds] of pending) {
        parts.push(name === '429-next' || name === '503-next' ? `${name} (Retry-After ${seconds})` : name);
      }
      return parts.length ? parts.join(' + ') : 'normal';
    },
    snapshot() {
      return {
        slowSeconds,
        uploadSlowSeconds,
        noStreamIds,
        historyFloodCount,
        pending: [...pending.keys()],
        refuseSocketsSeconds: secondsLeft(refuseSocketsUntil),
        historyErrorSeconds: secondsLeft(historyErrorsUntil),
      };
    },
  };
}

/** @typedef {ReturnType<typeof createFaults>} Faults */
