// The package from Node code that resolves modules as Node does (moduleResolution NodeNext): a server
// rendering a page imports it; init there returns a no-op widget.
import { type ChatClientOptions, type ChatMessage, createChatClient, init, version } from 'chat-sdk';
import type { ChatSDKCommand, ChatSDKGlobal } from 'chat-sdk/script';

export function renderChatPlaceholder(): string {
  const widget = init({ apiKey: 'pk_test', apiUrl: 'https://api.example.com' });
  widget.destroy();
  return `<!-- chat-sdk ${version} starts in the browser -->`;
}

export const options: ChatClientOptions = { apiKey: 'pk_test', apiUrl: 'https://api.example.com', streaming: false };
export const makeClient = () => createChatClient(options);
export const textOf = (message: ChatMessage): string => message.text;
export const command: ChatSDKCommand = ['open'];
export type Api = ChatSDKGlobal;
// @ts-expect-error: the types are real under NodeNext resolution too
export const wrong: ChatMessage = { text: 1 };
