// identify(): contact details and a signed-in user's id, checked, then sent to the backend (PATCH
// /api/chats/visitors/{id}/). Loaded on demand: most visitors are never identified.
import type { Connectivity } from './connectivity';
import { contactProblem } from './contact';
import { ChatError } from './errors';
import { isRecord, isString } from './guards';
import type { Identity } from './identity';
import type { Sessions } from './sessions';
import type { VisitorAttributes } from './types';
import type { Api, VisitorUpdate } from './wire/api';

const invalid = (message: string): ChatError => new ChatError('invalid-input', message);

export interface IdentifyNeeds {
  api: Api;
  sessions: Sessions;
  connectivity: Connectivity;
  identity: Identity;
  /** Another signed-in user on this device: forget everything of the previous one first. */
  reset(): void;
}

/** `{ name, email, externalUserId, ... }` -> the request body, or an `invalid-input` error naming the attribute. */
function toUpdate(attributes: VisitorAttributes, signature: string | undefined): VisitorUpdate {
  if (!isRecord(attributes)) throw invalid('identify() takes an object such as { name, email }.');
  const { externalUserId, ...rest } = attributes;
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(rest)) {
    if (value === undefined || value === null) continue;
    if (!isString(value)) throw invalid(`identify(): "${name}" must be a string.`);
    metadata[name] = value.trim().slice(0, 500);
    const problem = contactProblem(name, metadata[name]!);
    if (problem) throw invalid(`identify(): ${problem}`);
  }
  if (externalUserId !== undefined && (!isString(externalUserId) || !externalUserId))
    throw invalid('identify(): "externalUserId" must be a non-empty string.');
  const body: VisitorUpdate = { metadata };
  if (externalUserId) body.external_user_id = externalUserId;
  if (externalUserId && signature) body.identity_signature = signature;
  return body;
}

export async function identify(
  needs: IdentifyNeeds,
  attributes: VisitorAttributes,
  signature: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const { api, sessions, identity } = needs;
  const body = toUpdate(attributes, signature);
  const user = body.external_user_id;
  const known = identity.profile();
  if (user && known?.externalUserId && known.externalUserId !== user) needs.reset();
  const id = await needs.connectivity.withRetries(async () => {
    let visitorId = await sessions.ensureVisitor(signal);
    try {
      await api.updateVisitor(visitorId, body, signal);
    } catch (caught) {
      // The server forgot this visitor: a new one gets the details.
      if (!ChatError.is(caught) || caught.status !== 404) throw caught;
      visitorId = await sessions.replaceVisitor(visitorId, signal);
      await api.updateVisitor(visitorId, body, signal);
    }
    return visitorId;
  }, signal);
  // What was known of this visitor stays; contact details, once given, make it identified.
  const before = identity.profile()?.visitorId === id ? identity.profile() : null;
  const { metadata } = body;
  const externalUserId = user || before?.externalUserId;
  const profile = { visitorId: id, identified: !!(metadata.name || metadata.email || metadata.phone || before?.identified) };
  identity.remember(externalUserId ? { ...profile, externalUserId } : profile);
}
