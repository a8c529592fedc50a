import { createParser } from 'eventsource-parser';
import { ChatError } from '../errors';
import { isRecord, isSafeId } from '../guards';
import { readSuggestions } from '../suggestions';

/** Longest answer we keep; beyond it the stream is cut off with an error (memory stays bounded). */
export const MAX_ANSWER_LENGTH = 1_000_000;
/** Longest single event (or line) we buffer, in characters: room for an escaped full answer, no more. */
const MAX_EVENT_LENGTH = 2 * MAX_ANSWER_LENGTH;

/** The server's ids for the exchange: `message_id` (the visitor's message) and `response_id` (the answer). */
export interface StreamEnd {
  messageId?: string;
  responseId?: string;
  /** Follow-up questions the `done` event offered (undefined when it offered none). */
  suggestions?: string[] | undefined;
}

export interface ReadStreamOptions {
  signal: AbortSignal;
  /** Called with each text chunk as it arrives. */
  onChunk: (text: string) => void;
  /** The server named the exchange's ids (on any event, usually the first and the last): the answer has its key early. */
  onIds?: (ids: StreamEnd) => void;
  /**
   * The stream counts as interrupted when its first progress takes longer than this, or when it then
   * makes no progress for `idleTimeoutMs`, or when it lasts longer than `maxDurationMs`. Progress is
   * an event that adds text, names ids or ends the answer; comments, pings, empty chunks and unknown
   * events are not, so a backend that only keeps the connection warm cannot hold the chat forever.
   */
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  maxDurationMs?: number;
}

/**
 * Read the contract's SSE body (`data: {"chunk": "...", "done": false}` ... `done: true`).
 * Resolves when `done: true` arrives. Rejects with a ChatError when the stream ends early, stalls,
 * or carries something that is not the contract; what was delivered through `onChunk` stays delivered.
 */
export async function readChatStream(response: Response, options: ReadStreamOptions): Promise<StreamEnd> {
  const body = response.body;
  if (!body) throw new ChatError('protocol', 'The chat server sent an empty stream.');
  const reader = body.getReader();
  // `stream: true` keeps a multi-byte character split across network chunks intact.
  const decoder = new TextDecoder();
  let end: StreamEnd | undefined;
  let failure: ChatError | undefined;
  let length = 0;
  let progressed = false;
  const ids: StreamEnd = {};

  const tooLong = (): ChatError => new ChatError('protocol', 'The answer is too long to show in full.');
  const parser = createParser({
    // Without a bound, a line that never ends would grow in memory for as long as the server sends.
    maxBufferSize: MAX_EVENT_LENGTH,
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') failure ??= tooLong();
    },
    onEvent(event) {
      if (end || failure) return;
      if (event.event === 'error') {
        failure = new ChatError('interrupted', messageFrom(event.data) ?? 'The answer was interrupted by the server.', {
          retryable: true,
        });
        return;
      }
      // Other named events (pings, metadata) are not part of the contract: ignore them.
      if (event.event !== undefined && event.event !== 'message') return;
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        failure = new ChatError('protocol', 'The chat server sent a stream event that is not JSON.', { retryable: true });
        return;
      }
      if (!isRecord(data)) {
        failure = new ChatError('protocol', 'The chat server sent a stream event in an unexpected shape.', { retryable: true });
        return;
      }
      if (typeof data.error === 'string') {
        failure = new ChatError('interrupted', data.error.slice(0, 500), { retryable: true });
        return;
      }
      const named = readIds(data);
      if ((named.messageId && named.messageId !== ids.messageId) || (named.responseId && named.responseId !== ids.responseId)) {
        // Naming the answer is progress once; ids renamed on every event (against the contract) keep no stream alive.
        if ((named.messageId && !ids.messageId) || (named.responseId && !ids.responseId)) progressed = true;
        Object.assign(ids, named);
        // The last event's ids come with the end itself.
        if (data.done !== true) options.onIds?.({ ...ids });
      }
      const chunk = data.chunk;
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'string') {
        failure = new ChatError('protocol', 'The chat server sent a stream chunk that is not text.', { retryable: true });
        return;
      }
      if (chunk) {
        length += chunk.length;
        if (length > MAX_ANSWER_LENGTH) {
          failure = tooLong();
          return;
        }
        progressed = true;
        options.onChunk(chunk);
      }
      if (data.done === true) end = { ...ids, suggestions: readSuggestions(data.suggestions) };
    },
  });

  let lastText = '';
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let stalled = false;
  let overtime = false;
  let stalledAfterMs = options.firstByteTimeoutMs;
  /** When the stream counts as stalled, and when the timer that checks it fires. */
  let stallsAt = 0;
  let checksAt = 0;
  const checkIdle = (): void => {
    const left = stallsAt - Date.now();
    checksAt = left > 0 ? Date.now() + left : 0;
    if (left > 0) idleTimer = setTimeout(checkIdle, left);
    else {
      stalled = true;
      void reader.cancel().catch(() => undefined);
    }
  };
  // Moves the deadline; one timer per quiet period, not a clear and set per chunk (a thousand a second).
  const armIdle = (ms: number): void => {
    stalledAfterMs = ms;
    stallsAt = Date.now() + ms;
    if (checksAt && checksAt <= stallsAt) return;
    clearTimeout(idleTimer);
    checksAt = stallsAt;
    idleTimer = setTimeout(checkIdle, ms);
  };
  const maxDurationMs = options.maxDurationMs ?? 0;
  const deadline =
    maxDurationMs > 0
      ? setTimeout(() => {
          overtime = true;
          void reader.cancel().catch(() => undefined);
        }, maxDurationMs)
      : undefined;
  const onAbort = (): void => void reader.cancel().catch(() => undefined);
  options.signal.addEventListener('abort', onAbort);

  try {
    armIdle(options.firstByteTimeoutMs);
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (options.signal.aborted) throw new ChatError('aborted', 'Stopped.', { cause: error });
        throw new ChatError('interrupted', 'The connection dropped before the answer was complete.', { retryable: true, cause: error });
      }
      if (result.done) break;
      const text = decoder.decode(result.value, { stream: true });
      if (text) lastText = text;
      progressed = false;
      parser.feed(text);
      if (end || failure) break;
      if (progressed) armIdle(options.idleTimeoutMs);
    }
    if (!end && !failure) {
      const tail = decoder.decode();
      parser.feed(tail);
      // The parser holds a CR at the very end in case an LF follows; at the end of the stream it is
      // a complete line ending (CR-only streams would otherwise lose their last event).
      if (!end && !failure && (tail || lastText).endsWith('\r')) parser.feed('\n');
    }
  } finally {
    clearTimeout(idleTimer);
    clearTimeout(deadline);
    options.signal.removeEventListener('abort', onAbort);
    if (end || failure) void reader.cancel().catch(() => undefined);
  }
  if (failure) throw failure;
  if (end) return end;
  if (options.signal.aborted) throw new ChatError('aborted', 'Stopped.');
  if (overtime) {
    throw new ChatError('interrupted', `The answer took longer than ${minutes(maxDurationMs)} and was cut off.`, { retryable: true });
  }
  if (stalled) {
    throw new ChatError('interrupted', `The answer stalled for ${Math.round(stalledAfterMs / 1000)} s and was cut off.`, {
      retryable: true,
    });
  }
  throw new ChatError('interrupted', 'The connection closed before the answer was complete.', { retryable: true });
}

const minutes = (ms: number): string => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

/** Ids an event names; only ones that can go into a URL (feedback uses the answer's). */
function readIds(data: Record<string, unknown>): StreamEnd {
  const ids: StreamEnd = {};
  if (isSafeId(data.message_id)) ids.messageId = data.message_id;
  if (isSafeId(data.response_id)) ids.responseId = data.response_id;
  return ids;
}

function messageFrom(data: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    if (isRecord(parsed) && typeof parsed.message === 'string') return parsed.message.slice(0, 500);
  } catch {
    // not JSON: use the text itself
  }
  return data ? data.slice(0, 500) : undefined;
}
