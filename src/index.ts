// The ES module entry (dist/chat-sdk.mjs): the headless core, and the widget on top of it.
export { createChatClient, ChatError, OptionError, ATTACHMENT_TYPES } from './core';
export { init } from './widget';
export type * from './core/types';
export type { WidgetOptions, WidgetInstance, WidgetEvents } from './widget';
