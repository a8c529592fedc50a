// An in-memory ChatClient for deterministic UI tests: the test drives every state change.
import type {
  Attachment,
  ChatClient,
  ChatClientEvents,
  ChatMessage,
  ChatState,
  MessageError,
  Presence,
  UploadOptions,
  VisitorAttributes,
} from '../../src/core/types';

export interface FakeClient extends ChatClient {
  calls: {
    getState: number;
    connect: number;
    send: string[];
    /** The attachments of each send (empty when none). */
    attachments: Attachment[][];
    retry: string[];
    stop: number;
    newChat: number;
    destroy: number;
    presence: Presence[];
    typing: boolean[];
    identify: VisitorAttributes[];
    feedback: [string, string, string | undefined][];
    reset: number;
    switchChat: string[];
  };
  /** Uploads started, each with its file and options; the test settles them. */
  uploads: { file: Blob & { name?: string }; options: UploadOptions; resolve(a: Attachment): void; reject(e: unknown): void }[];
  /** Add a message as if it arrived from the server (counted as unread like the core does). */
  arrive(message: ChatMessage): void;
  /** Replace the current chat's messages. */
  setMessages(messages: ChatMessage[]): void;
  patch(id: string, patch: Partial<ChatMessage>): void;
  /** Append text to the streaming answer. */
  chunk(text: string): void;
  /** Complete the streaming answer. */
  finish(): void;
  setState(patch: Partial<ChatState>): void;
  /** How `send` behaves: `stream` (default) adds a sent visitor message and a streaming answer. */
  mode: 'stream' | 'queued' | 'fail';
  listenerCount(): number;
}

let seq = 0;
export const msg = (
  author: ChatMessage['author'],
  text: string,
  status: ChatMessage['status'] = 'sent',
  extra: Partial<ChatMessage> = {},
): ChatMessage => ({
  id: `m${++seq}`,
  author,
  text,
  status,
  createdAt: new Date(0).toISOString(),
  ...extra,
});

export function createFakeClient(maxLength = 4000): FakeClient {
  let state: ChatState = {
    visitorId: null,
    status: 'idle',
    currentChatId: 'c1',
    chats: [],
    messages: [],
    error: null,
    unread: 0,
    agentTyping: null,
    connection: 'online',
    identified: false,
  };
  const subs = new Set<(s: ChatState) => void>();
  const handlers = new Map<string, Set<(e: any) => void>>();
  const emit = <K extends keyof ChatClientEvents>(name: K, e: ChatClientEvents[K]) => {
    for (const handler of handlers.get(name) ?? []) handler(e);
  };
  const set = (patch: Partial<ChatState>) => {
    state = { ...state, ...patch };
    // One chat holding the messages, unless the test set several (then the current one follows the messages).
    const current = { id: state.currentChatId, createdAt: '', messages: [...state.messages] };
    const chats =
      patch.chats ??
      (state.chats.length > 1 ? state.chats.map((c) => (c.id === current.id ? { ...c, messages: current.messages } : c)) : [current]);
    state = { ...state, chats };
    for (const subscriber of subs) subscriber(state);
  };
  const setMessages = (messages: ChatMessage[]) => set({ messages });
  const patch = (id: string, p: Partial<ChatMessage>) => {
    setMessages(state.messages.map((m) => (m.id === id ? { ...m, ...p } : m)));
    const m = state.messages.find((x) => x.id === id);
    if (m) emit('message', { chatId: state.currentChatId, message: m, sender: m.author });
  };
  // Like the core: assistant and agent messages that complete while not open-and-visible are unread.
  let presence: Presence = { open: false, pageVisible: true };
  const count = (m?: ChatMessage) => {
    if (m && m.author !== 'visitor' && m.status === 'sent' && !(presence.open && presence.pageVisible)) {
      set({ unread: state.unread + 1 });
      emit('unread', { count: state.unread });
    }
  };
  const streamingId = () => state.messages.find((m) => m.status === 'streaming')?.id;
  const fake: FakeClient = {
    mode: 'stream',
    calls: {
      getState: 0,
      connect: 0,
      send: [],
      attachments: [],
      retry: [],
      stop: 0,
      newChat: 0,
      destroy: 0,
      presence: [],
      typing: [],
      identify: [],
      feedback: [],
      reset: 0,
      switchChat: [],
    },
    uploads: [],
    getState() {
      fake.calls.getState++;
      return state;
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    on(name, fn) {
      let set = handlers.get(name);
      if (!set) {
        set = new Set();
        handlers.set(name, set);
      }
      set.add(fn);
      return () => set!.delete(fn);
    },
    async connect() {
      fake.calls.connect++;
      if (!state.visitorId) set({ visitorId: 'v1' });
      emit('ready', { visitorId: 'v1' });
      return 'v1';
    },
    async send(text, options) {
      const attachments = options?.attachments ?? [];
      if ((!text.trim() && !attachments.length) || text.length > maxLength) {
        throw Object.assign(new Error(`Messages are limited to ${maxLength} characters.`), { code: 'invalid-input' });
      }
      fake.calls.send.push(text);
      fake.calls.attachments.push(attachments);
      if (fake.mode === 'queued') {
        const v = msg('visitor', text, 'queued');
        setMessages([...state.messages, v]);
        return v;
      }
      if (fake.mode === 'fail') {
        const error: MessageError = { code: 'http', message: 'Server error (500)', status: 500, retryable: true };
        const v = msg('visitor', text, 'failed', { error });
        setMessages([...state.messages, v]);
        emit('error', { error, messageId: v.id });
        return v;
      }
      const v = msg('visitor', text, 'sent');
      setMessages([...state.messages, v, msg('assistant', '', 'streaming', { replyTo: v.id })]);
      set({ status: 'streaming' });
      return v;
    },
    async retry(id) {
      fake.calls.retry.push(id);
      const m = state.messages.find((x) => x.id === id);
      if (!m) return;
      if (m.author === 'visitor') {
        patch(id, { status: 'sent', error: undefined });
        setMessages([...state.messages, msg('assistant', '', 'streaming', { replyTo: id })]);
      } else patch(id, { status: 'streaming', text: '', error: undefined });
      set({ status: 'streaming' });
    },
    stop() {
      fake.calls.stop++;
      const id = streamingId();
      if (id) patch(id, { status: 'sent', stopped: true });
      set({ status: 'idle' });
    },
    async newChat() {
      fake.calls.newChat++;
      set({ currentChatId: `c${++seq}`, messages: [] });
      emit('chat', { chatId: state.currentChatId });
      return state.currentChatId;
    },
    switchChat(id) {
      fake.calls.switchChat.push(id);
      const chat = state.chats.find((c) => c.id === id);
      if (chat) set({ currentChatId: id, messages: chat.messages });
    },
    upload(file, options = {}) {
      return new Promise<Attachment>((resolve, reject) => fake.uploads.push({ file, options, resolve, reject }));
    },
    async feedback(id, rating, comment) {
      fake.calls.feedback.push([id, rating, comment]);
      patch(id, { feedback: comment ? { rating, comment } : { rating } });
      emit('feedback', { chatId: state.currentChatId, messageId: id, rating, ...(comment ? { comment } : {}) });
    },
    async identify(attributes) {
      fake.calls.identify.push(attributes);
      if (attributes.name || attributes.email || attributes.phone) set({ identified: true });
    },
    reset() {
      fake.calls.reset++;
      set({ visitorId: null, messages: [], identified: false, unread: 0 });
    },
    setPresence(p) {
      fake.calls.presence.push(p);
      presence = p;
      if (p.open && p.pageVisible && state.unread) set({ unread: 0 });
    },
    markRead() {},
    setTyping(t) {
      fake.calls.typing.push(t);
    },
    arrive(m) {
      setMessages([...state.messages, m]);
      emit('message', { chatId: state.currentChatId, message: m, sender: m.author });
      count(m);
    },
    destroy() {
      fake.calls.destroy++;
      subs.clear();
      handlers.clear();
    },
    setMessages,
    patch,
    chunk(text) {
      const id = streamingId();
      const m = state.messages.find((x) => x.id === id);
      if (m) patch(m.id, { text: m.text + text });
    },
    finish() {
      const id = streamingId();
      if (id) patch(id, { status: 'sent' });
      set({ status: 'idle' });
      count(state.messages.find((m) => m.id === id));
    },
    setState: set,
    listenerCount: () => subs.size + [...handlers.values()].reduce((n, s) => n + s.size, 0),
  };
  return fake;
}
