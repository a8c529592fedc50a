// @ts-check
/** Small HTTP helpers shared by the reference API and the demo page server. */

/** @typedef {import('node:http').IncomingMessage} Req */
/** @typedef {import('node:http').ServerResponse} Res */

/** An error that becomes a `{success:false, message}` envelope with this status. */
export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {Record<string, string>} [headers]
   */
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Read a JSON object body. An empty body counts as `{}` (seed 003 sends `{}` but clients may send nothing).
 * @param {Req} req
 * @returns {Promise<Record<string, unknown>>}
 */
export async function readJsonBody(req) {
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8').trim();
  if (raw === '') return {};
  /** @type {unknown} */
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'Request body must be a JSON object');
  }
  return /** @type {Record<string, unknown>} */ (value);
}

/**
 * @param {Res} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/**
 * The error envelope every failing API response uses.
 * @param {Res} res
 * @param {number} status
 * @param {string} message
 * @param {Record<string, string>} [headers]
 */
export function sendError(res, status, message, headers = {}) {
  sendJson(res, status, { success: false, message }, headers);
}

/**
 * CORS for a public widget API: any page may call it (the key is publishable, not a secret).
 * Reflecting the origin instead of `*` keeps working if a deployment later adds credentials.
 * @param {Req} req
 * @param {Res} res
 */
export function applyCors(req, res) {
  const origin = req.headers.origin;
  res.setHeader('Access-Control-Allow-Origin', origin && origin !== 'null' ? origin : '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
}

/**
 * Answer a CORS preflight. Only the two headers of the contract are allowed, so a client that
 * starts sending a new header fails loudly here instead of against a production backend.
 * @param {Req} req
 * @param {Res} res
 */
export function answerPreflight(req, res) {
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-API-Key');
  res.setHeader('Access-Control-Max-Age', '600');
  // Chrome's Private Network Access preflight (public page -> 127.0.0.1); harmless elsewhere.
  if (req.headers['access-control-request-private-network'] === 'true') {
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  res.writeHead(204, { 'Content-Length': '0' });
  res.end();
}

/**
 * Track sockets so `close()` can end keep-alive and streaming connections at once (tests must not hang).
 * @param {import('node:http').Server} server
 * @returns {() => Promise<void>}
 */
export function closer(server) {
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections?.();
    });
}

/**
 * Listen and resolve with the actual port (port 0 picks a free one).
 * @param {import('node:http').Server} server
 * @param {number} port
 * @param {string} host
 * @returns {Promise<number>}
 */
export function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Listen on a free port of 127.0.0.1, for a test or a script; `close()` also ends open connections.
 * @param {import('node:http').Server} server
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function listenLocally(server) {
  const close = closer(server);
  const port = await listen(server, 0, '127.0.0.1');
  return { url: originOf('127.0.0.1', port), close };
}

/**
 * `http://host:port` with IPv6 hosts bracketed.
 * @param {string} host
 * @param {number} port
 */
export function originOf(host, port) {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
