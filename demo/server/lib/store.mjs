// @ts-check
/** In-memory visitors, sessions and messages of the reference backend. */
import { randomUUID } from 'node:crypto';

/**
 * @typedef {object} Visitor
 * @property {string} id
 * @property {string} created_at
 * @property {string} last_seen_at
 * @property {Record<string, unknown>} metadata
 * @property {string} [external_user_id] the site's user id, set only with a valid identity signature
 * @property {string} [identity_verified_at] when that signature was checked
 */

/**
 * @typedef {object} Session
 * @property {string} id
 * @property {string} visitor_id
 * @property {string} created_at
 * @property {string} expires_at
 * @property {Record<string, unknown>} metadata
 * @property {string} [closed_at] set when an agent ended the chat: its history stays readable, chat requests get 404
 */

/** @typedef {'visitor' | 'assistant' | 'agent' | 'system'} Author */

/**
 * A message of a transcript. Only published messages are in `store.messages` (the history): visitor,
 * agent and system messages at once, an assistant answer once it has been delivered (see
 * `publishAnswer`). `created_at` is stamped at publication from a monotonic clock, so it is strictly
 * increasing across the whole store and `since` never skips or repeats a message.
 * @typedef {object} StoredMessage
 * @property {string} id for an assistant answer this is also its `response_id`
 * @property {Author} author serialized as `sender` in the history
 * @property {string} text
 * @property {string} created_at '' until published
 * @property {string} [client_message_id] visitor messages
 * @property {string} [reply_to] assistant messages: the visitor message id
 * @property {{ name: string, avatar_url?: string }} [agent] agent messages
 * @property {AttachmentRef[]} [attachments] visitor messages sent with files
 * @property {Feedback} [feedback] assistant and agent messages the visitor rated
 */

/**
 * A file as messages refer to it (and as the API sends it): the bytes stay in the attachment store.
 * @typedef {object} AttachmentRef
 * @property {string} id
 * @property {string} url absolute, on this server
 * @property {string} name
 * @property {number} size bytes
 * @property {string} content_type
 */

/**
 * @typedef {AttachmentRef & { session_id: string, visitor_id: string, created_at: string, data: Buffer }} Attachment
 */

/**
 * The visitor's rating of an answer; a later rating replaces it.
 * @typedef {object} Feedback
 * @property {'up' | 'down'} rating
 * @property {string} [comment]
 * @property {string} rated_at
 */

/**
 * One question and its answer. The answer is decided when the question is stored, so a retry with
 * the same client_message_id replays exactly the same text and ids.
 * @typedef {object} Exchange
 * @property {StoredMessage} question
 * @property {StoredMessage} answer the whole answer (replayed on retries); its history copy is made at publication
 * @property {string} kind which canned reply (see replies.mjs)
 * @property {number} deliveries how many times it was answered (>1 means de-duplicated retries)
 * @property {StoredMessage | null} published the answer's copy in the history, once published
 */

const now = () => new Date().toISOString();

/**
 * @param {{ sessionTtlMs: number, maxAttachmentBytes?: number }} options maxAttachmentBytes: total
 *   bytes of stored files; past it the oldest files are forgotten (their links then answer 404)
 */
export function createStore({ sessionTtlMs, maxAttachmentBytes = 200 * 1024 * 1024 }) {
  /** @type {Map<string, Visitor>} */
  const visitors = new Map();
  /** @type {Map<string, Session>} */
  const sessions = new Map();
  /** @type {Map<string, StoredMessage[]>} session id -> transcript */
  const messages = new Map();
  /** @type {Map<string, Exchange>} `${sessionId} ${clientMessageId}` -> exchange */
  const exchanges = new Map();
  /** @type {Map<string, { sessionId: string, message: StoredMessage }>} history message id -> where it is */
  const byId = new Map();
  /** @type {Map<string, Attachment>} oldest first (Map order), which is the eviction order */
  const attachments = new Map();
  let attachmentBytes = 0;
  let lastStampMs = 0;

  /** Now, as ISO 8601, strictly later than every stamp before it (ties are bumped by 1 ms). */
  function stamp() {
    const ms = Math.max(Date.now(), lastStampMs + 1);
    lastStampMs = ms;
    return new Date(ms).toISOString();
  }

  /** @param {string} sessionId @param {StoredMessage} message */
  function append(sessionId, message) {
    message.created_at = stamp();
    const transcript = messages.get(sessionId) ?? [];
    transcript.push(message);
    messages.set(sessionId, transcript);
    byId.set(message.id, { sessionId, message });
    return message;
  }

  return {
    visitors,
    sessions,
    messages,
    attachments,

    /** @param {Record<string, unknown>} metadata */
    createVisitor(metadata) {
      const time = now();
      /** @type {Visitor} */
      const visitor = { id: randomUUID(), created_at: time, last_seen_at: time, metadata };
      visitors.set(visitor.id, visitor);
      return visitor;
    },

    /** Look up a visitor and mark it seen. @param {string} id */
    touchVisitor(id) {
      const visitor = visitors.get(id);
      if (visitor) visitor.last_seen_at = now();
      return visitor;
    },

    /**
     * Apply a checked PATCH: new metadata, and the user id once its signature was verified.
     * @param {Visitor} visitor
     * @param {{ metadata: Record<string, unknown>, externalUserId?: string }} change
     */
    updateVisitor(visitor, { metadata, externalUserId }) {
      visitor.metadata = metadata;
      if (externalUserId !== undefined) {
        visitor.external_user_id = externalUserId;
        visitor.identity_verified_at = now();
      }
      return visitor;
    },

    /** @param {Visitor} visitor @param {Record<string, unknown>} metadata */
    createSession(visitor, metadata) {
      const created = Date.now();
      /** @type {Session} */
      const session = {
        id: randomUUID(),
        visitor_id: visitor.id,
        created_at: new Date(created).toISOString(),
        expires_at: new Date(created + sessionTtlMs).toISOString(),
        metadata,
      };
      sessions.set(session.id, session);
      messages.set(session.id, []);
      return session;
    },

    /**
     * An agent ends the chat (once; later calls keep the first time). Returns whether it was open.
     * @param {Session} session
     */
    closeSession(session) {
      if (session.closed_at) return false;
      session.closed_at = stamp();
      return true;
    },

    /** @param {Session} session */
    isExpired(session) {
      return Date.parse(session.expires_at) <= Date.now();
    },

    /**
     * Store a question and its answer, or return the exchange already stored for this
     * client_message_id in this session (then `duplicate` is true).
     * @param {Session} session
     * @param {{ text: string, clientMessageId?: string, attachments?: AttachmentRef[], answer: () => { text: string, kind: string } }} input
     * @returns {{ exchange: Exchange, duplicate: boolean, conflict: boolean }}
     *   conflict: the id was already used with a different text or other files (nothing is stored or replayed)
     */
    recordExchange(session, { text, clientMessageId, attachments: files = [], answer }) {
      const key = clientMessageId ? `${session.id} ${clientMessageId}` : '';
      const existing = key ? exchanges.get(key) : undefined;
      if (existing) {
        const sameFiles = fileIds(existing.question.attachments) === fileIds(files);
        if (existing.question.text !== text || !sameFiles) return { exchange: existing, duplicate: true, conflict: true };
        existing.deliveries += 1;
        return { exchange: existing, duplicate: true, conflict: false };
      }
      const reply = answer();
      /** @type {StoredMessage} */
      const question = { id: randomUUID(), author: 'visitor', text, created_at: '' };
      if (clientMessageId) question.client_message_id = clientMessageId;
      if (files.length) question.attachments = files;
      append(session.id, question);
      /** @type {StoredMessage} */
      const response = { id: randomUUID(), author: 'assistant', text: reply.text, created_at: '', reply_to: question.id };
      /** @type {Exchange} */
      const exchange = { question, answer: response, kind: reply.kind, deliveries: 1, published: null };
      if (key) exchanges.set(key, exchange);
      return { exchange, duplicate: false, conflict: false };
    },

    /**
     * Put an exchange's answer into the history, once: with the whole text when it was delivered,
     * or with the text sent so far when its stream was cut or aborted. Later calls (retries that
     * replay it) change nothing and return null.
     * @param {Session} session
     * @param {Exchange} exchange
     * @param {string} [text] defaults to the whole answer
     * @returns {StoredMessage | null} the new history message
     */
    publishAnswer(session, exchange, text = exchange.answer.text) {
      if (exchange.published || !messages.has(session.id)) return null;
      exchange.published = append(session.id, { ...exchange.answer, text });
      return exchange.published;
    },

    /**
     * Store a message from a human agent, or a system note.
     * @param {Session} session
     * @param {{ author: 'agent' | 'system', text: string, agent?: { name: string, avatar_url?: string } }} input
     */
    addMessage(session, { author, text, agent }) {
      /** @type {StoredMessage} */
      const message = { id: randomUUID(), author, text, created_at: '' };
      if (author === 'agent' && agent) message.agent = agent;
      return append(session.id, message);
    },

    /**
     * Keep an uploaded file, forgetting the oldest ones while the total would pass the cap.
     * @param {Omit<Attachment, 'created_at'>} file
     */
    addAttachment(file) {
      for (const [id, old] of attachments) {
        if (attachmentBytes + file.size <= maxAttachmentBytes) break;
        attachments.delete(id);
        attachmentBytes -= old.size;
      }
      /** @type {Attachment} */
      const stored = { ...file, created_at: now() };
      attachments.set(stored.id, stored);
      attachmentBytes += stored.size;
      return stored;
    },

    /** A history message by id, with its session id. @param {string} id */
    findMessage(id) {
      return byId.get(id);
    },

    /**
     * Store (or replace) the visitor's rating of a message.
     * @param {StoredMessage} message
     * @param {{ rating: 'up' | 'down', comment?: string }} rating
     */
    rateMessage(message, { rating, comment }) {
      message.feedback = comment ? { rating, comment, rated_at: now() } : { rating, rated_at: now() };
      return message.feedback;
    },

    /**
     * The history of a session created strictly after `sinceMs`, oldest first.
     * @param {string} sessionId
     * @param {number} [sinceMs] -Infinity for all
     */
    messagesSince(sessionId, sinceMs = -Infinity) {
      return (messages.get(sessionId) ?? []).filter((m) => Date.parse(m.created_at) > sinceMs);
    },

    /** QA: the backend lost every visitor (e.g. a database reset). */
    forgetVisitors() {
      visitors.clear();
      sessions.clear();
      messages.clear();
      exchanges.clear();
      byId.clear();
      attachments.clear();
      attachmentBytes = 0;
    },

    /** QA: every session expires now. */
    expireSessions() {
      const time = now();
      for (const session of sessions.values()) session.expires_at = time;
    },

    counts() {
      let count = 0;
      for (const list of messages.values()) count += list.length;
      return { visitors: visitors.size, sessions: sessions.size, messages: count, attachments: attachments.size };
    },
  };
}

/** @typedef {ReturnType<typeof createStore>} Store */

/** Attachment ids in order, to compare two messages' files. @param {AttachmentRef[] | undefined} files */
function fileIds(files) {
  return (files ?? []).map((file) => file.id).join(' ');
}

/** @param {Visitor} visitor */
export function visitorJson(visitor) {
  /** @type {{ id: string, created_at: string, last_seen_at: string, metadata: Record<string, unknown>, external_user_id?: string }} */
  const json = { id: visitor.id, created_at: visitor.created_at, last_seen_at: visitor.last_seen_at, metadata: visitor.metadata };
  if (visitor.external_user_id !== undefined) json.external_user_id = visitor.external_user_id;
  return json;
}

/** What a message or the upload answer says about a file (never its bytes). @param {AttachmentRef} file */
export function attachmentJson(file) {
  return { id: file.id, url: file.url, name: file.name, size: file.size, content_type: file.content_type };
}

/** @param {Session} session @param {Visitor} visitor @param {boolean} expired */
export function sessionJson(session, visitor, expired) {
  return {
    id: session.id,
    visitor: { id: visitor.id, created_at: visitor.created_at, last_seen_at: visitor.last_seen_at },
    external_user_id: visitor.external_user_id ?? null,
    created_at: session.created_at,
    expires_at: session.expires_at,
    is_active: !expired && !session.closed_at,
    closed_at: session.closed_at ?? null,
    metadata: session.metadata,
  };
}

/**
 * A message as the history endpoint and the WebSocket send it.
 * @param {StoredMessage} message
 */
export function historyJson(message) {
  /** @type {{ id: string, sender: Author, text: string, created_at: string, agent?: { name: string, avatar_url?: string }, response_id?: string, client_message_id?: string, attachments?: AttachmentRef[] }} */
  const json = { id: message.id, sender: message.author, text: message.text, created_at: message.created_at };
  if (message.author === 'agent' && message.agent) {
    json.agent = { name: message.agent.name };
    if (message.agent.avatar_url) json.agent.avatar_url = message.agent.avatar_url;
  }
  if (message.author === 'assistant') json.response_id = message.id;
  if (message.client_message_id) json.client_message_id = message.client_message_id;
  if (message.attachments?.length) json.attachments = message.attachments.map(attachmentJson);
  return json;
}

/** @typedef {ReturnType<typeof historyJson>} HistoryMessage */
