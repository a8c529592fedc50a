// @ts-check
/** In-memory visitors, sessions and messages of the reference backend. */
import { randomUUID } from 'node:crypto';

/**
 * @typedef {object} Visitor
 * @property {string} id
 * @property {string} created_at
 * @property {string} last_seen_at
 * @property {Record<string, unknown>} metadata
 */

/**
 * @typedef {object} Session
 * @property {string} id
 * @property {string} visitor_id
 * @property {string} created_at
 * @property {string} expires_at
 * @property {Record<string, unknown>} metadata
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

/** @param {{ sessionTtlMs: number }} options */
export function createStore({ sessionTtlMs }) {
  /** @type {Map<string, Visitor>} */
  const visitors = new Map();
  /** @type {Map<string, Session>} */
  const sessions = new Map();
  /** @type {Map<string, StoredMessage[]>} session id -> transcript */
  const messages = new Map();
  /** @type {Map<string, Exchange>} `${sessionId} ${clientMessageId}` -> exchange */
  const exchanges = new Map();
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
    return message;
  }

  return {
    visitors,
    sessions,
    messages,

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

    /** @param {Session} session */
    isExpired(session) {
      return Date.parse(session.expires_at) <= Date.now();
    },

    /**
     * Store a question and its answer, or return the exchange already stored for this
     * client_message_id in this session (then `duplicate` is true).
     * @param {Session} session
     * @param {{ text: string, clientMessageId?: string, answer: () => { text: string, kind: string } }} input
     * @returns {{ exchange: Exchange, duplicate: boolean, conflict: boolean }}
     *   conflict: the id was already used with a different text (nothing is stored or replayed)
     */
    recordExchange(session, { text, clientMessageId, answer }) {
      const key = clientMessageId ? `${session.id} ${clientMessageId}` : '';
      const existing = key ? exchanges.get(key) : undefined;
      if (existing) {
        if (existing.question.text !== text) return { exchange: existing, duplicate: true, conflict: true };
        existing.deliveries += 1;
        return { exchange: existing, duplicate: true, conflict: false };
      }
      const reply = answer();
      /** @type {StoredMessage} */
      const question = { id: randomUUID(), author: 'visitor', text, created_at: '' };
      if (clientMessageId) question.client_message_id = clientMessageId;
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
    },

    /** QA: every session expires now. */
    expireSessions() {
      const time = now();
      for (const session of sessions.values()) session.expires_at = time;
    },

    counts() {
      let count = 0;
      for (const list of messages.values()) count += list.length;
      return { visitors: visitors.size, sessions: sessions.size, messages: count };
    },
  };
}

/** @typedef {ReturnType<typeof createStore>} Store */

/** @param {Visitor} visitor */
export function visitorJson(visitor) {
  return { id: visitor.id, created_at: visitor.created_at, last_seen_at: visitor.last_seen_at, metadata: visitor.metadata };
}

/** @param {Session} session @param {Visitor} visitor @param {boolean} expired */
export function sessionJson(session, visitor, expired) {
  return {
    id: session.id,
    visitor: { id: visitor.id, created_at: visitor.created_at, last_seen_at: visitor.last_seen_at },
    external_user_id: null,
    created_at: session.created_at,
    expires_at: session.expires_at,
    is_active: !expired,
    metadata: session.metadata,
  };
}

/**
 * A message as the history endpoint and the WebSocket send it.
 * @param {StoredMessage} message
 */
export function historyJson(message) {
  /** @type {{ id: string, sender: Author, text: string, created_at: string, agent?: { name: string, avatar_url?: string }, response_id?: string, client_message_id?: string }} */
  const json = { id: message.id, sender: message.author, text: message.text, created_at: message.created_at };
  if (message.author === 'agent' && message.agent) {
    json.agent = { name: message.agent.name };
    if (message.agent.avatar_url) json.agent.avatar_url = message.agent.avatar_url;
  }
  if (message.author === 'assistant') json.response_id = message.id;
  if (message.client_message_id) json.client_message_id = message.client_message_id;
  return json;
}

/** @typedef {ReturnType<typeof historyJson>} HistoryMessage */
