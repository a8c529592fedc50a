import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

export const API = 'https://api.test';
export const KEY = 'pk_test';

export interface SentChat {
  path: string;
  body: Record<string, unknown>;
  key: string | null;
}

/** A response a test wants for the next matching request instead of the normal one. */
/** Returning undefined (or a promise of it) falls through to the normal contract behaviour. */
export type Override = (request: Request, body: Record<string, unknown>) => Response | undefined | Promise<Response | undefined>;

/** Encode SSE events of the contract; `split` re-chunks the bytes to test the reader. */
export function sseBody(chunks: string[], opts: { done?: boolean; split?: number[]; extra?: string } = {}): ReadableStream<Uint8Array> {
  let text = chunks.map((chunk, i) => `data: ${JSON.stringify({ chunk, done: opts.done !== false && i === chunks.length - 1 })}\n\n`).join('');
  if (opts.extra) text = opts.extra + text;
  const bytes = new TextEncoder().encode(text);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const at of [...(opts.split ?? []), bytes.length]) {
    if (at > start) parts.push(bytes.slice(start, at));
    start = Math.max(start, at);
  }
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

export const sseResponse = (body: ReadableStream<Uint8Array> | string): Response =>
  new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });

export const envelope = (status: number, data?: unknown, message?: string): Response =>
  HttpResponse.json({ success: status < 400, ...(data === undefined ? {} : { data }), ...(message ? { message } : {}) }, { status });

/**
 * An in-memory backend speaking the contract, for msw. Tests read what went over the wire
 * (`calls`, `chats`) and queue overrides for the next requests to a path.
 */
export function createContractBackend() {
  const visitors = new Set<string>();
  const sessions = new Map<string, { visitor: string; expires: string }>();
  /** Every request in arrival order, with the API key it carried (null when none). */
  const calls: { method: string; path: string; key: string | null }[] = [];
  const chats: SentChat[] = [];
  const overrides = new Map<string, Override[]>();
  let seq = 0;
  let reply = (text: string): string[] => ['You said: ', text];
  let sessionTtlMs = 24 * 3600_000;

  const take = async (path: string, request: Request, body: Record<string, unknown>): Promise<Response | undefined> => {
    const queue = overrides.get(path);
    const next = queue?.shift();
    return next ? next(request, body) : undefined;
  };
  const readBody = async (request: Request): Promise<Record<string, unknown>> => {
    try {
      return (await request.clone().json()) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const log = (request: Request): string => {
    const path = new URL(request.url).pathname;
    calls.push({ method: request.method, path, key: request.headers.get('x-api-key') });
    return path;
  };

  const chatHandler = (stream: boolean) => async ({ request }: { request: Request }) => {
    const path = log(request);
    const body = await readBody(request);
    chats.push({ path, body, key: request.headers.get('x-api-key') });
    const override = await take(stream ? 'stream' : 'chat', request, body);
    if (override) return override;
    if (request.headers.get('x-api-key') !== KEY) return envelope(401, undefined, 'Invalid API key');
    const session = sessions.get(String(body.session_id));
    if (!visitors.has(String(body.visitor_id))) return envelope(404, undefined, `Visitor '${String(body.visitor_id)}' not found`);
    if (!session) return envelope(404, undefined, `Session '${String(body.session_id)}' not found`);
    if (session.visitor !== body.visitor_id) return envelope(403, undefined, 'Visitor does not own this session');
    const parts = reply(String(body.message));
    if (!stream) {
      return envelope(200, { response: parts.join(''), message_id: `m${++seq}`, response_id: `r${seq}`, session_id: body.session_id });
    }
    return sseResponse(sseBody(parts));
  };

  const handlers = [
    http.post(`${API}/api/chats/visitors/`, async ({ request }) => {
      log(request);
      const override = await take('visitors', request, {});
      if (override) return override;
      const id = `v${++seq}`;
      visitors.add(id);
      return envelope(201, { id, created_at: new Date().toISOString(), last_seen_at: new Date().toISOString(), metadata: {} });
    }),
    http.get(`${API}/api/chats/visitors/:id/validate/`, async ({ request, params }) => {
      log(request);
      const override = await take('validate', request, {});
      if (override) return override;
      const id = String(params.id);
      return visitors.has(id) ? envelope(200, { id }) : envelope(404, undefined, `Visitor with ID '${id}' does not exist.`);
    }),
    http.post(`${API}/api/chats/sessions/`, async ({ request }) => {
      log(request);
      const body = await readBody(request);
      const override = await take('sessions', request, body);
      if (override) return override;
      const visitor = String(body.visitor_id);
      if (!visitors.has(visitor)) return envelope(400, undefined, `Visitor with ID '${visitor}' does not exist.`);
      const id = `s${++seq}`;
      const expires = new Date(Date.now() + sessionTtlMs).toISOString();
      sessions.set(id, { visitor, expires });
      return envelope(201, { id, expires_at: expires, is_active: true });
    }),
    http.post(`${API}/api/chats/messages/chat/`, chatHandler(false)),
    http.post(`${API}/api/chats/messages/chat/stream/`, chatHandler(true)),
  ];

  return {
    handlers,
    visitors,
    sessions,
    calls,
    chats,
    /** Answer the next request to `path` ('visitors' | 'validate' | 'sessions' | 'chat' | 'stream') with `override`. */
    once(path: 'visitors' | 'validate' | 'sessions' | 'chat' | 'stream', override: Override) {
      const queue = overrides.get(path) ?? [];
      queue.push(override);
      overrides.set(path, queue);
    },
    /** Drop overrides not used yet (for one path, or all): the backend behaves normally again. */
    clearOnce(path?: 'visitors' | 'validate' | 'sessions' | 'chat' | 'stream') {
      if (path) overrides.delete(path);
      else overrides.clear();
    },
    /** How many overrides for `path` are still waiting. */
    pending: (path: 'visitors' | 'validate' | 'sessions' | 'chat' | 'stream') => overrides.get(path)?.length ?? 0,
    setReply(fn: (text: string) => string[]) {
      reply = fn;
    },
    setSessionTtl(ms: number) {
      sessionTtlMs = ms;
    },
    count: (method: string, fragment: string) => calls.filter((c) => c.method === method && c.path.includes(fragment)).length,
  };
}

export type ContractBackend = ReturnType<typeof createContractBackend>;

/** One msw server per test file; each test gets a fresh backend through `use`. */
export function createTestServer() {
  const server = setupServer();
  return {
    server,
    fresh(): ContractBackend {
      const backend = createContractBackend();
      server.resetHandlers(...backend.handlers);
      return backend;
    },
  };
}

/** Storage double that records what was written and can be made to throw. */
export class MemoryStorage {
  map = new Map<string, string>();
  failReads = false;
  failWrites = false;
  getItem(key: string): string | null {
    if (this.failReads) throw new DOMException('denied', 'SecurityError');
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.failWrites) throw new DOMException('full', 'QuotaExceededError');
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

/**
 * A stream the test drives by hand: push SSE text, end it cleanly, cut it with an error, and see
 * whether the client cancelled it (the server-side view of "the connection closed").
 */
export function controlledStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  let closed = false;
  let request: Request | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      cancelled = true;
    },
  });
  return {
    stream,
    /**
     * The response to hand to msw. Pass the handler's request: msw gives the client a copy of the
     * body, so the server side sees the client go away through the request's abort signal.
     */
    response(from?: Request): Response {
      request = from;
      return sseResponse(stream);
    },
    /** Push raw SSE text (or bytes). */
    push(data: string | Uint8Array) {
      if (!closed) controller.enqueue(typeof data === 'string' ? encoder.encode(data) : data);
    },
    /** Push one contract event. */
    chunk(text: string, done = false) {
      this.push(`data: ${JSON.stringify({ chunk: text, done })}\n\n`);
    },
    close() {
      if (!closed) (closed = true), controller.close();
    },
    /** A socket reset: the reader's next read rejects. */
    cut(reason: unknown = new TypeError('network connection lost')) {
      if (!closed) (closed = true), controller.error(reason);
    },
    /** The client closed the connection: it cancelled the body or aborted the request. */
    get cancelled() {
      return cancelled || request?.signal.aborted === true;
    },
  };
}

/** A promise with its resolve function outside: hold a response until the test lets it go. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
