// @ts-check
/**
 * Main-thread busy time from a Chromium trace (categories `toplevel` + `blink.user_timing`):
 * the union of top-level task intervals on the renderer main thread that emitted our
 * `performance.mark()`s, clipped to windows between two marks.
 */

export const TRACE_CATEGORIES = ['toplevel', 'blink.user_timing', '__metadata'];

/**
 * @param {Buffer} buffer the JSON that browser.stopTracing() returns
 * @param {string} markPrefix
 */
export function parseTrace(buffer, markPrefix) {
  const parsed = JSON.parse(buffer.toString('utf8'));
  /** @type {any[]} */
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  /** @type {Map<string, number>} mark name -> ts (µs) */
  const marks = new Map();
  let pid = -1;
  let tid = -1;
  for (const e of events) {
    if (typeof e.name === 'string' && e.name.startsWith(markPrefix) && String(e.cat).includes('user_timing')) {
      if (!marks.has(e.name)) marks.set(e.name, e.ts);
      pid = e.pid;
      tid = e.tid;
    }
  }
  if (pid === -1) {
    // No marks: fall back to the busiest renderer main thread.
    const names = new Map();
    for (const e of events)
      if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') names.set(`${e.pid}:${e.tid}`, 0);
    for (const e of events) {
      const k = `${e.pid}:${e.tid}`;
      if (e.ph === 'X' && names.has(k)) names.set(k, names.get(k) + (e.dur ?? 0));
    }
    const best = [...names.entries()].sort((a, b) => b[1] - a[1])[0];
    if (best) [pid, tid] = best[0].split(':').map(Number);
  }
  /** @type {Array<[number, number]>} */
  const tasks = [];
  for (const e of events) {
    if (e.pid === pid && e.tid === tid && e.ph === 'X' && String(e.cat).split(',').includes('toplevel') && e.dur > 0) {
      tasks.push([e.ts, e.ts + e.dur]);
    }
  }
  tasks.sort((a, b) => a[0] - b[0]);
  /** @type {Array<[number, number]>} union of nested/overlapping tasks */
  const busy = [];
  for (const t of tasks) {
    const last = busy[busy.length - 1];
    if (last && t[0] <= last[1]) last[1] = Math.max(last[1], t[1]);
    else busy.push([t[0], t[1]]);
  }
  return {
    marks,
    /** Busy ms between two timestamps (µs). */
    busyMs(/** @type {number} */ from, /** @type {number} */ to) {
      let sum = 0;
      for (const [a, b] of busy) {
        if (b <= from) continue;
        if (a >= to) break;
        sum += Math.min(b, to) - Math.max(a, from);
      }
      return sum / 1000;
    },
    /** Tasks longer than `ms` between two timestamps (µs), as durations in ms. */
    longTasks(/** @type {number} */ from, /** @type {number} */ to, ms = 50) {
      return busy.filter(([a, b]) => a >= from && a < to && (b - a) / 1000 > ms).map(([a, b]) => (b - a) / 1000);
    },
    span: busy.length ? [busy[0][0], busy[busy.length - 1][1]] : [0, 0],
  };
}

/**
 * Long top-level tasks that ran a script whose URL contains `urlPart` (trace with `devtools.timeline`): the
 * tasks a script is to blame for, whatever else the page was doing around them.
 * @param {Buffer} buffer the JSON that browser.stopTracing() returns
 * @param {string} urlPart
 * @returns {number[]} their durations in ms
 */
export function longTasksRunning(buffer, urlPart, ms = 50) {
  const parsed = JSON.parse(buffer.toString('utf8'));
  /** @type {any[]} */
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const ours = events.filter((e) => e.ph === 'X' && String(e.args?.data?.url ?? e.args?.data?.scriptName ?? '').includes(urlPart));
  return events
    .filter((e) => e.ph === 'X' && e.name === 'RunTask' && e.dur / 1000 > ms)
    .filter((t) => ours.some((e) => e.pid === t.pid && e.tid === t.tid && e.ts >= t.ts && e.ts < t.ts + t.dur))
    .map((t) => t.dur / 1000);
}
