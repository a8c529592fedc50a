// @ts-check
/** Ring buffer of recent requests, read by the QA page with `?since=<seq>`. */

/**
 * @typedef {object} LogEntry
 * @property {number} seq Increases forever, also across `reset()`, so a poller never misses entries.
 * @property {string} time ISO time the request arrived.
 * @property {string} method
 * @property {string} path
 * @property {number} status 0 when the connection was closed before any status was sent.
 * @property {number} ms Until the response finished or the connection closed (whole stream for SSE).
 * @property {string} [note]
 */

/** @param {number} [limit] */
export function createRequestLog(limit = 500) {
  /** @type {LogEntry[]} */
  let entries = [];
  let seq = 0;
  return {
    /** @param {Omit<LogEntry, 'seq'>} entry */
    add(entry) {
      const full = { seq: ++seq, ...entry };
      if (!full.note) delete full.note;
      entries.push(full);
      if (entries.length > limit) entries = entries.slice(-limit);
      return full;
    },
    /** @param {number} [since] entries with a larger seq */
    since(since = 0) {
      return entries.filter((entry) => entry.seq > since);
    },
    get lastSeq() {
      return seq;
    },
    clear() {
      entries = [];
    },
  };
}

/** @typedef {ReturnType<typeof createRequestLog>} RequestLog */
