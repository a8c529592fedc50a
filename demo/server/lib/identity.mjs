// @ts-check
/**
 * Identity verification for visitors who are signed-in users of the site. The site's own server
 * signs the user's id with a secret that never reaches the browser; the widget passes the id and
 * the signature on, and this API checks them. A visitor can therefore claim an `external_user_id`
 * only if the site vouched for it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The reference backend's secret when none is configured (demo only: a real site keeps its own). */
export const DEFAULT_IDENTITY_SECRET = 'demo-identity-secret';

/**
 * What the site's server computes: lowercase hex HMAC-SHA256 of the user id, keyed with the secret.
 * @param {string} secret
 * @param {string} userId the `external_user_id`
 */
export function identitySignature(secret, userId) {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/**
 * Does `signature` prove `userId`? Compared in constant time, so the response time does not tell
 * an attacker how many leading characters of a guess were right.
 * @param {string} secret
 * @param {string} userId
 * @param {string} signature
 */
export function signatureMatches(secret, userId, signature) {
  const expected = Buffer.from(identitySignature(secret, userId), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on a length mismatch; the length of a valid signature is public (64).
  return given.length === expected.length && timingSafeEqual(given, expected);
}
