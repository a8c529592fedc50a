// Only in dist/chat-sdk-live.js, in place of ./api, ./errors, ./retry and ./transcript (vite.config.ts):
// the app's copies, handed over by live-loader.ts while this file is evaluated, so that the file does
// not carry a second copy of them.
import type * as Api from './api';
import type * as Errors from './errors';
import type * as Retry from './retry';
import type * as Transcript from './transcript';

export type CoreKit = Pick<typeof Api, 'readEnvelope'> &
  Pick<typeof Errors, 'toChatError'> &
  Pick<typeof Retry, 'backoffDelay' | 'MAX_RETRY_DELAY_MS'> &
  Pick<typeof Transcript, 'AUTHORS' | 'isRecord' | 'readAgent' | 'readAttachments' | 'str'>;

const CORE_KEY = Symbol.for('chatsdk.core');
const kit = (globalThis as Record<symbol, CoreKit | undefined>)[CORE_KEY];
if (!kit) throw new Error('[ChatSDK] chat-sdk-live.js is loaded by chat-sdk.js, not on its own.');

export const { readEnvelope, toChatError, backoffDelay, MAX_RETRY_DELAY_MS, AUTHORS, isRecord, readAgent, readAttachments, str } = kit;
