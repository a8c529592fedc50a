// @ts-check
/**
 * The body of `PATCH /api/chats/visitors/{id}/`: contact details the visitor typed (or the site
 * knows), and optionally the signed-in user's id with its identity signature. Everything is checked
 * before anything is stored, so a refused request changes nothing.
 */
import { HttpError } from './http.mjs';

/** Most keys one request may set, and most the visitor's metadata may grow to. */
export const MAX_METADATA_KEYS = 50;
/** Longest metadata value, in characters. */
export const MAX_METADATA_VALUE = 500;
const MAX_METADATA_KEY = 100;
const MAX_EXTERNAL_USER_ID = 255;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ()-]{5,20}$/;

/**
 * @typedef {object} VisitorPatch
 * @property {Record<string, string>} metadata merged shallowly into the visitor's (empty: no change)
 * @property {{ userId: string, signature: string | null } | null} identity null when not given
 */

/**
 * @param {Record<string, unknown>} body
 * @returns {VisitorPatch}
 */
export function parseVisitorPatch(body) {
  const { metadata, external_user_id: userId, identity_signature: signature } = body;
  const hasUser = userId !== undefined && userId !== null;
  if (hasUser && (typeof userId !== 'string' || userId === '' || userId.length > MAX_EXTERNAL_USER_ID)) {
    throw new HttpError(400, `Field 'external_user_id' must be a string of 1 to ${MAX_EXTERNAL_USER_ID} characters`);
  }
  if (signature !== undefined && signature !== null) {
    if (typeof signature !== 'string') throw new HttpError(400, "Field 'identity_signature' must be a string");
    if (!hasUser) throw new HttpError(400, "Field 'identity_signature' needs 'external_user_id' (the id it signs)");
  }
  return {
    metadata: parseMetadata(metadata),
    identity: hasUser ? { userId: /** @type {string} */ (userId), signature: typeof signature === 'string' ? signature : null } : null,
  };
}

/** @param {unknown} metadata */
function parseMetadata(metadata) {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new HttpError(400, "Field 'metadata' must be an object");
  const entries = Object.entries(metadata);
  if (entries.length > MAX_METADATA_KEYS) throw new HttpError(400, `Field 'metadata' may have at most ${MAX_METADATA_KEYS} keys`);
  for (const [key, value] of entries) {
    if (key === '' || key.length > MAX_METADATA_KEY) {
      throw new HttpError(400, `Metadata keys must be 1 to ${MAX_METADATA_KEY} characters`);
    }
    if (typeof value !== 'string' || value.length > MAX_METADATA_VALUE) {
      throw new HttpError(400, `metadata.${key} must be a string of at most ${MAX_METADATA_VALUE} characters`);
    }
  }
  const { email, phone } = /** @type {Record<string, string>} */ (metadata);
  if (email !== undefined && !EMAIL.test(email)) throw new HttpError(400, 'metadata.email is not an email address');
  if (phone !== undefined && !(PHONE.test(phone) && (phone.match(/[0-9]/g) ?? []).length >= 5)) {
    throw new HttpError(400, 'metadata.phone is not a phone number (digits, spaces, ( ) - and an optional leading +; at least 5 digits)');
  }
  // fromEntries defines own properties, so a "__proto__" key stays plain data when merged later.
  return Object.fromEntries(/** @type {Array<[string, string]>} */ (entries));
}

/**
 * The visitor's metadata after the merge, or a 400 when new keys would take it past the cap
 * (rewriting existing keys is always allowed).
 * @param {Record<string, unknown>} current
 * @param {Record<string, string>} patch
 */
export function mergeMetadata(current, patch) {
  const merged = { ...current, ...patch };
  const added = Object.keys(patch).filter((key) => !Object.hasOwn(current, key)).length;
  if (added > 0 && Object.keys(merged).length > MAX_METADATA_KEYS) {
    throw new HttpError(400, `Visitor metadata may have at most ${MAX_METADATA_KEYS} keys; this would make ${Object.keys(merged).length}`);
  }
  return merged;
}
