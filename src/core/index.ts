export { createChatClient } from './client';
export { ChatError } from './errors';
export { ATTACHMENT_TYPES } from './files';
export { OptionError } from './options';
export type * from './types';
