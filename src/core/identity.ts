// Who the visitor is, per device: identify() remembers that contact details were given (the contact
// form is then not asked again) and which signed-in user this device is. The request itself is
// ./identify.ts, loaded on demand.
import { isRecord, isString } from './guards';
import { readRecord, type SafeStorage, writeRecord } from './storage';

/** Who `identify()` said the visitor is, per device. */
export interface Profile {
  visitorId: string;
  identified: boolean;
  externalUserId?: string;
}

const isProfile = (value: unknown): value is Profile =>
  isRecord(value) &&
  isString(value.visitorId) &&
  typeof value.identified === 'boolean' &&
  (value.externalUserId === undefined || isString(value.externalUserId));

export interface Identity {
  /** Where the profile is stored: another tab changing it means load() again. */
  readonly key: string;
  /** Read the stored profile (start-up, and when another tab changed it). */
  load(): void;
  /** This visitor gave a name, email or phone. */
  isIdentified(visitorId: string | null): boolean;
  profile(): Profile | null;
  /** Store what identify() learned. */
  remember(profile: Profile): void;
  forget(): void;
}

/** `changed`: the profile changed (the snapshot's `identified`). */
export function createIdentity(storage: SafeStorage, key: string, changed: () => void): Identity {
  let profile: Profile | null = null;
  let loaded = false;

  return {
    key,
    load() {
      profile = readRecord(storage, key, isProfile);
      // Another tab changed it: the snapshot's `identified` follows.
      if (loaded) changed();
      loaded = true;
    },
    isIdentified: (visitorId) => !!visitorId && profile?.visitorId === visitorId && profile.identified,
    profile: () => profile,
    remember(next) {
      profile = next;
      writeRecord(storage, key, profile);
      changed();
    },
    forget() {
      profile = null;
      storage.removeItem(key);
    },
  };
}
