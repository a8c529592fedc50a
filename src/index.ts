// The ES module entry (dist/chat-sdk.mjs): the headless core, and the widget on top of it. The window
// is a chunk of its own, imported when the visitor reaches for the chat.
import { startWidget, type WidgetInstance, type WidgetOptions } from './widget';

export { ATTACHMENT_TYPES, ChatError, createChatClient, OptionError } from './core';
export type * from './core/types';
export type { WidgetEventName, WidgetEvents, WidgetInstance, WidgetOptions } from './widget';
export { version } from './widget';

/** Start the widget (the same as the script tag's `ChatSDK.init`). */
export const init = (options: WidgetOptions): WidgetInstance => startWidget(options, () => import('./widget/app'));
