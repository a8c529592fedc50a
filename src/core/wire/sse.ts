import { createParser } from 'eventsource-parser';
import { ChatError } from '../errors';
import { isRecord } from '../guards';

/** Longest answer we keep; beyond it the stream is cut off with an error (memory stays bounded). */
export const MAX_ANSWER_LENGTH = 1_000_000;
/** Longest single event (or line) we buffer, in characters: room for an escaped full answer, no more. */
const MAX_EVENT_LENGTH = 2 * MAX_ANSWER_LENGTH;

export interface StreamEnd {
  messageId?: string;
  responseId?: string;
}

export interface ReadStreamOptions {
  signal: AbortSignal;
  /** Called with each text chunk as it arrives. */
  onChunk: (text: string) => void;
  /** The stream counts as interrupted when its first byte takes longer than this... */
  firstByteTimeoutMs: number;
  /** ...or when it then goes silent for this long. */
  idleTimeoutMs: number;
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
        options.onChunk(chunk);
      }
      if (data.done === true) {
        end = {};
        if (typeof data.message_id === 'string') end.messageId = data.message_id;
        if (typeof data.response_id === 'string') end.responseId = data.response_id;
      }
    },
  });

  let lastText = '';
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let stalled = false;
  let stalledAfterMs = options.firstByteTimeoutMs;
  const armIdle = (ms: number): void => {
    clearTimeout(idleTimer);
    stalledAfterMs = ms;
    idleTimer = setTimeout(() => {
      stalled = true;
      void reader.cancel().catch(() => undefined);
    }, ms);
  };
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
      armIdle(options.idleTimeoutMs);
      const text = decoder.decode(result.value, { stream: true });
      if (text) lastText = text;
      parser.feed(text);
      if (end || failure) break;
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
    options.signal.removeEventListener('abort', onAbort);
    if (end || failure) void reader.cancel().catch(() => undefined);
  }
  if (failure) throw failure;
  if (end) return end;
  if (options.signal.aborted) throw new ChatError('aborted', 'Stopped.');
  if (stalled) {
    throw new ChatError('interrupted', `The answer stalled for ${Math.round(stalledAfterMs / 1000)} s and was cut off.`, {
      retryable: true,
    });
  }
  throw new ChatError('interrupted', 'The connection closed before the answer was complete.', { retryable: true });
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
