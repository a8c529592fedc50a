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

/**
 * @typedef {object} StoredMessage
 * @property {string} id
 * @property {'visitor' | 'assistant'} author
 * @property {string} text
 * @property {string} created_at
 * @property {string} [client_message_id] visitor messages
 * @property {string} [reply_to] assistant messages: the visitor message id
 */

/**
 * One question and its answer. The answer is decided when the question is stored, so a retry with
 * the same client_message_id replays exactly the same text and ids.
 * @typedef {object} Exchange
 * @property {StoredMessage} question
 * @property {StoredMessage} answer
 * @property {string} kind which canned reply (see replies.mjs)
 * @property {number} deliveries how many times it was answered (>1 means de-duplicated retries)
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
      const question = { id: randomUUID(), author: 'visitor', text, created_at: now() };
      if (clientMessageId) question.client_message_id = clientMessageId;
      /** @type {StoredMessage} */
      const response = { id: randomUUID(), author: 'assistant', text: reply.text, created_at: now(), reply_to: question.id };
      const transcript = messages.get(session.id) ?? [];
      transcript.push(question, response);
      messages.set(session.id, transcript);
      /** @type {Exchange} */
      const exchange = { question, answer: response, kind: reply.kind, deliveries: 1 };
      if (key) exchanges.set(key, exchange);
      return { exchange, duplicate: false, conflict: false };
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
