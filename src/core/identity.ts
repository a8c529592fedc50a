// Who the visitor is: identify() sends contact details and a signed-in user's id to the backend, and
// remembers per device that they were given (the contact form is then not asked again).
import type { Connectivity } from './connectivity';
import { contactProblem } from './contact';
import { ChatError } from './errors';
import { isRecord, isString } from './guards';
import type { Sessions } from './sessions';
import { readRecord, writeRecord, type SafeStorage } from './storage';
import type { VisitorAttributes } from './types';
import type { Api, VisitorUpdate } from './wire/api';

/** Who `identify()` said the visitor is, per device. */
interface Profile {
  visitorId: string;
  identified: boolean;
  externalUserId?: string;
}

const isProfile = (value: unknown): value is Profile =>
  isRecord(value) &&
  isString(value.visitorId) &&
  typeof value.identified === 'boolean' &&
  (value.externalUserId === undefined || isString(value.externalUserId));

const invalid = (message: string): ChatError => new ChatError('invalid-input', message);

export interface Identity {
  /** Where the profile is stored: another tab changing it means load() again. */
  readonly key: string;
  /** Read the stored profile (start-up, and when another tab changed it). */
  load(): void;
  /** This visitor gave a name, email or phone. */
  isIdentified(visitorId: string | null): boolean;
  identify(attributes: VisitorAttributes, signature: string | undefined, signal: AbortSignal): Promise<void>;
  forget(): void;
}

export interface IdentityOptions {
  api: Api;
  sessions: Sessions;
  connectivity: Connectivity;
  storage: SafeStorage;
  key: string;
  /** Another signed-in user on this device: forget everything of the previous one first. */
  reset(): void;
  /** The profile changed (the snapshot's `identified`). */
  changed(): void;
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
  if (externalUserId !== undefined && (!isString(externalUserId) || !externalUserId)) throw invalid('identify(): "externalUserId" must be a non-empty string.');
  const body: VisitorUpdate = { metadata };
  if (externalUserId) body.external_user_id = externalUserId;
  if (externalUserId && signature) body.identity_signature = signature;
  return body;
}

export function createIdentity(options: IdentityOptions): Identity {
  const { api, sessions, storage, key } = options;
  let profile: Profile | null = null;

  let loaded = false;

  return {
    key,
    load() {
      profile = readRecord(storage, key, isProfile);
      // Another tab changed it: the snapshot's `identified` follows.
      if (loaded) options.changed();
      loaded = true;
    },
    isIdentified: (visitorId) => !!visitorId && profile?.visitorId === visitorId && profile.identified,
    async identify(attributes, signature, signal) {
      const body = toUpdate(attributes, signature);
      const user = body.external_user_id;
      if (user && profile?.externalUserId && profile.externalUserId !== user) options.reset();
      const id = await options.connectivity.withRetries(async () => {
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
      const before = profile?.visitorId === id ? profile : null;
      const { metadata } = body;
      const externalUserId = user || before?.externalUserId;
      profile = { visitorId: id, identified: !!(metadata.name || metadata.email || metadata.phone || before?.identified) };
      if (externalUserId) profile.externalUserId = externalUserId;
      writeRecord(storage, key, profile);
      options.changed();
    },
    forget() {
      profile = null;
      storage.removeItem(key);
    },
  };
}
