// Only in dist/chat-sdk-extras.js, in place of 'preact' (vite.config.ts): the Preact of chat-sdk.js,
// handed over by load-extras-remote.ts while this file is evaluated.
import type * as Preact from 'preact';

type Shared = Pick<typeof Preact, 'h' | 'Component' | 'Fragment'>;
const shared = (globalThis as Record<symbol, Shared | undefined>)[Symbol.for('chatsdk.preact')];
if (!shared) throw new Error('[ChatSDK] chat-sdk-extras.js is loaded by chat-sdk.js, not on its own.');

export const { h, Component, Fragment } = shared;
