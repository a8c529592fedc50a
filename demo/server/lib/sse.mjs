// @ts-check
/** Writes an answer as a real `text/event-stream`, chunk by chunk, and notices when the client leaves. */

/**
 * @typedef {'done' | 'aborted' | 'cut'} StreamEnd
 * - done: the `done: true` event was written and the response ended
 * - aborted: the client closed the connection first (Stop button, navigation, network loss)
 * - cut: the server destroyed the socket on purpose (QA fault `cut-stream`)
 */

/**
 * @param {import('node:http').ServerResponse} res
 * @param {object} options
 * @param {string[]} options.chunks
 * @param {Record<string, unknown> | null} options.ids `message_id`, `response_id` and `session_id`, sent on the
 *   first event (so a client keys the answer at once, even if it is stopped) and on the `done: true` event;
 *   null sends none (QA fault `no-stream-ids`)
 * @param {boolean} options.lastInDone send the last chunk inside the `done: true` event
 * @param {boolean} options.splitBytes write each event as two Buffers cut inside a multi-byte character
 * @param {number} options.delayMs between chunks
 * @param {number} [options.eventsPerTick] events written back to back before each pause (1)
 * @param {number} options.firstDelayMs before the first chunk (QA fault `slow`)
 * @param {number | null} options.cutAfter destroy the socket after this many chunks (QA fault `cut-stream`)
 * @param {Set<() => void>} options.cancels registry so the server's close() can stop pending timers
 * @param {(end: StreamEnd, sentChunks: number) => void} options.onEnd
 * @param {string[]} [options.suggestions] follow-up questions, on the `done: true` event only
 */
export function streamAnswer(res, options) {
  const { chunks, ids, lastInDone, splitBytes, delayMs, firstDelayMs, cutAfter, cancels, onEnd } = options;
  const eventsPerTick = Math.max(1, options.eventsPerTick ?? 1);
  /** @type {Array<Record<string, unknown>>} */
  const events = chunks.map((chunk) => ({ chunk, done: false }));
  const last = lastInDone && events.length > 0 ? events.pop() : undefined;
  /** @type {Array<Record<string, unknown>>} */
  const all = [
    ...events,
    { chunk: last ? last.chunk : '', done: true, ...ids, ...(options.suggestions && { suggestions: options.suggestions }) },
  ];
  // The first event names the ids too (when it is not the `done` event already).
  if (ids && all.length > 1) all[0] = { ...all[0], ...ids };

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no', // tells nginx-style proxies not to buffer, as a production backend should
  });
  res.flushHeaders();
  res.socket?.setNoDelay(true); // each write leaves as its own TCP segment, so splits reach the client

  let index = 0;
  let ended = false;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;

  /** @param {StreamEnd} end */
  const finish = (end) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    cancels.delete(cancel);
    onEnd(end, Math.min(index, all.length));
  };
  const cancel = () => finish('aborted');
  cancels.add(cancel);

  res.on('close', () => {
    if (!res.writableFinished) finish('aborted');
  });

  /** @param {() => void} fn @param {number} ms */
  const later = (fn, ms) => {
    timer = setTimeout(() => {
      if (!ended && !res.destroyed) fn();
    }, ms);
  };

  const step = () => {
    if (cutAfter !== null && index >= cutAfter) {
      finish('cut');
      res.socket?.destroy();
      return;
    }
    const event = all[index++];
    const bytes = Buffer.from(`data: ${JSON.stringify(event)}\n\n`, 'utf8');
    const next = () => {
      if (index >= all.length) {
        res.end(() => finish('done'));
      } else if (index % eventsPerTick !== 0 && !splitBytes && !ended && !res.destroyed) {
        step(); // the next event of this tick, at once
      } else {
        later(step, delayMs);
      }
    };
    if (splitBytes) {
      const at = splitOffset(bytes);
      res.write(bytes.subarray(0, at));
      later(
        () => {
          res.write(bytes.subarray(at));
          next();
        },
        Math.max(2, Math.min(10, delayMs / 3)),
      );
    } else {
      res.write(bytes);
      next();
    }
  };

  later(step, firstDelayMs);
}

/**
 * A byte offset inside the first multi-byte UTF-8 character (after its lead byte), or the middle of
 * the buffer for ASCII-only events, which then still splits the line itself.
 * @param {Buffer} bytes
 */
function splitOffset(bytes) {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    if (byte >= 0xc0) return i + 1;
  }
  return Math.max(1, Math.floor(bytes.length / 2));
}
