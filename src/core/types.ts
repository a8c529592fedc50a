/** Who wrote a message. `agent` and `system` come from backends with human agents. */
export type Author = 'visitor' | 'assistant' | 'agent' | 'system';

/**
 * Life of a message.
 * - visitor messages: `queued` (waiting for the network or an earlier message) -> `sending` -> `sent` | `failed`
 * - assistant messages: `streaming` -> `sent` | `failed` (interrupted)
 */
export type MessageStatus = 'queued' | 'sending' | 'streaming' | 'sent' | 'failed';

export type ErrorCode =
  | 'network' // the request never reached the server
  | 'timeout'
  | 'http' // the server answered with an error status
  | 'protocol' // the server answered, but not in the contract's shape
  | 'interrupted' // a stream ended before `done: true`
  | 'aborted'
  | 'storage'
  | 'invalid-input'
  | 'ui'; // the widget's window failed to draw (a bug): it offers Retry, the chat is kept

/** A plain, serialisable description of what went wrong with a message. */
export interface MessageError {
  code: ErrorCode;
  message: string;
  status?: number;
  retryable: boolean;
}

export interface ChatMessage {
  /** Local id. For visitor messages it is also the `client_message_id` sent on every attempt. */
  id: string;
  author: Author;
  text: string;
  status: MessageStatus;
  /**
   * ISO-8601 time the message was sent or received: the client's clock when it was made here, replaced by
   * the server's `created_at` once the history names the message. Stored with the chat (a reload keeps it).
   */
  createdAt: string;
  /** Assistant messages: id of the visitor message this answers. */
  replyTo?: string;
  /** Server ids: `message_id` for a visitor message, `response_id` for an answer. */
  serverId?: string;
  /** Set when the visitor pressed Stop; the text is what arrived until then. */
  stopped?: boolean;
  error?: MessageError;
  /** Agent messages: who answered. `avatarUrl` is kept only when it is an `https:` URL (show a placeholder otherwise). */
  agent?: { name: string; avatarUrl?: string };
  /** Files sent with the message (uploaded first with `upload()`), or received with a history message. */
  attachments?: Attachment[];
  /** Answers: the visitor's rating, once given (`feedback()`). */
  feedback?: Feedback;
  /**
   * A `system` line the core adds itself: `ended` marks where an agent ended the chat's session (its
   * `text` is English; the widget shows its own localized line).
   */
  notice?: 'ended';
  /**
   * Answers: follow-up questions the server offered with it (`suggestions` on the stream's `done` event or
   * the plain answer), at most 4 short texts. Stored with the chat; a UI shows them until the visitor writes.
   */
  suggestions?: string[];
}

/** An uploaded file as the server describes it (`POST /api/chats/attachments/`). `url` is http(s) only. */
export interface Attachment {
  id: string;
  url: string;
  name: string;
  size: number;
  contentType: string;
}

export interface Feedback {
  rating: 'up' | 'down';
  comment?: string;
}

/** What `identify()` sends: contact details and any other string attributes of the visitor. */
export interface VisitorAttributes {
  name?: string;
  email?: string;
  phone?: string;
  /** The site's own id of a signed-in user (`external_user_id`); verified with `signature`. */
  externalUserId?: string;
  [attribute: string]: string | undefined;
}

export interface UploadOptions {
  /** Bytes sent so far and in all, as the upload goes. */
  onProgress?: (loaded: number, total: number) => void;
  /** Cancels the upload (the promise rejects with an `aborted` ChatError). */
  signal?: AbortSignal;
}

/** One conversation: one backend session. */
export interface Chat {
  id: string;
  /** Backend session; absent until the first send (sessions are created lazily). */
  sessionId?: string;
  /** The visitor the session belongs to; a session of another visitor is never reused. */
  visitorId?: string;
  expiresAt?: string;
  createdAt: string;
  /** `created_at` of the newest server message this chat holds, verbatim: the `since` of the next history request. */
  syncedAt?: string;
  /** Answers that arrived while this chat was not in front of the visitor (the conversation list's dot). */
  unread?: number;
  /**
   * When an agent ended the chat's session (`closed_at`): set until the visitor's next message starts a
   * new session in this chat. The session is forgotten at once, so that message goes straight to a new one.
   */
  endedAt?: string;
  messages: ChatMessage[];
}

/**
 * Live updates (option `live`):
 * - `online`: the socket is open, or polling works (also while there is nothing to watch yet);
 * - `reconnecting`: the socket dropped and is being re-opened (also while it has fallen back to
 *   polling), or polling keeps failing;
 * - `offline`: the browser says it is offline.
 */
export type ConnectionState = 'online' | 'reconnecting' | 'offline';

/** What the UI tells the core about the visitor's attention (see `ChatClient.setPresence`). */
export interface Presence {
  /** The chat window is open. */
  open: boolean;
  /** The page (tab) is visible: `document.visibilityState === 'visible'`. */
  pageVisible: boolean;
}

export type ClientStatus =
  | 'idle' // nothing in flight
  | 'connecting' // creating or validating the visitor
  | 'sending'
  | 'streaming'
  | 'offline'; // the browser is offline; messages wait in the outbox

/** Immutable snapshot of everything a UI needs; a new object after every change. */
export interface ChatState {
  visitorId: string | null;
  status: ClientStatus;
  currentChatId: string;
  chats: readonly Chat[];
  /** Messages of the current chat. */
  messages: readonly ChatMessage[];
  /** The last error not tied to one message (e.g. visitor creation failed), cleared by the next success. */
  error: MessageError | null;
  /** Assistant and agent messages that arrived while the window was closed or the page hidden. */
  unread: number;
  /** An agent is typing in the current chat (`name` when the server sent one); null otherwise. */
  agentTyping: { name?: string } | null;
  /** Health of live updates; `online` when live updates are off. */
  connection: ConnectionState;
  /** The visitor gave contact details (a name, email or phone) through `identify()`; not asked again. */
  identified: boolean;
}

/** Minimal Storage shape, so tests and hosts can inject their own. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ChatClientOptions {
  /** Publishable API key sent as `X-API-Key` on chat requests. Never a secret. */
  apiKey: string;
  /** Origin the API paths hang from, e.g. `https://api.example.com`. A trailing slash does not matter. */
  apiUrl: string;
  /** Stream answers over SSE. @default true */
  streaming?: boolean;
  /** Per-request timeout in ms. @default 20000 */
  requestTimeout?: number;
  /**
   * A stream that shows no progress for this long after the request is treated as interrupted.
   * Progress is text, the answer's ids, or its end: comments and keep-alive pings are not. @default 30000
   */
  streamFirstByteTimeout?: number;
  /** A stream that then makes no progress for this long is treated as interrupted. @default 30000 */
  streamIdleTimeout?: number;
  /** A stream still going after this long is cut off as interrupted (0: no limit). @default 600000 (10 min) */
  streamMaxDuration?: number;
  /** Automatic attempts for requests that never reached the server, or got 429/503. @default 4 */
  maxRetries?: number;
  /** Longest message a visitor may send, in characters. @default 4000 */
  maxMessageLength?: number;
  /** Injected for tests and for hosts that patch fetch; read at call time. */
  fetch?: typeof fetch;
  /** Where the visitor id lives. @default window.localStorage, falling back to memory */
  localStorage?: StorageLike;
  /** Where chats and transcripts live (per tab). @default window.sessionStorage, falling back to memory */
  sessionStorage?: StorageLike;
  /**
   * How replies from human agents (and answers that arrive while the page was away) reach the chat:
   * `poll` the history endpoint, a `websocket` (falling back to polling when it keeps failing), or `off`.
   * Nothing is polled or opened before the chat has a session. @default 'poll'
   */
  live?: 'poll' | 'websocket' | 'off';
  /**
   * WebSocket URL template with `{session_id}`, `{visitor_id}` and `{api_key}` placeholders (ws: or wss:).
   * @default apiUrl with ws(s): + '/ws/chats/sessions/{session_id}/?visitor_id={visitor_id}&api_key={api_key}'
   */
  websocketUrl?: string;
  /** ms between polls while the window is open and the page visible (at least 1000). @default 3000 */
  pollInterval?: number;
  /** ms between polls while the window is closed, so the unread count moves. @default 20000 */
  pollIntervalClosed?: number;
  /** Injected for tests; otherwise `globalThis.WebSocket`, read when a socket opens. */
  WebSocket?: typeof WebSocket;
  /** Largest file `upload()` accepts, in bytes. @default 10485760 (10 MB) */
  maxFileSize?: number;
  /** Injected for tests; otherwise `globalThis.XMLHttpRequest` (uploads use it for progress events). */
  XMLHttpRequest?: typeof XMLHttpRequest;
}

export interface ChatClientEvents {
  /** The visitor is known and validated. */
  ready: { visitorId: string };
  /** A message was added or changed (also on every streamed chunk). */
  message: { chatId: string; message: ChatMessage; sender: Author };
  /** Something failed; `messageId` is set when the error belongs to one message. */
  error: { error: MessageError; messageId?: string };
  status: { status: ClientStatus };
  /** The current chat changed (new chat, or switched). */
  chat: { chatId: string };
  /** The unread count changed (0 after `markRead()` or when the window is open and the page visible). */
  unread: { count: number };
  /** An agent started or stopped typing (stops by itself 6 s after the last typing frame). */
  'agent-typing': { isTyping: boolean; name?: string };
  /** Live updates changed health. */
  connection: { state: ConnectionState };
  /** The visitor rated an answer (sent to the server). */
  feedback: { chatId: string; messageId: string } & Feedback;
  /** An agent ended a chat of this tab (heard by polling or over the socket); `endedAt` is the server's `closed_at`. */
  'chat-ended': { chatId: string; endedAt: string };
}

export type ChatClientEventName = keyof ChatClientEvents;

export interface ChatClient {
  /** Current snapshot; reads storage on first call, so start-up costs nothing until needed. */
  getState(): ChatState;
  /** Called after every change with the new snapshot. Returns an unsubscribe function. */
  subscribe(listener: (state: ChatState) => void): () => void;
  on<K extends ChatClientEventName>(name: K, handler: (event: ChatClientEvents[K]) => void): () => void;
  /** Make sure a valid visitor exists (validate the stored one or create one). Shared by concurrent callers. */
  connect(): Promise<string>;
  /**
   * Send a message in the current chat. Resolves with the visitor message once it is added to the
   * transcript (not when answered). Rejects only for invalid input (blank or too long text). With
   * `attachments` (from `upload()`), the text may be empty.
   */
  send(text: string, options?: { attachments?: Attachment[] }): Promise<ChatMessage>;
  /**
   * Upload a file for the current chat (creating its session if needed); send the result with
   * `send(text, { attachments })`. Files over `maxFileSize` or of a type outside ATTACHMENT_TYPES are
   * refused before anything is sent (`invalid-input`).
   */
  upload(file: Blob & { name?: string }, options?: UploadOptions): Promise<Attachment>;
  /** Rate an answer once (`up` or `down`, with an optional comment). Later calls for it do nothing. */
  feedback(messageId: string, rating: Feedback['rating'], comment?: string): Promise<void>;
  /**
   * Tell the backend who the visitor is: contact details, attributes, and for signed-in users
   * `externalUserId` with `signature`, the HMAC-SHA256 (hex) of that id computed by the site's server.
   * A different `externalUserId` than the one identified before on this device starts afresh (`reset()`).
   */
  identify(attributes: VisitorAttributes, options?: { signature?: string }): Promise<void>;
  /** Forget the visitor, its chats and the transcript on this device (sign-out on a shared computer). */
  reset(): void;
  /** Send a failed message again (or re-ask for an interrupted answer), with the same client_message_id. */
  retry(messageId: string): Promise<void>;
  /** Abort the answer that is streaming now, keeping what arrived. */
  stop(): void;
  /** Start a new chat with a fresh session. */
  newChat(): Promise<string>;
  /** Make an existing chat of this tab current. */
  switchChat(chatId: string): void;
  /**
   * Tell the core whether the window is open and the page visible (call on open, close and
   * `visibilitychange`). Polling follows it (fast while open and visible, slow while closed, paused
   * while hidden); open and visible clears the unread count. Until called: closed and visible.
   */
  setPresence(presence: Presence): void;
  /** Clear the unread count. */
  markRead(): void;
  /**
   * The visitor is typing (`true` on input, `false` on send or clear). Sent over the socket only
   * (live: 'websocket'): at most one `true` frame per 2 s, and `false` when typing stops (also by
   * itself 3 s after the last `true`, and on send).
   */
  setTyping(isTyping: boolean): void;
  /** Abort everything in flight (requests, sockets, timers) and remove listeners. Stored data (and queued messages) stays. */
  destroy(): void;
}
