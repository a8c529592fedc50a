// @ts-check
/** Small numeric helpers for the bench. */

/** @param {number[]} xs */
export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/**
 * Median of every numeric leaf over runs: [{a:1,b:{c:2}}, {a:3,b:{c:4}}] -> {a:2,b:{c:3}}.
 * Arrays and strings are taken from the first run.
 * @param {any[]} runs
 */
export function medianOf(runs) {
  const first = runs[0];
  if (typeof first === 'number' || first === null) return median(runs);
  if (typeof first !== 'object' || Array.isArray(first)) return first;
  /** @type {Record<string, any>} */
  const out = {};
  for (const key of Object.keys(first)) out[key] = medianOf(runs.map((r) => r?.[key]));
  return out;
}

/** @param {number | null | undefined} x @param {number} [digits] */
export const round = (x, digits = 1) => (x == null || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);
