import { linkAbort } from '../abort';
import { ChatError } from '../errors';
import { isRecord } from '../guards';
import { parseRetryAfter } from '../retry';

/** The wire shapes of the backend contract (docs/openapi.yaml). */
export interface VisitorData {
  id: string;
}
export interface SessionData {
  id: string;
  expires_at?: string;
}
export interface ChatReply {
  response: string;
  message_id?: string;
  response_id?: string;
}
export interface ChatBody {
  message: string;
  session_id: string;
  visitor_id: string;
  client_message_id: string;
  attachment_ids?: string[];
}

export interface VisitorUpdate {
  metadata: Record<string, string>;
  external_user_id?: string;
  identity_signature?: string;
}

export interface FeedbackBody {
  rating: 'up' | 'down';
  comment?: string;
  visitor_id: string;
  session_id: string;
}

export interface ApiConfig {
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** Read per call: hosts and test tools patch fetch after we load. */
  fetch: () => typeof fetch;
}

/** The request never reached the server (offline, DNS, refused, CORS): worth retrying. */
export const networkError = (cause?: unknown): ChatError =>
  new ChatError('network', 'Could not reach the chat server. Check your connection.', { retryable: true, cause });

/** `https://api.example.com/` and `https://api.example.com` give the same paths. */
export function joinUrl(apiUrl: string, path: string): string {
  return apiUrl.replace(/\/+$/, '') + path;
}

function statusMessage(status: number): string {
  if (status === 401) return 'The API key was refused (401). Check the apiKey option.';
  if (status === 429) return 'Too many requests; trying again shortly.';
  if (status >= 500) return `The chat server had a problem (${status}).`;
  return `The chat server answered ${status}.`;
}

/** Build the error for a non-2xx response, using the envelope's `message` when there is one. */
export async function httpError(response: Response): Promise<ChatError> {
  let serverMessage: string | undefined;
  try {
    const body: unknown = JSON.parse(await response.text());
    if (isRecord(body) && typeof body.message === 'string' && body.message) serverMessage = body.message.slice(0, 500);
  } catch {
    // HTML error pages and empty bodies: keep the status text
  }
  const status = response.status;
  return new ChatError('http', serverMessage ?? statusMessage(status), {
    status,
    retryable: status === 429 || status === 503,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
  });
}

/** Validate the `{success, data, message}` envelope of a 2xx response and return `data`. */
export async function readEnvelope(response: Response): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw new ChatError('protocol', `The chat server sent a response that is not JSON (${response.status}).`, {
      status: response.status,
    });
  }
  if (!isRecord(body) || typeof body.success !== 'boolean') {
    throw new ChatError('protocol', 'The chat server sent a response without the {success, data} envelope.');
  }
  if (!body.success) {
    const message = typeof body.message === 'string' && body.message ? body.message : 'The request failed.';
    throw new ChatError('http', message, { status: response.status });
  }
  if (!isRecord(body.data)) throw new ChatError('protocol', 'The chat server sent a response without data.');
  return body.data;
}

export interface Api {
  /** Raw request with timeout and error mapping; resolves only for 2xx. */
  request(method: string, path: string, body: unknown, signal: AbortSignal, withKey: boolean, timeoutMs?: number): Promise<Response>;
  createVisitor(signal: AbortSignal): Promise<VisitorData>;
  /** true when valid, false when the server does not know it (404). */
  validateVisitor(id: string, signal: AbortSignal): Promise<boolean>;
  createSession(visitorId: string, signal: AbortSignal): Promise<SessionData>;
  chat(body: ChatBody, signal: AbortSignal): Promise<ChatReply>;
  /** Opens the SSE stream; the caller reads the body. Time-outs for the body are the reader's job. */
  chatStream(body: ChatBody, signal: AbortSignal, firstByteTimeoutMs: number): Promise<Response>;
  updateVisitor(id: string, body: VisitorUpdate, signal: AbortSignal): Promise<void>;
  feedback(responseId: string, body: FeedbackBody, signal: AbortSignal): Promise<void>;
}

const requireString = (data: Record<string, unknown>, field: string, what: string): string => {
  const value = data[field];
  if (typeof value !== 'string' || !value) throw new ChatError('protocol', `The chat server sent ${what} without "${field}".`);
  return value;
};

export function createApi(config: ApiConfig): Api {
  async function request(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal,
    withKey: boolean,
    timeoutMs = config.timeoutMs,
  ): Promise<Response> {
    const linked = linkAbort(signal);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      linked.abort();
    }, timeoutMs);
    const headers: Record<string, string> = { Accept: 'application/json, text/event-stream' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (withKey) headers['X-API-Key'] = config.apiKey;
    let response: Response;
    try {
      response = await config.fetch()(joinUrl(config.apiUrl, path), {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: linked.signal,
        credentials: 'omit',
      });
    } catch (error) {
      linked.unlink();
      if (signal.aborted) throw new ChatError('aborted', 'The request was cancelled.', { cause: error });
      if (timedOut)
        throw new ChatError('timeout', `The chat server did not answer within ${Math.round(timeoutMs / 1000)} s.`, { retryable: true });
      throw networkError(error);
    } finally {
      clearTimeout(timer);
    }
    // An event stream stays linked to the caller's signal, so aborting it also ends a body still being
    // read (Stop closes the stream's connection, and the server sees it). Other bodies are read at once:
    // unlinked now, or a long-lived signal (the client's own, which polls use) would keep one listener per request.
    if (!response.ok || !response.headers.get('content-type')?.includes('event-stream')) linked.unlink();
    if (!response.ok) throw await httpError(response);
    return response;
  }

  return {
    request,
    async createVisitor(signal) {
      const data = await readEnvelope(await request('POST', '/api/chats/visitors/', {}, signal, false));
      return { id: requireString(data, 'id', 'a visitor') };
    },
    async validateVisitor(id, signal) {
      try {
        await readEnvelope(await request('GET', `/api/chats/visitors/${encodeURIComponent(id)}/validate/`, undefined, signal, false));
        return true;
      } catch (error) {
        if (ChatError.is(error) && error.status === 404) return false;
        throw error;
      }
    },
    async createSession(visitorId, signal) {
      const data = await readEnvelope(await request('POST', '/api/chats/sessions/', { visitor_id: visitorId }, signal, false));
      const session: SessionData = { id: requireString(data, 'id', 'a session') };
      if (typeof data.expires_at === 'string') session.expires_at = data.expires_at;
      return session;
    },
    async chat(body, signal) {
      const data = await readEnvelope(await request('POST', '/api/chats/messages/chat/', body, signal, true));
      if (typeof data.response !== 'string') throw new ChatError('protocol', 'The chat server sent an answer without "response".');
      const reply: ChatReply = { response: data.response };
      if (typeof data.message_id === 'string') reply.message_id = data.message_id;
      if (typeof data.response_id === 'string') reply.response_id = data.response_id;
      return reply;
    },
    async chatStream(body, signal, firstByteTimeoutMs) {
      const response = await request('POST', '/api/chats/messages/chat/stream/', body, signal, true, firstByteTimeoutMs);
      const type = response.headers.get('content-type') ?? '';
      if (!type.includes('text/event-stream')) {
        // A captive portal or proxy page, or a backend answering JSON: never parse it as events.
        if (type.includes('json')) await readEnvelope(response);
        throw new ChatError('protocol', `The chat server answered with ${type || 'no content type'} instead of an event stream.`, {
          status: response.status,
        });
      }
      return response;
    },
    async updateVisitor(id, body, signal) {
      await readEnvelope(await request('PATCH', `/api/chats/visitors/${encodeURIComponent(id)}/`, body, signal, true));
    },
    async feedback(responseId, body, signal) {
      await readEnvelope(await request('POST', `/api/chats/messages/${encodeURIComponent(responseId)}/feedback/`, body, signal, true));
    },
  };
}
