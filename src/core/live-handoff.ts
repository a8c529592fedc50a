// Only in dist/chat-sdk-live.js, in place of ./api, ./errors, ./retry and ./transcript (vite.config.ts):
// the app's copies, which live-loader.ts passes to `provide` before the first createLive, so that the
// file does not carry a second copy of them. No global is involved.
import type * as Api from './api';
import type * as Errors from './errors';
import type * as Retry from './retry';
import type * as Transcript from './transcript';

export type CoreKit = Pick<typeof Api, 'readEnvelope'> &
  Pick<typeof Errors, 'toChatError'> &
  Pick<typeof Retry, 'backoffDelay' | 'MAX_RETRY_DELAY_MS'> &
  Pick<typeof Transcript, 'AUTHORS' | 'isRecord' | 'readAgent' | 'readAttachments' | 'str'>;

export let readEnvelope: CoreKit['readEnvelope'];
export let toChatError: CoreKit['toChatError'];
export let backoffDelay: CoreKit['backoffDelay'];
export let MAX_RETRY_DELAY_MS: CoreKit['MAX_RETRY_DELAY_MS'];
export let AUTHORS: CoreKit['AUTHORS'];
export let isRecord: CoreKit['isRecord'];
export let readAgent: CoreKit['readAgent'];
export let readAttachments: CoreKit['readAttachments'];
export let str: CoreKit['str'];

export function provide(kit: CoreKit): void {
  ({ readEnvelope, toChatError, backoffDelay, MAX_RETRY_DELAY_MS, AUTHORS, isRecord, readAgent, readAttachments, str } = kit);
}
