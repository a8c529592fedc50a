// @ts-check
/**
 * Reference backend for the widget: the contract of docs/openapi.yaml, in memory, plus a QA control
 * API under /__qa/ that injects the faults real deployments have (slow streams, cut sockets,
 * 429/503, captive portals, lost visitors). Node's `http` only; binds to 127.0.0.1.
 */
import http from 'node:http';
import { HttpError, answerPreflight, applyCors, closer, listen, originOf, readJsonBody, sendError, sendJson } from './lib/http.mjs';
import { createRequestLog } from './lib/request-log.mjs';
import { FAULT_NAMES, createFaults, isFaultName } from './lib/faults.mjs';
import { createStore, sessionJson, visitorJson } from './lib/store.mjs';
import { chunkText, pickReply, replyOfKind } from './lib/replies.mjs';
import { streamAnswer } from './lib/sse.mjs';

/** Longest visitor message accepted, in characters (the SDK's default `maxMessageLength`). */
export const MAX_MESSAGE_LENGTH = 4000;
/** Longest `client_message_id`. */
export const MAX_CLIENT_MESSAGE_ID = 64;

const VISITOR_HINT = 'Please create a visitor first via POST /api/chats/visitors/';

/**
 * @typedef {object} ApiServerOptions
 * @property {number} [port] 0 picks a free port
 * @property {string} [host]
 * @property {string} [apiKey] the publishable key chat requests must send as X-API-Key
 * @property {number} [chunkDelayMs] pause between streamed chunks
 * @property {number} [sessionTtlMs] session lifetime (expires_at)
 */

/**
 * @typedef {object} RequestContext
 * @property {URL} url
 * @property {string[]} notes joined into the request log's `note`
 */

/**
 * @param {ApiServerOptions} [options]
 */
export async function startApiServer({
  port = 0,
  host = '127.0.0.1',
  apiKey = 'demo-key',
  chunkDelayMs = 35,
  sessionTtlMs = 24 * 60 * 60 * 1000,
} = {}) {
  const store = createStore({ sessionTtlMs });
  const faults = createFaults();
  const log = createRequestLog(500);
  /** Pending timers of open streams and slow answers, so close() ends them. */
  /** @type {Set<() => void>} */
  const cancels = new Set();

  const state = { store, faults, log, apiKey };

  const server = http.createServer((req, res) => {
    const started = Date.now();
    /** @type {RequestContext} */
    const ctx = { url: new URL(req.url ?? '/', 'http://localhost'), notes: [] };
    const quiet = req.method === 'GET' && ctx.url.pathname === '/__qa/state'; // polled twice a second
    res.on('close', () => {
      if (quiet) return;
      // setImmediate: let the stream's own 'close' handler add its note ("aborted by client") first.
      setImmediate(() => log.add({
        time: new Date(started).toISOString(),
        method: req.method ?? '',
        path: ctx.url.pathname,
        status: res.headersSent ? res.statusCode : 0,
        ms: Date.now() - started,
        note: ctx.notes.join('; ') || undefined,
      }));
    });
    handle(req, res, ctx).catch((error) => {
      if (error instanceof HttpError) {
        ctx.notes.push(error.message.length > 90 ? `${error.message.slice(0, 90)}…` : error.message);
        sendError(res, error.status, error.message, error.headers);
      } else {
        console.error('[api] unexpected error', error);
        ctx.notes.push(`bug: ${error instanceof Error ? error.message : String(error)}`);
        sendError(res, 500, 'Internal server error');
      }
    });
  });
  server.keepAliveTimeout = 5000;

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   */
  async function handle(req, res, ctx) {
    applyCors(req, res);
    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    const path = ctx.url.pathname;
    if (path.startsWith('/__qa/')) return handleQa(req, res, ctx);
    if (path.startsWith('/api/')) {
      if (injectApiFault(res, ctx)) return;
      return handleApi(req, res, ctx);
    }
    if (path === '/' && req.method === 'GET') {
      return sendJson(res, 200, { success: true, message: 'ChatSDK reference backend. See docs/openapi.yaml.' });
    }
    throw new HttpError(404, `No route for ${req.method} ${path}`);
  }

  /** Faults that hit any /api/ request before it is processed. @returns {boolean} answered */
  function injectApiFault(/** @type {http.ServerResponse} */ res, /** @type {RequestContext} */ ctx) {
    const fault = faults.takeApi();
    if (!fault) return false;
    ctx.notes.push(`QA fault ${fault.name}`);
    if (fault.name === '500-next') sendError(res, 500, 'Internal server error');
    if (fault.name === '429-next') {
      sendError(res, 429, `Too many requests. Retry in ${fault.seconds} seconds.`, { 'Retry-After': String(fault.seconds) });
    }
    if (fault.name === '503-next') {
      sendError(res, 503, 'Service temporarily unavailable. Please retry shortly.', { 'Retry-After': String(fault.seconds) });
    }
    if (fault.name === 'html-200-next') {
      const page = '<!doctype html><html><head><title>Wi-Fi login</title></head><body><h1>Welcome to Cafe Wi-Fi</h1><p>Please accept the terms to continue.</p></body></html>';
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(page)) });
      res.end(page);
    }
    return true;
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   */
  async function handleApi(req, res, ctx) {
    const path = ctx.url.pathname;
    const validate = /^\/api\/chats\/visitors\/([^/]+)\/validate\/$/.exec(path);
    if (path === '/api/chats/visitors/') {
      allow(req, 'POST');
      const body = await readJsonBody(req);
      const visitor = store.createVisitor(metadataOf(body));
      return sendJson(res, 201, {
        success: true,
        data: visitorJson(visitor),
        message: 'Visitor created successfully. Use this visitor_id to create sessions and send chat messages.',
      });
    }
    if (validate) {
      allow(req, 'GET');
      const id = decodeSegment(validate[1] ?? '');
      const visitor = store.touchVisitor(id);
      if (!visitor) throw new HttpError(404, `Visitor with ID '${id}' does not exist. ${VISITOR_HINT}`);
      return sendJson(res, 200, { success: true, data: visitorJson(visitor), message: 'Visitor ID is valid' });
    }
    if (path === '/api/chats/sessions/') {
      allow(req, 'POST');
      const body = await readJsonBody(req);
      const visitorId = body.visitor_id;
      if (typeof visitorId !== 'string' || visitorId === '') throw new HttpError(400, "Field 'visitor_id' is required");
      const visitor = store.touchVisitor(visitorId);
      if (!visitor) throw new HttpError(400, `Visitor with ID '${visitorId}' does not exist. ${VISITOR_HINT}`);
      const session = store.createSession(visitor, metadataOf(body));
      return sendJson(res, 201, { success: true, data: sessionJson(session, visitor, false), message: 'Created successfully' });
    }
    if (path === '/api/chats/messages/chat/' || path === '/api/chats/messages/chat/stream/') {
      allow(req, 'POST');
      return handleChat(req, res, ctx, path.endsWith('/stream/'));
    }
    const hint = path.endsWith('/') ? '' : ' (API paths end with a slash)';
    throw new HttpError(404, `No route for ${req.method} ${path}${hint}`);
  }

  /**
   * POST /api/chats/messages/chat/ and .../chat/stream/.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   * @param {boolean} streaming
   */
  async function handleChat(req, res, ctx, streaming) {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') throw new HttpError(401, 'Missing X-API-Key header');
    if (key !== apiKey) throw new HttpError(401, 'Invalid API key');

    const input = parseChatBody(await readJsonBody(req));

    const fault = faults.takeChat();
    if (fault) ctx.notes.push(`QA fault ${fault.name}`);
    if (fault?.name === 'session-404-next') throw new HttpError(404, `Session '${input.sessionId}' not found`);
    if (fault?.name === '403-next') throw new HttpError(403, 'Visitor does not own this session');

    // Visitor first: when both are gone (backend reset), "Visitor ... not found" leads to the right recovery.
    const visitor = store.touchVisitor(input.visitorId);
    if (!visitor) throw new HttpError(404, `Visitor '${input.visitorId}' not found. ${VISITOR_HINT}`);
    const session = store.sessions.get(input.sessionId);
    if (!session) throw new HttpError(404, `Session '${input.sessionId}' not found`);
    if (store.isExpired(session)) throw new HttpError(404, `Session '${input.sessionId}' has expired`);
    if (session.visitor_id !== visitor.id) throw new HttpError(403, 'Visitor does not own this session');

    const { exchange, duplicate, conflict } = store.recordExchange(session, {
      text: input.message,
      clientMessageId: input.clientMessageId,
      answer: () => pickReply(input.message),
    });
    if (conflict) {
      throw new HttpError(422, `client_message_id '${input.clientMessageId}' was already used with a different message`);
    }
    ctx.notes.push(duplicate ? `duplicate client_message_id, replayed (${exchange.deliveries}x)` : `reply: ${exchange.kind}`);

    if (fault?.name === 'drop-response-next') {
      // The message is stored, but the client never hears back: only a retry with the same
      // client_message_id can recover it without a duplicate.
      res.socket?.destroy();
      return;
    }

    const ids = { message_id: exchange.question.id, response_id: exchange.answer.id, session_id: session.id };
    const reply = replyOfKind(exchange.kind, exchange.answer.text);

    if (!streaming) {
      if (faults.slowMs) {
        ctx.notes.push(`slow ${faults.slowMs / 1000}s`);
        await wait(faults.slowMs, res);
      }
      return sendJson(res, 200, { success: true, data: { response: reply.text, ...ids } });
    }

    const cut = faults.takeStream();
    if (cut) ctx.notes.push('QA fault cut-stream');
    if (faults.slowMs) ctx.notes.push(`slow ${faults.slowMs / 1000}s`);
    const chunks = chunkText(reply.text);
    await new Promise((resolve) => {
      streamAnswer(res, {
        chunks,
        final: ids,
        lastInDone: reply.lastInDone,
        splitBytes: reply.splitBytes,
        delayMs: chunkDelayMs,
        firstDelayMs: faults.slowMs,
        cutAfter: cut ? Math.min(3, chunks.length - 1) : null,
        cancels,
        onEnd(end, sent) {
          const total = chunks.length + (reply.lastInDone ? 0 : 1);
          if (end === 'done') ctx.notes.push(`stream: ${sent} events, done`);
          if (end === 'aborted') ctx.notes.push(`stream aborted by client after ${sent} of ${total} events`);
          if (end === 'cut') ctx.notes.push(`socket destroyed after ${sent} of ${total} events, no done`);
          resolve(undefined);
        },
      });
    });
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   */
  async function handleQa(req, res, ctx) {
    const path = ctx.url.pathname;
    if (path === '/__qa/state') {
      allow(req, 'GET');
      const since = Number(ctx.url.searchParams.get('since') ?? 0);
      return sendJson(res, 200, {
        mode: faults.mode(),
        faults: faults.snapshot(),
        counts: store.counts(),
        lastSeq: log.lastSeq,
        log: log.since(Number.isFinite(since) ? since : 0),
      });
    }
    if (path === '/__qa/fault') {
      allow(req, 'POST');
      const body = await readJsonBody(req);
      const { fault, seconds } = body;
      if (!isFaultName(fault)) {
        throw new HttpError(400, `Unknown fault ${JSON.stringify(fault)}. Use one of: ${FAULT_NAMES.join(', ')}`);
      }
      if (seconds !== undefined && (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= 600))) {
        throw new HttpError(400, "'seconds' must be a number from 0 to 600");
      }
      applyFault(fault, seconds);
      ctx.notes.push(`set ${fault}${seconds !== undefined ? ` ${seconds}s` : ''}`);
      return sendJson(res, 200, { success: true, mode: faults.mode(), message: `Fault '${fault}' applied` });
    }
    if (path === '/__qa/reset') {
      allow(req, 'POST');
      reset();
      return sendJson(res, 200, { success: true, mode: faults.mode(), message: 'Backend reset' });
    }
    throw new HttpError(404, `No QA route ${path}`);
  }

  /** @param {import('./lib/faults.mjs').FaultName} name @param {number} [seconds] */
  function applyFault(name, seconds) {
    if (name === 'forget-visitors') store.forgetVisitors();
    else if (name === 'expire-sessions') store.expireSessions();
    else faults.set(name, seconds);
  }

  function reset() {
    store.forgetVisitors();
    faults.set('normal', undefined);
    log.clear();
  }

  const close = closer(server);
  const actualPort = await listen(server, port, host);
  const url = originOf(host, actualPort);
  return {
    url,
    port: actualPort,
    /** In-memory state for tests: `store` (visitors, sessions, messages), `faults`, `log`. */
    state,
    /** Same as POST /__qa/fault, without HTTP. */
    fault: applyFault,
    /** Same as POST /__qa/reset. */
    reset,
    /** Stop listening, end open streams and destroy every socket. */
    async close() {
      for (const cancel of [...cancels]) cancel();
      await close();
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof startApiServer>>} ApiServer */

/**
 * @param {http.IncomingMessage} req
 * @param {string} method
 */
function allow(req, method) {
  if (req.method !== method) throw new HttpError(405, `Method ${req.method} not allowed; use ${method}`, { Allow: `${method}, OPTIONS` });
}

/** @param {Record<string, unknown>} body */
function metadataOf(body) {
  const { metadata } = body;
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new HttpError(400, "Field 'metadata' must be an object");
  return /** @type {Record<string, unknown>} */ (metadata);
}

/** @param {string} segment */
function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'Malformed visitor id in path');
  }
}

/**
 * @param {Record<string, unknown>} body
 * @returns {{ message: string, sessionId: string, visitorId: string, clientMessageId?: string }}
 */
function parseChatBody(body) {
  const { message, session_id: sessionId, visitor_id: visitorId, client_message_id: clientMessageId } = body;
  if (typeof message !== 'string' || message.trim() === '') {
    throw new HttpError(400, "Field 'message' is required and must be a non-empty string");
  }
  if (message.length > MAX_MESSAGE_LENGTH) {
    throw new HttpError(400, `Field 'message' must be at most ${MAX_MESSAGE_LENGTH} characters`);
  }
  if (typeof sessionId !== 'string' || sessionId === '') throw new HttpError(400, "Field 'session_id' is required");
  if (typeof visitorId !== 'string' || visitorId === '') throw new HttpError(400, "Field 'visitor_id' is required");
  if (clientMessageId !== undefined && clientMessageId !== null) {
    if (typeof clientMessageId !== 'string' || clientMessageId === '' || clientMessageId.length > MAX_CLIENT_MESSAGE_ID) {
      throw new HttpError(400, `Field 'client_message_id' must be a string of 1 to ${MAX_CLIENT_MESSAGE_ID} characters`);
    }
    return { message, sessionId, visitorId, clientMessageId };
  }
  return { message, sessionId, visitorId };
}

/**
 * Wait, but give up early if the client leaves.
 * @param {number} ms
 * @param {http.ServerResponse} res
 */
function wait(ms, res) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}
