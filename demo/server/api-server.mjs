// @ts-check
/**
 * Reference backend for the widget: the contract of docs/openapi.yaml, in memory, plus a QA control
 * API under /__qa/ that injects the faults real deployments have (slow streams, cut sockets,
 * 429/503, captive portals, lost visitors). Node's `http` only; binds to 127.0.0.1.
 */

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import {
  acceptedType,
  contentDisposition,
  contentMatches,
  FORM_OVERHEAD_BYTES,
  formatSize,
  MAX_UPLOAD_BYTES,
  parseForm,
  readUpload,
  sanitizeFileName,
  typeLabel,
} from './lib/attachments.mjs';
import { createFaults, FAULT_NAMES, isFaultName, MAX_FLOOD_COUNT } from './lib/faults.mjs';
import { answerPreflight, applyCors, closer, HttpError, listen, originOf, readJsonBody, sendError, sendJson } from './lib/http.mjs';
import { DEFAULT_IDENTITY_SECRET, identitySignature, signatureMatches } from './lib/identity.mjs';
import { createLive } from './lib/live.mjs';
import { mergeMetadata, parseVisitorPatch } from './lib/profile.mjs';
import { chunkText, pickReply, replyOfKind } from './lib/replies.mjs';
import { createRequestLog } from './lib/request-log.mjs';
import { streamAnswer } from './lib/sse.mjs';
import { attachmentJson, createStore, historyJson, sessionJson, visitorJson } from './lib/store.mjs';

/** Longest visitor message accepted, in characters (the SDK's default `maxMessageLength`). */
export const MAX_MESSAGE_LENGTH = 4000;
/** Longest `client_message_id`. */
export const MAX_CLIENT_MESSAGE_ID = 64;
/** Most files one chat message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** Longest feedback comment, in characters. */
export const MAX_FEEDBACK_COMMENT = 1000;

const VISITOR_HINT = 'Please create a visitor first via POST /api/chats/visitors/';
/** Agent name used when the console or a helper does not give one. */
export const DEFAULT_AGENT_NAME = 'Olena';
const HISTORY_PATH = /^\/api\/chats\/sessions\/([^/]+)\/messages\/$/;
const VISITOR_PATH = /^\/api\/chats\/visitors\/([^/]+)\/$/;
/** A stored file: `/api/chats/attachments/{id}/{file name}` (the name only makes the URL readable). */
const ATTACHMENT_FILE_PATH = /^\/api\/chats\/attachments\/([^/]+)\/([^/]*)$/;
const FEEDBACK_PATH = /^\/api\/chats\/messages\/([^/]+)\/feedback\/$/;
const SOCKET_PATH = /^\/ws\/chats\/sessions\/([^/]+)\/$/;
/** `since`: an ISO 8601 date-time with a time zone (`Z` or an offset). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
/** What QA fault `stall-body-next` sends of its body before it stalls. */
export const STALLED_BODY_START = '{"success":true,';

/**
 * @typedef {object} ApiServerOptions
 * @property {number} [port] 0 picks a free port
 * @property {string} [host]
 * @property {string} [apiKey] the publishable key chat requests must send as X-API-Key
 * @property {number} [chunkDelayMs] pause between streamed chunks
 * @property {number} [sessionTtlMs] session lifetime (expires_at)
 * @property {boolean} [live] serve the optional history endpoint and WebSocket (default true); false
 *   answers 404 for both, like a backend that only has the core contract
 * @property {number} [pingMs] WebSocket ping interval (25 s)
 * @property {string} [identitySecret] key of the identity HMAC (`identity_signature`); the site's server
 *   holds the same one
 * @property {number} [maxUploadBytes] largest attachment (10 MiB)
 * @property {number} [maxAttachmentBytes] total bytes of stored files (200 MiB); the oldest are forgotten past it
 * @property {number} [generatedAheadChunks] chunks a stopped or cut stream had generated beyond those it sent
 *   (2): its history copy keeps them, as an LLM backend keeps what it generated; 0 keeps only what was sent
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
  live: liveEnabled = true,
  pingMs = 25_000,
  identitySecret = DEFAULT_IDENTITY_SECRET,
  maxUploadBytes = MAX_UPLOAD_BYTES,
  maxAttachmentBytes = 200 * 1024 * 1024,
  generatedAheadChunks = 2,
} = {}) {
  const store = createStore({ sessionTtlMs, maxAttachmentBytes });
  const faults = createFaults();
  const log = createRequestLog(500);
  const live = createLive({ log, pingMs });
  /** Pending timers of open streams and slow answers, and stalled bodies, so close() ends them. */
  /** @type {Set<() => void>} */
  const cancels = new Set();

  const state = { store, faults, log, apiKey, live };
  /** This server's origin, for absolute attachment URLs; known once it listens (before any request). */
  let publicUrl = '';

  const server = http.createServer((req, res) => {
    const started = Date.now();
    /** @type {RequestContext} */
    const ctx = { url: new URL(req.url ?? '/', 'http://localhost'), notes: [] };
    // Polled twice a second by the QA page, and every second by the agent console.
    const quiet = req.method === 'GET' && (ctx.url.pathname === '/__qa/state' || ctx.url.pathname.startsWith('/__agent/'));
    res.on('close', () => {
      if (quiet) return;
      // setImmediate: let the stream's own 'close' handler add its note ("aborted by client") first.
      setImmediate(() =>
        log.add({
          time: new Date(started).toISOString(),
          method: req.method ?? '',
          path: ctx.url.pathname,
          status: res.headersSent ? res.statusCode : 0,
          ms: Date.now() - started,
          note: ctx.notes.join('; ') || undefined,
        }),
      );
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
  server.on('upgrade', upgrade);

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
    if (path.startsWith('/__agent/')) return handleAgent(req, res, ctx);
    if (path.startsWith('/api/')) {
      // As if the server were gone: the connection is cut before the request is read, so nothing is stored.
      if (faults.unreachableFor) {
        ctx.notes.push('QA fault unreachable');
        res.socket?.destroy();
        return;
      }
      // Background polls of the history endpoint, and images loading, do not use up the one-shot
      // faults meant for chat.
      const background = HISTORY_PATH.test(path) || ATTACHMENT_FILE_PATH.test(path);
      if (!background && injectApiFault(req, res, ctx)) return;
      return handleApi(req, res, ctx);
    }
    if (path === '/' && req.method === 'GET') {
      return sendJson(res, 200, { success: true, message: 'ChatSDK reference backend. See docs/openapi.yaml.' });
    }
    throw new HttpError(404, `No route for ${req.method} ${path}`);
  }

  /**
   * Faults that hit any /api/ request before it is processed.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   * @returns {boolean} answered
   */
  function injectApiFault(req, res, ctx) {
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
      const page =
        '<!doctype html><html><head><title>Wi-Fi login</title></head><body><h1>Welcome to Cafe Wi-Fi</h1><p>Please accept the terms to continue.</p></body></html>';
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(page)) });
      res.end(page);
    }
    if (fault.name === 'stall-body-next') stallBody(req, res, ctx);
    return true;
  }

  /**
   * QA fault `stall-body-next`: 200 with JSON headers and the first bytes of a body, then nothing more,
   * never ended, until the client closes the connection (or close() ends it).
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   */
  function stallBody(req, res, ctx) {
    req.resume(); // the request body is read and dropped: only the answer stalls
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.write(STALLED_BODY_START);
    const started = Date.now();
    const cancel = () => {
      cancels.delete(cancel);
      ctx.notes.push('body stalled until the server closed');
      res.destroy();
    };
    cancels.add(cancel);
    res.once('close', () => {
      if (!cancels.delete(cancel)) return;
      ctx.notes.push(
        `body stalled after ${STALLED_BODY_START.length} bytes until the client closed it (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    });
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
    const patch = VISITOR_PATH.exec(path);
    if (patch) {
      allow(req, 'PATCH');
      return handleVisitorPatch(req, res, ctx, decodeSegment(patch[1] ?? ''));
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
    if (path === '/api/chats/attachments/') {
      allow(req, 'POST');
      return handleUpload(req, res, ctx);
    }
    const file = ATTACHMENT_FILE_PATH.exec(path);
    if (file) return serveAttachment(req, res, ctx, decodeSegment(file[1] ?? '', 'attachment'));
    const feedback = FEEDBACK_PATH.exec(path);
    if (feedback) {
      allow(req, 'POST');
      return handleFeedback(req, res, ctx, decodeSegment(feedback[1] ?? '', 'message'));
    }
    const history = HISTORY_PATH.exec(path);
    if (history && liveEnabled) return handleHistory(req, res, ctx, decodeSegment(history[1] ?? '', 'session'));
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
    requireKey(req);
    const input = parseChatBody(await readJsonBody(req));

    const fault = faults.takeChat();
    if (fault) ctx.notes.push(`QA fault ${fault.name}`);
    if (fault?.name === 'session-404-next') throw new HttpError(404, `Session '${input.sessionId}' not found`);
    if (fault?.name === '403-next') throw new HttpError(403, 'Visitor does not own this session');

    const session = ownedSession(input.visitorId, input.sessionId);
    const files = sessionFiles(session, input.attachmentIds);

    const { exchange, duplicate, conflict } = store.recordExchange(session, {
      text: input.message,
      clientMessageId: input.clientMessageId,
      attachments: files,
      answer: () => pickReply(input.message, files, { streaming }),
    });
    if (conflict) {
      const what = exchange.question.text === input.message ? 'other attachments' : 'a different message';
      throw new HttpError(422, `client_message_id '${input.clientMessageId}' was already used with ${what}`);
    }
    const withFiles = files.length ? `, ${plural(files.length, 'attachment')}` : '';
    ctx.notes.push(duplicate ? `duplicate client_message_id, replayed (${exchange.deliveries}x)` : `reply: ${exchange.kind}${withFiles}`);
    if (!duplicate) live.messageNew(session.id, historyJson(exchange.question));

    if (fault?.name === 'drop-response-next') {
      // The message is stored (and answered, in the history), but the client never hears back:
      // only a retry with the same client_message_id can recover it without a duplicate.
      publishAnswer(session, exchange);
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
      sendJson(res, 200, {
        success: true,
        data: { response: reply.text, ...ids, ...(reply.suggestions && { suggestions: reply.suggestions }) },
      });
      publishAnswer(session, exchange);
      return;
    }

    const cut = faults.takeStream();
    if (cut) ctx.notes.push('QA fault cut-stream');
    const noIds = faults.noStreamIds;
    if (noIds) ctx.notes.push('QA fault no-stream-ids');
    if (faults.slowMs) ctx.notes.push(`slow ${faults.slowMs / 1000}s`);
    const chunks = chunkText(reply.text, reply.pacing?.wordsPerChunk);
    await new Promise((resolve) => {
      streamAnswer(res, {
        chunks,
        ids: noIds ? null : ids,
        lastInDone: reply.lastInDone,
        splitBytes: reply.splitBytes,
        delayMs: reply.pacing?.delayMs ?? chunkDelayMs,
        eventsPerTick: reply.pacing?.eventsPerTick ?? 1,
        firstDelayMs: faults.slowMs,
        cutAfter: cut ? Math.min(3, chunks.length - 1) : null,
        cancels,
        suggestions: reply.suggestions,
        onEnd(end, sent) {
          const total = chunks.length + (reply.lastInDone ? 0 : 1);
          // Into the history once complete. When cut or stopped, with what had been generated by then: the
          // chunks sent and `generatedAheadChunks` more, as an LLM backend keeps what it generated (usually
          // a little more than the client saw). An answer stopped before its first chunk waits for a retry.
          const kept = sent === 0 ? 0 : Math.min(chunks.length, sent + generatedAheadChunks);
          const text = end === 'done' ? reply.text : chunks.slice(0, kept).join('');
          const keeps = `history keeps ${kept} of ${chunks.length} chunks`;
          if (end === 'done') ctx.notes.push(`stream: ${sent} events, done`);
          if (end === 'aborted') ctx.notes.push(`stream aborted by client after ${sent} of ${total} events; ${keeps}`);
          if (end === 'cut') ctx.notes.push(`socket destroyed after ${sent} of ${total} events, no done; ${keeps}`);
          if (text !== '') publishAnswer(session, exchange, text);
          resolve(undefined);
        },
      });
    });
  }

  /**
   * The stored files a chat message names, checked: each must exist and have been uploaded in
   * this session (a file id from another chat is refused even for the same visitor).
   * @param {import('./lib/store.mjs').Session} session
   * @param {string[]} ids
   */
  function sessionFiles(session, ids) {
    return ids.map((id) => {
      const file = store.attachments.get(id);
      if (!file || file.session_id !== session.id) throw new HttpError(400, `Attachment '${id}' was not uploaded in this session`);
      return attachmentJson(file);
    });
  }

  /**
   * PATCH /api/chats/visitors/{visitor_id}/: contact details and, with a valid signature, the
   * site's user id. Every check comes before any change.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   * @param {string} visitorId
   */
  async function handleVisitorPatch(req, res, ctx, visitorId) {
    requireKey(req);
    const patch = parseVisitorPatch(await readJsonBody(req));
    const visitor = store.visitors.get(visitorId);
    if (!visitor) throw new HttpError(404, `Visitor '${visitorId}' not found. ${VISITOR_HINT}`);
    const { identity } = patch;
    if (identity && !(identity.signature !== null && signatureMatches(identitySecret, identity.userId, identity.signature))) {
      ctx.notes.push(identity.signature === null ? 'identity_signature missing' : 'identity_signature wrong');
      throw new HttpError(403, 'identity_signature does not match external_user_id');
    }
    const metadata = mergeMetadata(visitor.metadata, patch.metadata);
    store.updateVisitor(visitor, { metadata, externalUserId: identity?.userId });
    store.touchVisitor(visitor.id);
    // Keys only: the values are personal data and the request log is shown on the QA page.
    const keys = Object.keys(patch.metadata);
    ctx.notes.push(
      [keys.length ? `metadata ${keys.join(', ')}` : '', identity ? 'external_user_id verified' : ''].filter(Boolean).join('; ') ||
        'no change',
    );
    return sendJson(res, 200, { success: true, data: visitorJson(visitor), message: 'Visitor updated' });
  }

  /**
   * POST /api/chats/attachments/ (multipart/form-data: file, session_id, visitor_id).
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   */
  async function handleUpload(req, res, ctx) {
    // Until the whole body is read, any answer closes the connection, so the rest of an upload
    // that is refused (bad key, too large) is never read, not even to be thrown away.
    res.setHeader('Connection', 'close');
    requireKey(req);
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*;.*boundary=/i.test(contentType)) {
      throw new HttpError(400, "Send the file as multipart/form-data with the fields 'file', 'session_id' and 'visitor_id'");
    }
    const limit = formatSize(maxUploadBytes);
    const cap = maxUploadBytes + FORM_OVERHEAD_BYTES;
    if (Number(req.headers['content-length']) > cap) throw new HttpError(413, `The upload is larger than the ${limit} limit`);
    const holdMs = faults.uploadSlowMs;
    if (holdMs) ctx.notes.push(`QA fault upload-slow ${holdMs / 1000}s`);
    const read = await readUpload(req, res, { cap, holdMs });
    if (read.kind === 'aborted') {
      ctx.notes.push(`upload aborted by client after ${formatSize(read.size)}`);
      return;
    }
    if (read.kind === 'too-large') throw new HttpError(413, `The upload is larger than the ${limit} limit`);
    res.removeHeader('Connection');

    if (faults.takeUpload()) {
      ctx.notes.push('QA fault upload-500-next');
      throw new HttpError(500, 'Internal server error');
    }
    const form = await parseForm(read.body, contentType);
    const file = form.get('file');
    if (!file || typeof file === 'string') throw new HttpError(400, "Field 'file' is required and must be a file");
    const name = sanitizeFileName(file.name);
    if (file.size === 0) throw new HttpError(400, `File '${name}' is empty`);
    const sessionId = form.get('session_id');
    const visitorId = form.get('visitor_id');
    if (typeof sessionId !== 'string' || sessionId === '') throw new HttpError(400, "Field 'session_id' is required");
    if (typeof visitorId !== 'string' || visitorId === '') throw new HttpError(400, "Field 'visitor_id' is required");
    if (file.size > maxUploadBytes) throw new HttpError(413, `File '${name}' is ${formatSize(file.size)}; the limit is ${limit}`);
    const type = acceptedType(file.type, name);
    if (!type) {
      throw new HttpError(
        415,
        `Files of type '${file.type || 'unknown'}' are not accepted; send an image (PNG, JPEG, GIF, WebP), PDF, text, CSV, Word, Excel or ZIP file`,
      );
    }
    const data = Buffer.from(await file.arrayBuffer());
    if (!contentMatches(type, data))
      throw new HttpError(415, `File '${name}' is not a ${typeLabel(type)} image: its content does not match ${type}`);
    const session = ownedSession(visitorId, sessionId);

    const id = randomUUID(); // unguessable: the file's URL needs no key
    const stored = store.addAttachment({
      id,
      url: `${publicUrl}/api/chats/attachments/${id}/${encodeURIComponent(name)}`,
      name,
      size: data.length,
      content_type: type,
      session_id: session.id,
      visitor_id: visitorId,
      data,
    });
    ctx.notes.push(`upload ${name}, ${formatSize(stored.size)}, ${type}`);
    return sendJson(res, 201, { success: true, data: attachmentJson(stored), message: 'File uploaded' });
  }

  /**
   * GET /api/chats/attachments/{id}/{name}: the stored bytes. No key (the id is a random UUID), so
   * an <img> on any page can show it.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   * @param {string} id
   */
  function serveAttachment(req, res, ctx, id) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, `Method ${req.method} not allowed; use GET`, { Allow: 'GET, HEAD, OPTIONS' });
    }
    const file = store.attachments.get(id);
    if (!file) throw new HttpError(404, `Attachment '${id}' not found`);
    res.writeHead(200, {
      'Content-Type': file.content_type,
      'Content-Length': String(file.size),
      'Content-Disposition': contentDisposition(file.content_type, file.name),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, max-age=3600',
      // Pages on other origins (the site, the agent console) show thumbnails, also under COEP.
      'Cross-Origin-Resource-Policy': 'cross-origin',
      // Opened directly, a file is an inert document: no script, whatever it contains.
      'Content-Security-Policy': 'sandbox',
    });
    res.end(req.method === 'HEAD' ? undefined : file.data);
    ctx.notes.push(`${file.name}, ${formatSize(file.size)}`);
  }

  /**
   * POST /api/chats/messages/{response_id}/feedback/: the visitor rates an answer. A second rating
   * replaces the first.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   * @param {string} responseId
   */
  async function handleFeedback(req, res, ctx, responseId) {
    requireKey(req);
    const input = parseFeedbackBody(await readJsonBody(req));
    const session = ownedSession(input.visitorId, input.sessionId, true);
    const found = store.findMessage(responseId);
    if (!found) throw new HttpError(404, `Message '${responseId}' not found`);
    if (found.sessionId !== session.id) throw new HttpError(403, `Message '${responseId}' is not in this session`);
    const { message } = found;
    if (message.author !== 'assistant' && message.author !== 'agent') {
      throw new HttpError(400, `Message '${responseId}' is not an answer; only assistant and agent messages can be rated`);
    }
    const replaced = message.feedback?.rating;
    const feedback = store.rateMessage(message, input);
    ctx.notes.push(`feedback ${feedback.rating}${feedback.comment ? ' with comment' : ''}${replaced ? ` (replaces ${replaced})` : ''}`);
    /** @type {{ response_id: string, rating: 'up' | 'down', comment?: string }} */
    const data = { response_id: message.id, rating: feedback.rating };
    if (feedback.comment) data.comment = feedback.comment;
    return sendJson(res, 200, { success: true, data });
  }

  /** @param {http.IncomingMessage} req */
  function requireKey(req) {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') throw new HttpError(401, 'Missing X-API-Key header');
    if (key !== apiKey) throw new HttpError(401, 'Invalid API key');
  }

  /**
   * The session, if this visitor may use it; otherwise the 404/403 a chat request gets.
   * Visitor first: when both are gone (backend reset), "Visitor ... not found" leads to the right recovery.
   * A session an agent ended answers 404 too, as an unknown one does, unless `closedToo` (its history, ratings).
   * @param {string} visitorId
   * @param {string} sessionId
   * @param {boolean} [closedToo]
   */
  function ownedSession(visitorId, sessionId, closedToo = false) {
    const visitor = store.touchVisitor(visitorId);
    if (!visitor) throw new HttpError(404, `Visitor '${visitorId}' not found. ${VISITOR_HINT}`);
    const session = store.sessions.get(sessionId);
    if (!session) throw new HttpError(404, `Session '${sessionId}' not found`);
    if (store.isExpired(session)) throw new HttpError(404, `Session '${sessionId}' has expired`);
    if (session.visitor_id !== visitor.id) throw new HttpError(403, 'Visitor does not own this session');
    if (session.closed_at && !closedToo) throw new HttpError(404, `Session '${sessionId}' was closed by an agent`);
    return session;
  }

  /**
   * @param {import('./lib/store.mjs').Session} session
   * @param {import('./lib/store.mjs').Exchange} exchange
   * @param {string} [text]
   */
  function publishAnswer(session, exchange, text) {
    const message = store.publishAnswer(session, exchange, text);
    if (message) live.messageNew(session.id, historyJson(message));
  }

  /**
   * GET /api/chats/sessions/{session_id}/messages/?visitor_id=&since=
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   * @param {string} sessionId
   */
  async function handleHistory(req, res, ctx, sessionId) {
    allow(req, 'GET');
    if (faults.historyErrorsFor) {
      ctx.notes.push('QA fault history-503');
      throw new HttpError(503, 'Service temporarily unavailable. Please retry shortly.');
    }
    requireKey(req);
    const visitorId = ctx.url.searchParams.get('visitor_id');
    if (!visitorId) throw new HttpError(400, "Query parameter 'visitor_id' is required");
    const since = parseSince(ctx.url.searchParams.get('since'));
    const session = ownedSession(visitorId, sessionId, true);
    const flood = faults.historyFlood;
    if (flood) {
      // A misbehaving backend: `since` ignored, synthetic old messages, newest first.
      const messages = [...floodMessages(session, flood), ...store.messagesSince(session.id).map(historyJson)].reverse();
      ctx.notes.push(`QA fault history-flood: ${messages.length} messages, newest first, since ignored`);
      return sendJson(res, 200, { success: true, data: { messages } });
    }
    const messages = store.messagesSince(session.id, since).map(historyJson);
    ctx.notes.push(`${messages.length} message${messages.length === 1 ? '' : 's'}${session.closed_at ? ', session closed' : ''}`);
    return sendJson(res, 200, { success: true, data: { messages, session: sessionState(session) } });
  }

  /**
   * WebSocket upgrade: GET /ws/chats/sessions/{session_id}/?visitor_id=&api_key=
   * @param {http.IncomingMessage} req
   * @param {import('node:stream').Duplex} socket
   * @param {Buffer} head
   */
  function upgrade(req, socket, head) {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = SOCKET_PATH.exec(url.pathname);
    if (!match || !liveEnabled) return refuseUpgrade(socket, url.pathname, 404, `No route for WebSocket ${url.pathname}`);
    const refuseFor = faults.refuseSocketsFor;
    if (refuseFor) {
      return refuseUpgrade(
        socket,
        url.pathname,
        503,
        'Service temporarily unavailable. Please retry shortly.',
        {
          'Retry-After': String(refuseFor),
        },
        'QA fault refuse-sockets',
      );
    }
    /** @type {string} */
    let sessionId;
    try {
      sessionId = decodeURIComponent(match[1] ?? '');
    } catch {
      return refuseUpgrade(socket, url.pathname, 400, 'Malformed session id in path');
    }
    // A socket to a session an agent ended is accepted and told so at once (a tab that missed the frame).
    const closedAt = store.sessions.get(sessionId)?.closed_at;
    const hello = closedAt ? closedFrame(sessionId, closedAt) : undefined;
    live.accept(req, socket, head, sessionId, url.pathname, socketVerdict(sessionId, url.searchParams), hello);
  }

  /**
   * Why a socket may not join this session, as a close code, or null. Same checks as chat, in the same order.
   * @param {string} sessionId
   * @param {URLSearchParams} params
   * @returns {{ code: number, reason: string } | null}
   */
  function socketVerdict(sessionId, params) {
    const key = params.get('api_key');
    if (key && key !== apiKey) return { code: 4401, reason: 'Invalid API key' };
    const visitorId = params.get('visitor_id');
    if (!visitorId) return { code: 4400, reason: "Query parameter 'visitor_id' is required" };
    const visitor = store.touchVisitor(visitorId);
    if (!visitor) return { code: 4404, reason: 'Visitor not found' };
    const session = store.sessions.get(sessionId);
    if (!session) return { code: 4404, reason: 'Session not found' };
    if (store.isExpired(session)) return { code: 4404, reason: 'Session has expired' };
    if (session.visitor_id !== visitor.id) return { code: 4403, reason: 'Visitor does not own this session' };
    return null;
  }

  /**
   * Answer an upgrade with a plain HTTP error (what a proxy or a down backend does); the browser
   * only sees a failed socket (close 1006).
   * @param {import('node:stream').Duplex} socket
   * @param {string} path
   * @param {number} status
   * @param {string} message
   * @param {Record<string, string>} [headers]
   * @param {string} [note]
   */
  function refuseUpgrade(socket, path, status, message, headers = {}, note) {
    const body = JSON.stringify({ success: false, message });
    const lines = [
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
    log.add({ time: new Date().toISOString(), method: 'GET', path, status, ms: 0, note: note ?? `websocket refused: ${message}` });
  }

  /**
   * What the history says of its session: an ended one has `is_active: false` and `closed_at`.
   * @param {import('./lib/store.mjs').Session} session
   */
  function sessionState(session) {
    return { id: session.id, is_active: !session.closed_at && !store.isExpired(session), closed_at: session.closed_at ?? null };
  }

  /**
   * An agent ends the chat: stored, and the session's sockets hear `session:closed`. Idempotent.
   * @param {import('./lib/store.mjs').Session} session
   */
  function closeSession(session) {
    if (store.closeSession(session)) live.broadcast(session.id, closedFrame(session.id, session.closed_at ?? ''));
    live.setAgentTyping(session.id, false, '');
    return session.closed_at ?? '';
  }

  /**
   * Agent console API (no key: QA/demo only).
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {RequestContext} ctx
   */
  async function handleAgent(req, res, ctx) {
    const path = ctx.url.pathname;
    if (path === '/__agent/sessions' || path === '/__agent/sessions/') {
      allow(req, 'GET');
      const sessions = [...store.sessions.values()]
        .filter((session) => !store.isExpired(session))
        .map(sessionSummary)
        .sort((a, b) => b.last_activity_at.localeCompare(a.last_activity_at));
      return sendJson(res, 200, { success: true, data: { sessions } });
    }
    const match = /^\/__agent\/sessions\/([^/]+)\/(messages|typing|close)\/?$/.exec(path);
    if (!match) throw new HttpError(404, `No agent route ${path}`);
    const sessionId = decodeSegment(match[1] ?? '', 'session');
    const session = store.sessions.get(sessionId);
    if (!session) throw new HttpError(404, `Session '${sessionId}' not found`);
    if (match[2] === 'messages' && req.method === 'GET') {
      const since = parseSince(ctx.url.searchParams.get('since'));
      const all = store.messages.get(session.id) ?? [];
      const newest = all.at(-1);
      if (newest) live.markRead(session.id, Date.parse(newest.created_at));
      const messages = store.messagesSince(session.id, since).map(agentMessageJson);
      return sendJson(res, 200, { success: true, data: { session: sessionSummary(session), messages } });
    }
    allow(req, 'POST');
    if (store.isExpired(session)) throw new HttpError(404, `Session '${sessionId}' has expired`);
    if (match[2] === 'close') {
      closeSession(session);
      ctx.notes.push(`session closed, ${live.socketCount(session.id)} socket(s) told`);
      return sendJson(res, 200, { success: true, data: sessionSummary(session) });
    }
    if (session.closed_at) throw new HttpError(409, `Session '${sessionId}' is closed`);
    const body = await readJsonBody(req);
    const name = agentName(body.name);
    if (match[2] === 'typing') {
      if (typeof body.is_typing !== 'boolean') throw new HttpError(400, "Field 'is_typing' must be true or false");
      live.setAgentTyping(session.id, body.is_typing, name);
      return sendJson(res, 200, { success: true, data: { sockets: live.socketCount(session.id) } });
    }
    const { text, avatar_url: avatarUrl, sender = 'agent' } = body;
    if (typeof text !== 'string' || text.trim() === '') throw new HttpError(400, "Field 'text' is required and must be a non-empty string");
    if (text.length > MAX_MESSAGE_LENGTH) throw new HttpError(400, `Field 'text' must be at most ${MAX_MESSAGE_LENGTH} characters`);
    if (sender !== 'agent' && sender !== 'system') throw new HttpError(400, "Field 'sender' must be 'agent' or 'system'");
    if (avatarUrl !== undefined && avatarUrl !== null && (typeof avatarUrl !== 'string' || avatarUrl.length > 2000)) {
      throw new HttpError(400, "Field 'avatar_url' must be a string of at most 2000 characters");
    }
    const message = postAgentMessage(session, text, name, typeof avatarUrl === 'string' ? avatarUrl : undefined, sender);
    ctx.notes.push(`${sender} message, ${live.socketCount(session.id)} socket(s)`);
    return sendJson(res, 201, { success: true, data: message });
  }

  /** @param {import('./lib/store.mjs').Session} session */
  function sessionSummary(session) {
    const transcript = store.messages.get(session.id) ?? [];
    const last = transcript.at(-1);
    const readUntil = live.readUntil(session.id);
    return {
      id: session.id,
      visitor_id: session.visitor_id,
      created_at: session.created_at,
      expires_at: session.expires_at,
      closed_at: session.closed_at ?? null,
      last_activity_at: last?.created_at ?? session.created_at,
      message_count: transcript.length,
      last_message: last ? agentMessageJson(last) : null,
      unread: transcript.filter((m) => m.author === 'visitor' && Date.parse(m.created_at) > readUntil).length,
      visitor_typing: live.visitorIsTyping(session.id),
      agent_typing: live.agentTypingIn(session.id)?.name ?? null,
      sockets: live.socketCount(session.id),
      visitor: visitorSummary(store.visitors.get(session.visitor_id)),
      attachments: transcript.reduce((sum, m) => sum + (m.attachments?.length ?? 0), 0),
      feedback: transcript.flatMap((m) => (m.feedback ? [{ response_id: m.id, ...m.feedback }] : [])),
    };
  }

  /**
   * Store an agent message (or a system note) and send it to the session's sockets.
   * @param {import('./lib/store.mjs').Session} session
   * @param {string} text
   * @param {string} name
   * @param {string | undefined} avatarUrl stored as given (the widget shows https images only)
   * @param {'agent' | 'system'} sender
   */
  function postAgentMessage(session, text, name, avatarUrl, sender) {
    const stored = store.addMessage(session, {
      author: sender,
      text,
      agent: avatarUrl ? { name, avatar_url: avatarUrl } : { name },
    });
    const message = historyJson(stored);
    live.messageNew(session.id, message);
    return message;
  }

  /** @param {string} sessionId */
  function liveSession(sessionId) {
    const session = store.sessions.get(sessionId);
    if (!session) throw new Error(`Session '${sessionId}' not found`);
    if (store.isExpired(session)) throw new Error(`Session '${sessionId}' has expired`);
    return session;
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
        counts: { ...store.counts(), sockets: live.socketCount() },
        lastSeq: log.lastSeq,
        log: log.since(Number.isFinite(since) ? since : 0),
      });
    }
    if (path === '/__qa/fault') {
      allow(req, 'POST');
      const body = await readJsonBody(req);
      const { fault, seconds, count } = body;
      if (!isFaultName(fault)) {
        throw new HttpError(400, `Unknown fault ${JSON.stringify(fault)}. Use one of: ${FAULT_NAMES.join(', ')}`);
      }
      if (seconds !== undefined && (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= 600))) {
        throw new HttpError(400, "'seconds' must be a number from 0 to 600");
      }
      if (count !== undefined && !(Number.isInteger(count) && Number(count) >= 1 && Number(count) <= MAX_FLOOD_COUNT)) {
        throw new HttpError(400, `'count' must be a whole number from 1 to ${MAX_FLOOD_COUNT}`);
      }
      applyFault(fault, seconds, /** @type {number | undefined} */ (count));
      ctx.notes.push(`set ${fault}${seconds !== undefined ? ` ${seconds}s` : ''}${count !== undefined ? ` count ${count}` : ''}`);
      return sendJson(res, 200, { success: true, mode: faults.mode(), message: `Fault '${fault}' applied` });
    }
    if (path === '/__qa/identity-signature') {
      // Plays the site's own server for the QA page, which cannot hold the secret itself.
      allow(req, 'GET');
      const userId = ctx.url.searchParams.get('external_user_id');
      if (!userId) throw new HttpError(400, "Query parameter 'external_user_id' is required");
      return sendJson(res, 200, {
        success: true,
        data: { external_user_id: userId, identity_signature: identitySignature(identitySecret, userId) },
      });
    }
    if (path === '/__qa/reset') {
      allow(req, 'POST');
      reset();
      return sendJson(res, 200, { success: true, mode: faults.mode(), message: 'Backend reset' });
    }
    throw new HttpError(404, `No QA route ${path}`);
  }

  /**
   * @param {import('./lib/faults.mjs').FaultName} name
   * @param {number} [seconds]
   * @param {number} [count] messages of `history-flood`
   */
  function applyFault(name, seconds, count) {
    if (name === 'forget-visitors') {
      store.forgetVisitors();
      live.clear();
      live.closeWhere(() => ({ code: 4404, reason: 'Visitor not found' }));
    } else if (name === 'expire-sessions') {
      store.expireSessions();
      live.closeWhere(() => ({ code: 4404, reason: 'Session has expired' }));
    } else if (name === 'drop-sockets') {
      live.terminateAll();
    } else {
      faults.set(name, seconds, count);
    }
  }

  function reset() {
    applyFault('forget-visitors', undefined);
    faults.set('normal', undefined);
    log.clear();
  }

  const close = closer(server);
  const actualPort = await listen(server, port, host);
  const url = originOf(host, actualPort);
  publicUrl = url;
  return {
    url,
    port: actualPort,
    /** In-memory state for tests: `store` (visitors, sessions, messages), `faults`, `log`. */
    state,
    /** Same as POST /__qa/fault, without HTTP: `fault(name, seconds?, count?)`. */
    fault: applyFault,
    /** Same as POST /__qa/reset. */
    reset,
    /**
     * Reply as a human agent, without HTTP (same as POST /__agent/sessions/{id}/messages): stored,
     * then sent to the session's sockets. Throws for an unknown or expired session.
     * @param {string} sessionId
     * @param {string} text
     * @param {string} [name]
     * @param {string} [avatarUrl]
     * @returns {import('./lib/store.mjs').HistoryMessage}
     */
    agentReply(sessionId, text, name = DEFAULT_AGENT_NAME, avatarUrl = undefined) {
      return postAgentMessage(liveSession(sessionId), text, name, avatarUrl, 'agent');
    },
    /**
     * Show or hide "<name> is typing…" on the session's sockets (same as POST /__agent/sessions/{id}/typing).
     * `true` lapses by itself after 6 s without a repeat.
     * @param {string} sessionId
     * @param {boolean} isTyping
     * @param {string} [name]
     */
    agentTyping(sessionId, isTyping, name = DEFAULT_AGENT_NAME) {
      live.setAgentTyping(liveSession(sessionId).id, isTyping, name);
    },
    /**
     * End the chat as an agent would (same as POST /__agent/sessions/{id}/close): history answers
     * `is_active: false`, sockets hear `session:closed`, chat requests get 404. Returns `closed_at`.
     * @param {string} sessionId
     */
    endChat(sessionId) {
      return closeSession(liveSession(sessionId));
    },
    /** Is the visitor typing in this session (a socket sent `typing: true` less than 5 s ago)? @param {string} sessionId */
    visitorTyping(sessionId) {
      return live.visitorIsTyping(sessionId);
    },
    /** Open WebSockets, in one session or in all. @param {string} [sessionId] */
    socketCount(sessionId) {
      return live.socketCount(sessionId);
    },
    /** Stop listening, end open streams, close every WebSocket and destroy every socket. */
    async close() {
      for (const cancel of [...cancels]) cancel();
      live.close();
      await close();
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof startApiServer>>} ApiServer */

/**
 * The WebSocket frame that ends a chat.
 * @param {string} sessionId
 * @param {string} closedAt
 */
function closedFrame(sessionId, closedAt) {
  return { type: 'session:closed', payload: { session_id: sessionId, closed_at: closedAt } };
}

/**
 * @param {http.IncomingMessage} req
 * @param {string} method
 */
function allow(req, method) {
  if (req.method !== method) throw new HttpError(405, `Method ${req.method} not allowed; use ${method}`, { Allow: `${method}, OPTIONS` });
}

/** @param {number} count @param {string} noun */
function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * A message for the agent console: as the history sends it, plus the visitor's rating.
 * @param {import('./lib/store.mjs').StoredMessage} message
 */
function agentMessageJson(message) {
  const json = historyJson(message);
  return message.feedback ? { ...json, feedback: message.feedback } : json;
}

/**
 * What the agent console shows about a session's visitor (null when the visitor is gone).
 * @param {import('./lib/store.mjs').Visitor | undefined} visitor
 */
function visitorSummary(visitor) {
  if (!visitor) return null;
  return {
    metadata: visitor.metadata,
    external_user_id: visitor.external_user_id ?? null,
    // Only a checked signature sets external_user_id, so it is verified whenever it is there.
    identity_verified: visitor.identity_verified_at !== undefined,
    identity_verified_at: visitor.identity_verified_at ?? null,
  };
}

/** @param {Record<string, unknown>} body */
function metadataOf(body) {
  const { metadata } = body;
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new HttpError(400, "Field 'metadata' must be an object");
  return /** @type {Record<string, unknown>} */ (metadata);
}

/** @param {string} segment @param {string} [what] */
function decodeSegment(segment, what = 'visitor') {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `Malformed ${what} id in path`);
  }
}

/**
 * QA fault `history-flood`: `count` old agent messages of a session, oldest first, one a second and
 * ending a second before the session began (so older than all its real messages). Ids and times are
 * the same on every request, as a backend that ignores `since` would send them again and again.
 * @param {import('./lib/store.mjs').Session} session
 * @param {number} count
 * @returns {import('./lib/store.mjs').HistoryMessage[]}
 */
function floodMessages(session, count) {
  const end = Date.parse(session.created_at);
  return Array.from({ length: count }, (_, i) => ({
    id: `flood-${session.id}-${i + 1}`,
    sender: /** @type {const} */ ('agent'),
    text: `Old message ${i + 1} of ${count}, from a backend that ignores since.`,
    created_at: new Date(end - (count - i) * 1000).toISOString(),
    agent: { name: 'Archive' },
  }));
}

/**
 * `since` as milliseconds; -Infinity when absent or empty. A `+` offset sent unencoded arrives as a
 * space, which is read back as `+`.
 * @param {string | null} raw
 */
function parseSince(raw) {
  if (raw === null || raw === '') return -Infinity;
  const value = raw.replace(/ /g, '+');
  const ms = Date.parse(value);
  if (!ISO_DATE_TIME.test(value) || Number.isNaN(ms)) {
    throw new HttpError(400, "Query parameter 'since' must be an ISO 8601 date-time with a time zone, e.g. 2025-12-09T12:00:00.000Z");
  }
  return ms;
}

/** @param {unknown} name */
function agentName(name) {
  if (name === undefined || name === null || (typeof name === 'string' && name.trim() === '')) return DEFAULT_AGENT_NAME;
  if (typeof name !== 'string' || name.length > 60) throw new HttpError(400, "Field 'name' must be a string of at most 60 characters");
  return name.trim();
}

/**
 * @param {Record<string, unknown>} body
 * @returns {{ message: string, sessionId: string, visitorId: string, clientMessageId?: string, attachmentIds: string[] }}
 */
function parseChatBody(body) {
  const { message, session_id: sessionId, visitor_id: visitorId, client_message_id: clientMessageId } = body;
  const attachmentIds = parseAttachmentIds(body.attachment_ids);
  // A message of files only may have no text; otherwise the text is the message.
  if (typeof message !== 'string' || (message.trim() === '' && attachmentIds.length === 0)) {
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
    return { message, sessionId, visitorId, clientMessageId, attachmentIds };
  }
  return { message, sessionId, visitorId, attachmentIds };
}

/** `attachment_ids` of a chat body: absent means none. @param {unknown} raw */
function parseAttachmentIds(raw) {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((id) => typeof id !== 'string' || id === '')) {
    throw new HttpError(400, "Field 'attachment_ids' must be an array of attachment ids");
  }
  if (raw.length > MAX_ATTACHMENTS_PER_MESSAGE) {
    throw new HttpError(400, `Field 'attachment_ids' may list at most ${MAX_ATTACHMENTS_PER_MESSAGE} files`);
  }
  const repeated = raw.find((id, i) => raw.indexOf(id) !== i);
  if (repeated !== undefined) throw new HttpError(400, `Attachment '${repeated}' is listed twice`);
  return /** @type {string[]} */ (raw);
}

/**
 * @param {Record<string, unknown>} body
 * @returns {{ rating: 'up' | 'down', comment?: string, sessionId: string, visitorId: string }}
 */
function parseFeedbackBody(body) {
  const { rating, comment, session_id: sessionId, visitor_id: visitorId } = body;
  if (rating !== 'up' && rating !== 'down') throw new HttpError(400, "Field 'rating' must be 'up' or 'down'");
  if (comment !== undefined && comment !== null && (typeof comment !== 'string' || comment.length > MAX_FEEDBACK_COMMENT)) {
    throw new HttpError(400, `Field 'comment' must be a string of at most ${MAX_FEEDBACK_COMMENT} characters`);
  }
  if (typeof sessionId !== 'string' || sessionId === '') throw new HttpError(400, "Field 'session_id' is required");
  if (typeof visitorId !== 'string' || visitorId === '') throw new HttpError(400, "Field 'visitor_id' is required");
  // A blank comment is no comment.
  return typeof comment === 'string' && comment.trim() !== ''
    ? { rating, comment, sessionId, visitorId }
    : { rating, sessionId, visitorId };
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
