// The backend contract's JSON requests (docs/openapi.yaml). One deadline covers each request from the
// first byte sent to the last byte read, the caller's signal (Stop, destroy()) ends it at any point,
// and a body is read only up to a size: a backend that stalls, trickles or floods cannot hang the chat
// or fill the page's memory.
import { linkAbort } from '../abort';
import { ChatError } from '../errors';
import { isRecord, isSafeId, isString } from '../guards';
import { parseRetryAfter } from '../retry';
import { readSuggestions } from '../suggestions';
import { MAX_ANSWER_LENGTH } from './sse';

/** The wire shapes of the backend contract. */
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
  /** Follow-up questions offered with the answer, checked (absent when none). */
  suggestions?: string[] | undefined;
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

/** Longest JSON body read, in characters, by what it holds (an answer may be escaped into 6x its length). */
const MAX_BODY = { small: 1_000_000, answer: 8_000_000, history: 8_000_000, error: 64_000 };

/** The request never reached the server (offline, DNS, refused, CORS): worth retrying. */
export const networkError = (cause?: unknown): ChatError =>
  new ChatError('network', 'Could not reach the chat server. Check your connection.', { retryable: true, cause });

/** `https://api.example.com/` and `https://api.example.com` give the same paths. */
export function joinUrl(apiUrl: string, path: string): string {
  return apiUrl.replace(/\/+$/, '') + path;
}

/** A path segment from an id, or a protocol error: an id like `..` never reaches a URL. */
function segment(id: string, what: string): string {
  if (!isSafeId(id)) throw new ChatError('protocol', `The ${what} id "${String(id).slice(0, 40)}" cannot be used in a request.`);
  return encodeURIComponent(id);
}

/** `text/event-stream; charset=utf-8` -> `text/event-stream`. */
export const mediaType = (response: Response): string => (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

const isJson = (type: string): boolean => type === 'application/json' || type.endsWith('+json');

/**
 * The body as text, at most `maxChars`. `signal` (the deadline, Stop) ends the read even where fetch
 * does not pass its abort on to the body (service workers, polyfills, test doubles).
 */
export async function readText(response: Response, maxChars: number, signal?: AbortSignal): Promise<string> {
  const tooLarge = (): ChatError =>
    new ChatError('protocol', `The chat server sent a response too large to read (over ${maxChars.toLocaleString('en')} characters).`, {
      status: response.status,
    });
  if (!response.body) {
    const text = await response.text();
    if (text.length > maxChars) throw tooLarge();
    return text;
  }
  const reader = response.body.getReader();
  const stop = (): void => void reader.cancel().catch(() => undefined);
  const aborted = new Promise<never>((_resolve, reject) => {
    const onAbort = (): void => {
      stop();
      reject(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await Promise.race([reader.read(), aborted]);
    text += decoder.decode(value, { stream: !done });
    if (text.length > maxChars) {
      stop();
      throw tooLarge();
    }
    if (done) return text;
  }
}

function statusMessage(status: number): string {
  if (status === 401) return 'The API key was refused (401). Check the apiKey option.';
  if (status === 429) return 'Too many requests; trying again shortly.';
  if (status === 409) return 'The chat server is still working on this message; trying again shortly.';
  if (status >= 500) return `The chat server had a problem (${status}).`;
  return `The chat server answered ${status}.`;
}

/** Build the error for a non-2xx response, using the envelope's `message` when there is one. */
export async function httpError(response: Response, signal?: AbortSignal): Promise<ChatError> {
  let serverMessage: string | undefined;
  try {
    const body: unknown = JSON.parse(await readText(response, MAX_BODY.error, signal));
    if (isRecord(body) && isString(body.message) && body.message) serverMessage = body.message.slice(0, 500);
  } catch {
    // HTML error pages, empty, slow or huge bodies: keep the status text
  }
  const status = response.status;
  return new ChatError('http', serverMessage ?? statusMessage(status), {
    status,
    // 409: the server is still answering an earlier attempt at this message; the retry gets that answer.
    retryable: status === 409 || status === 429 || status === 503,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
  });
}

/** Validate the `{success, data, message}` envelope of a 2xx response and return `data`. */
export async function readEnvelope(response: Response, maxChars = MAX_BODY.small, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const text = await readText(response, maxChars, signal);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ChatError('protocol', `The chat server sent a response that is not JSON (${response.status}).`, { status: response.status });
  }
  if (!isRecord(body) || typeof body.success !== 'boolean') {
    throw new ChatError('protocol', 'The chat server sent a response without the {success, data} envelope.');
  }
  if (!body.success) {
    const message = isString(body.message) && body.message ? body.message : 'The request failed.';
    throw new ChatError('http', message, { status: response.status });
  }
  if (!isRecord(body.data)) throw new ChatError('protocol', 'The chat server sent a response without data.');
  return body.data;
}

export interface Api {
  createVisitor(signal: AbortSignal): Promise<VisitorData>;
  /** true when valid, false when the server does not know it (404). */
  validateVisitor(id: string, signal: AbortSignal): Promise<boolean>;
  createSession(visitorId: string, signal: AbortSignal): Promise<SessionData>;
  chat(body: ChatBody, signal: AbortSignal): Promise<ChatReply>;
  /**
   * Opens the SSE stream: resolves with the response once its headers arrived (within `firstByteTimeoutMs`).
   * The caller reads the body; its time-outs are the reader's, and aborting `signal` ends it.
   */
  chatStream(body: ChatBody, signal: AbortSignal, firstByteTimeoutMs: number): Promise<Response>;
  /** A session's messages after `since` (the history endpoint): the envelope's data. */
  history(sessionId: string, visitorId: string, since: string | undefined, signal: AbortSignal): Promise<Record<string, unknown>>;
  updateVisitor(id: string, body: VisitorUpdate, signal: AbortSignal): Promise<void>;
  feedback(responseId: string, body: FeedbackBody, signal: AbortSignal): Promise<void>;
}

const requireString = (data: Record<string, unknown>, field: string, what: string): string => {
  const value = data[field];
  if (!isString(value) || !value) throw new ChatError('protocol', `The chat server sent ${what} without "${field}".`);
  return value;
};

/** How one request is made and its answer read. */
interface Exchange<T> {
  method: string;
  path: string;
  body?: unknown;
  withKey: boolean;
  signal: AbortSignal;
  timeoutMs?: number | undefined;
  /** Read the 2xx response while the deadline and the caller's signal still hold. */
  read(response: Response, signal: AbortSignal): Promise<T>;
  /** The response stays linked to the caller's signal after `read` (an event stream: Stop ends its body). */
  keepLinked?: boolean;
}

export function createApi(config: ApiConfig): Api {
  async function exchange<T>({
    method,
    path,
    body,
    withKey,
    signal,
    timeoutMs = config.timeoutMs,
    read,
    keepLinked,
  }: Exchange<T>): Promise<T> {
    const linked = linkAbort(signal);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      linked.abort();
    }, timeoutMs);
    const failure = (error: unknown): ChatError => {
      if (signal.aborted) return new ChatError('aborted', 'The request was cancelled.', { cause: error });
      // The server answered an error status: that is the answer, even if its body was slow to read.
      if (ChatError.is(error) && error.code === 'http') return error;
      if (timedOut)
        return new ChatError('timeout', `The chat server did not answer within ${Math.round(timeoutMs / 1000)} s.`, { retryable: true });
      return ChatError.is(error) ? error : networkError(error);
    };
    const headers: Record<string, string> = { Accept: 'application/json, text/event-stream' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (withKey) headers['X-API-Key'] = config.apiKey;
    let kept = false;
    try {
      const response = await config.fetch()(joinUrl(config.apiUrl, path), {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: linked.signal,
        credentials: 'omit',
      });
      if (!response.ok) throw await httpError(response, linked.signal);
      const result = await read(response, linked.signal);
      kept = !!keepLinked;
      return result;
    } catch (error) {
      throw failure(error);
    } finally {
      clearTimeout(timer);
      // Unlinked once read: a long-lived signal (the client's own, which polls use) keeps no listener per request.
      if (!kept) linked.unlink();
    }
  }

  const json = (method: string, path: string, body: unknown, signal: AbortSignal, withKey: boolean, maxChars = MAX_BODY.small) =>
    exchange({ method, path, body, signal, withKey, read: (response, linkedSignal) => readEnvelope(response, maxChars, linkedSignal) });

  return {
    async createVisitor(signal) {
      const data = await json('POST', '/api/chats/visitors/', {}, signal, false);
      const id = requireString(data, 'id', 'a visitor');
      segment(id, 'visitor');
      return { id };
    },
    async validateVisitor(id, signal) {
      try {
        await json('GET', `/api/chats/visitors/${segment(id, 'visitor')}/validate/`, undefined, signal, false);
        return true;
      } catch (error) {
        if (ChatError.is(error) && error.status === 404) return false;
        throw error;
      }
    },
    async createSession(visitorId, signal) {
      const data = await json('POST', '/api/chats/sessions/', { visitor_id: visitorId }, signal, false);
      const session: SessionData = { id: requireString(data, 'id', 'a session') };
      segment(session.id, 'session');
      if (isString(data.expires_at)) session.expires_at = data.expires_at;
      return session;
    },
    async chat(body, signal) {
      const data = await json('POST', '/api/chats/messages/chat/', body, signal, true, MAX_BODY.answer);
      if (!isString(data.response)) throw new ChatError('protocol', 'The chat server sent an answer without "response".');
      if (data.response.length > MAX_ANSWER_LENGTH) throw new ChatError('protocol', 'The answer is too long to show in full.');
      const reply: ChatReply = { response: data.response };
      if (isString(data.message_id)) reply.message_id = data.message_id;
      if (isString(data.response_id)) reply.response_id = data.response_id;
      reply.suggestions = readSuggestions(data.suggestions);
      return reply;
    },
    chatStream(body, signal, firstByteTimeoutMs) {
      return exchange({
        method: 'POST',
        path: '/api/chats/messages/chat/stream/',
        body,
        signal,
        withKey: true,
        timeoutMs: firstByteTimeoutMs,
        keepLinked: true,
        async read(response, linkedSignal) {
          const type = mediaType(response);
          if (type === 'text/event-stream') return response;
          // A captive portal or proxy page, or a backend answering JSON: never parse it as events.
          if (isJson(type)) await readEnvelope(response, MAX_BODY.small, linkedSignal);
          else void response.body?.cancel().catch(() => undefined);
          throw new ChatError('protocol', `The chat server answered with ${type || 'no content type'} instead of an event stream.`, {
            status: response.status,
          });
        },
      });
    },
    history(sessionId, visitorId, since, signal) {
      const query = `?visitor_id=${encodeURIComponent(visitorId)}${since ? `&since=${encodeURIComponent(since)}` : ''}`;
      return json(
        'GET',
        `/api/chats/sessions/${segment(sessionId, 'session')}/messages/${query}`,
        undefined,
        signal,
        true,
        MAX_BODY.history,
      );
    },
    async updateVisitor(id, body, signal) {
      await json('PATCH', `/api/chats/visitors/${segment(id, 'visitor')}/`, body, signal, true);
    },
    async feedback(responseId, body, signal) {
      await json('POST', `/api/chats/messages/${segment(responseId, 'answer')}/feedback/`, body, signal, true);
    },
  };
}
