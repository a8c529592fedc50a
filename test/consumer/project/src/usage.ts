// A user's code against the packed package, compiled by npm run test:consumer: the headless core, the widget
// and the event types. The @ts-expect-error lines prove the types are real (they fail if anything is `any`).
import {
  ATTACHMENT_TYPES,
  type ChatClient,
  type ChatClientEvents,
  ChatError,
  type ChatMessage,
  type ChatState,
  createChatClient,
  init,
  type MessageStatus,
  OptionError,
  version,
  type WidgetEvents,
  type WidgetInstance,
  type WidgetOptions,
} from 'chat-sdk';

const client: ChatClient = createChatClient({ apiKey: 'pk_test', apiUrl: 'https://api.example.com', streaming: true, live: 'websocket' });
const statuses: MessageStatus[] = [];
const offMessage = client.on('message', ({ chatId, message, sender }) => {
  const m: ChatMessage = message;
  statuses.push(m.status);
  console.log(chatId, sender, m.author, m.text.length, m.stopped === true);
});
const offError = client.on('error', ({ error, messageId }) => console.warn(error.code, error.retryable, messageId));
const unsubscribe = client.subscribe((state: ChatState) => console.log(state.messages.length, state.unread, state.connection));
const sent: Promise<ChatMessage> = client.send('Hello');
void sent.catch((error: unknown) => {
  if (error instanceof ChatError) console.warn(error.code, error.status, error.retryable);
});
offMessage();
offError();
unsubscribe();
client.destroy();

const options: WidgetOptions = {
  apiKey: 'pk_test',
  apiUrl: 'https://api.example.com',
  title: 'Acme support',
  position: 'left',
  theme: 'dark',
};
const widget: WidgetInstance = init(options);
const onOpen = (_event: WidgetEvents['open']) => console.log('opened');
widget.on('open', onOpen);
widget.on('unread', ({ count }) => console.log(count.toFixed(0)));
widget.on('agent-typing', (event: ChatClientEvents['agent-typing']) => console.log(event.isTyping, event.name));
void widget.send('Hi').then((message) => message?.id);
widget.open();
widget.destroy();

console.log(version.length, ATTACHMENT_TYPES, OptionError.name);

// @ts-expect-error: not an option
init({ apiKey: 'k', apiUrl: 'u', colour: 'red' });
// @ts-expect-error: not an event
widget.on('opened', () => undefined);
// @ts-expect-error: apiUrl is required
createChatClient({ apiKey: 'k' });
