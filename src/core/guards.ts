// Type guards for what comes from the network and from storage: neither is trusted.

export const isString = (value: unknown): value is string => typeof value === 'string';

/** A JSON object: not null, not an array. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
