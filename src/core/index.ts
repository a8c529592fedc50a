export { createChatClient } from './client';
export { ChatError } from './errors';
export { OptionError } from './options';
export type * from './types';
export { ATTACHMENT_TYPES } from './files';
