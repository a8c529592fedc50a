import { HttpResponse, http } from 'msw';
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
/** `end` adds fields (message_id, response_id) to the last, `done: true` event. */
export function sseBody(
  chunks: string[],
  opts: { done?: boolean; split?: number[]; extra?: string; end?: Record<string, unknown> } = {},
): ReadableStream<Uint8Array> {
  let text = chunks
    .map((chunk, i) => {
      const last = opts.done !== false && i === chunks.length - 1;
      return `data: ${JSON.stringify({ chunk, done: last, ...(last ? opts.end : {}) })}\n\n`;
    })
    .join('');
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

/** A message of the history endpoint (GET /api/chats/sessions/{id}/messages/). */
export interface HistoryMessage {
  id: string;
  sender: 'visitor' | 'assistant' | 'agent' | 'system';
  text: string;
  created_at: string;
  agent?: { name: string; avatar_url?: string };
  response_id?: string;
  client_message_id?: string;
  attachments?: { id: string; url: string; name: string; size: number; content_type: string }[];
}

export type OverridePath = 'visitors' | 'validate' | 'sessions' | 'chat' | 'stream' | 'history' | 'identify' | 'feedback';

/**
 * An in-memory backend speaking the contract, for msw. Tests read what went over the wire
 * (`calls`, `chats`) and queue overrides for the next requests to a path.
 */
export function createContractBackend() {
  const visitors = new Set<string>();
  const sessions = new Map<string, { visitor: string; expires: string; closedAt?: string; expired?: boolean }>();
  /** Every request in arrival order, with the API key it carried (null when none). */
  const calls: { method: string; path: string; key: string | null }[] = [];
  const chats: SentChat[] = [];
  const overrides = new Map<string, Override[]>();
  /** Each session's messages, oldest first, as the history endpoint serves them. */
  const history = new Map<string, HistoryMessage[]>();
  /** The `since` of every history request, in order (null when absent). */
  const sinces: (string | null)[] = [];
  /** PATCH bodies per visitor, in order. */
  const updates = new Map<string, Record<string, unknown>[]>();
  /** Feedback requests: the response id of the path and the body. */
  const ratings: { responseId: string; body: Record<string, unknown>; key: string | null }[] = [];
  let seq = 0;
  let lastTime = 0;
  /** Strictly increasing server times, so `since` is unambiguous. */
  const stamp = (): string => {
    lastTime = Math.max(lastTime + 1, Date.now());
    return new Date(lastTime).toISOString();
  };
  const record = (sessionId: string, message: Omit<HistoryMessage, 'created_at'> & { created_at?: string }): HistoryMessage => {
    const full = { created_at: stamp(), ...message } as HistoryMessage;
    history.set(sessionId, [...(history.get(sessionId) ?? []), full]);
    return full;
  };
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

  const chatHandler =
    (stream: boolean) =>
    async ({ request }: { request: Request }) => {
      const path = log(request);
      const body = await readBody(request);
      chats.push({ path, body, key: request.headers.get('x-api-key') });
      const override = await take(stream ? 'stream' : 'chat', request, body);
      if (override) return override;
      if (request.headers.get('x-api-key') !== KEY) return envelope(401, undefined, 'Invalid API key');
      const session = sessions.get(String(body.session_id));
      if (!visitors.has(String(body.visitor_id))) return envelope(404, undefined, `Visitor '${String(body.visitor_id)}' not found`);
      if (!session || session.closedAt || session.expired)
        return envelope(404, undefined, `Session '${String(body.session_id)}' not found`);
      if (session.visitor !== body.visitor_id) return envelope(403, undefined, 'Visitor does not own this session');
      const parts = reply(String(body.message));
      const n = ++seq;
      const sessionId = String(body.session_id);
      record(sessionId, { id: `m${n}`, sender: 'visitor', text: String(body.message), client_message_id: String(body.client_message_id) });
      record(sessionId, { id: `r${n}`, sender: 'assistant', text: parts.join(''), response_id: `r${n}` });
      if (!stream) {
        return envelope(200, { response: parts.join(''), message_id: `m${n}`, response_id: `r${n}`, session_id: body.session_id });
      }
      return sseResponse(sseBody(parts, { end: { message_id: `m${n}`, response_id: `r${n}` } }));
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
    http.get(`${API}/api/chats/sessions/:id/messages/`, async ({ request, params }) => {
      log(request);
      const url = new URL(request.url);
      const since = url.searchParams.get('since');
      sinces.push(since);
      const override = await take('history', request, {});
      if (override) return override;
      if (request.headers.get('x-api-key') !== KEY) return envelope(401, undefined, 'Invalid API key');
      const visitor = url.searchParams.get('visitor_id') ?? '';
      const session = sessions.get(String(params.id));
      if (!visitors.has(visitor)) return envelope(404, undefined, `Visitor '${visitor}' not found`);
      if (!session) return envelope(404, undefined, `Session '${String(params.id)}' not found`);
      if (session.visitor !== visitor) return envelope(403, undefined, 'Visitor does not own this session');
      const after = since ? Date.parse(since) : -Infinity;
      const messages = (history.get(String(params.id)) ?? []).filter((m) => Date.parse(m.created_at) > after);
      return envelope(200, {
        messages,
        session: { id: params.id, is_active: !session.closedAt && !session.expired, closed_at: session.closedAt ?? null },
      });
    }),
    http.patch(`${API}/api/chats/visitors/:id/`, async ({ request, params }) => {
      log(request);
      const body = await readBody(request);
      const override = await take('identify', request, body);
      if (override) return override;
      if (request.headers.get('x-api-key') !== KEY) return envelope(401, undefined, 'Invalid API key');
      const id = String(params.id);
      if (!visitors.has(id)) return envelope(404, undefined, `Visitor with ID '${id}' does not exist.`);
      updates.set(id, [...(updates.get(id) ?? []), body]);
      return envelope(200, { id, metadata: body.metadata });
    }),
    http.post(`${API}/api/chats/messages/:id/feedback/`, async ({ request, params }) => {
      log(request);
      const body = await readBody(request);
      ratings.push({ responseId: String(params.id), body, key: request.headers.get('x-api-key') });
      const override = await take('feedback', request, body);
      if (override) return override;
      return envelope(200, { response_id: params.id, rating: body.rating });
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
    history,
    sinces,
    updates,
    ratings,
    /** Add a message to a session's history (an agent reply, say); the server's time unless given. */
    say(sessionId: string, message: Omit<HistoryMessage, 'id' | 'created_at'> & { id?: string; created_at?: string }): HistoryMessage {
      return record(sessionId, { id: `h${++seq}`, ...message });
    },
    /** An agent ends the session: its history says so, chat requests get 404. Returns `closed_at`. */
    close(sessionId: string): string {
      const session = sessions.get(sessionId)!;
      session.closedAt ??= stamp();
      return session.closedAt;
    },
    /** The session expires (nobody ended it): its history says `is_active: false` with no `closed_at`, chat requests get 404. */
    expire(sessionId: string): void {
      sessions.get(sessionId)!.expired = true;
    },
    /** Answer the next request to `path` with `override`. */
    once(path: OverridePath, override: Override) {
      const queue = overrides.get(path) ?? [];
      queue.push(override);
      overrides.set(path, queue);
    },
    /** Drop overrides not used yet (for one path, or all): the backend behaves normally again. */
    clearOnce(path?: OverridePath) {
      if (path) overrides.delete(path);
      else overrides.clear();
    },
    /** How many overrides for `path` are still waiting. */
    pending: (path: OverridePath) => overrides.get(path)?.length ?? 0,
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
    /** Push raw SSE text (or bytes). Like a server writing to a socket the client closed, a push after
     * the client cancelled goes nowhere (the cancel may still be on its way when the test pushes). */
    push(data: string | Uint8Array) {
      if (closed || cancelled) return;
      try {
        controller.enqueue(typeof data === 'string' ? encoder.encode(data) : data);
      } catch {
        // cancelled by the client in the meantime
      }
    },
    /** Push one contract event. */
    chunk(text: string, done = false) {
      this.push(`data: ${JSON.stringify({ chunk: text, done })}\n\n`);
    },
    close() {
      if (closed) return;
      closed = true;
      controller.close();
    },
    /** A socket reset: the reader's next read rejects. */
    cut(reason: unknown = new TypeError('network connection lost')) {
      if (closed) return;
      closed = true;
      controller.error(reason);
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
