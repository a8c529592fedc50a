// Type guards for what comes from the network and from storage: neither is trusted.

export const isString = (value: unknown): value is string => typeof value === 'string';

/** A JSON object: not null, not an array. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An id the server gave (or storage kept) that can go into a URL path as one segment: letters, digits
 * and `_ - . : ~ @`, not starting with a dot (`..` would climb out of the path), at most 200 characters.
 */
export const isSafeId = (id: unknown): id is string => isString(id) && /^[\w-][\w.:~@-]{0,199}$/.test(id);
