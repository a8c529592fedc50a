// The script build's stand-in for ./live (vite.config.ts swaps it in for dist/chat-sdk.js): live updates
// load from dist/chat-sdk-live.js, next to the script, once the current chat has a session to watch. A
// page view where nobody chats never downloads them; the ES module build bundles ./live itself.
// The file uses this bundle's copies of the helpers it shares with the client (core/live-handoff.ts).
import { readEnvelope } from './api';
import { importAsset } from './asset-url';
import { toChatError } from './errors';
import type { createLive as createRealLive, Live } from './live';
import type * as LiveFile from './live-entry';
import { backoffDelay, MAX_RETRY_DELAY_MS } from './retry';
import { AUTHORS, isRecord, readAgent, readAttachments, str } from './transcript';
import type { Presence } from './types';

export const LIVE_FILE = 'chat-sdk-live.js';

export function createLive(...args: Parameters<typeof createRealLive>): Live {
  const [config, , , host, signal] = args;
  let presence: Presence = { open: false, pageVisible: true };
  let real: Live | undefined;
  let requested = false;

  function load(): void {
    requested = true;
    importAsset<typeof LiveFile>(LIVE_FILE).then(
      (module) => {
        if (signal.aborted) return;
        module.provide({ readEnvelope, toChatError, backoffDelay, MAX_RETRY_DELAY_MS, AUTHORS, isRecord, readAgent, readAttachments, str });
        real = module.createLive(...args);
        real.presence(presence);
        real.check();
      },
      (error: unknown) => console.warn(`[ChatSDK] Live updates are off: ${LIVE_FILE} did not load (${String(error)}).`),
    );
  }

  return {
    check() {
      if (real) return real.check();
      const chat = host.chat();
      if (!requested && config.live !== 'off' && !signal.aborted && chat?.sessionId && chat.visitorId) load();
    },
    presence(next) {
      presence = { open: next.open === true, pageVisible: next.pageVisible !== false };
      real?.presence(next);
    },
    attended: () => (real ? real.attended() : presence.open && presence.pageVisible),
    online: () => real?.online(),
    typing: (on) => real?.typing(on),
    stop: () => real?.stop(),
  };
}
