import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatError } from '../../src/core';
import { MAX_ANSWER_LENGTH, readChatStream } from '../../src/core/wire/sse';
import { controlledStream } from '../helpers/contract-server';
import { fakeTimers, flush } from './harness';

afterEach(() => {
  vi.useRealTimers();
});

const encode = (text: string) => new TextEncoder().encode(text);
const event = (chunk: string, done = false, eol = '\n') => `data: ${JSON.stringify({ chunk, done })}${eol}${eol}`;

interface ReadOpts {
  signal?: AbortSignal;
  first?: number;
  idle?: number;
  max?: number;
  onIds?: (ids: { messageId?: string; responseId?: string }) => void;
}

/** A response whose body delivers `parts` one read at a time. */
function responseOf(parts: Uint8Array[], close = true, contentType = 'text/event-stream'): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      if (close) controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': contentType } });
}

/** Split `bytes` at the given offsets. */
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    parts.push(bytes.slice(start, cut));
    start = cut;
  }
  return parts.filter((p) => p.length > 0);
}

interface Outcome {
  text: string;
  chunks: string[];
  end?: Awaited<ReturnType<typeof readChatStream>>;
  error?: ChatError;
}

/** Read a stream to its end; `seen` holds the chunks delivered so far, for a test to await. */
function read(response: Response, opts: ReadOpts = {}): Promise<Outcome> & { seen: string[] } {
  const chunks: string[] = [];
  return Object.assign(readInto(response, opts, chunks), { seen: chunks });
}

async function readInto(response: Response, opts: ReadOpts, chunks: string[]): Promise<Outcome> {
  const out: Outcome = { text: '', chunks };
  try {
    out.end = await readChatStream(response, {
      signal: opts.signal ?? new AbortController().signal,
      firstByteTimeoutMs: opts.first ?? 60_000,
      idleTimeoutMs: opts.idle ?? 60_000,
      maxDurationMs: opts.max ?? 0,
      onChunk: (chunk) => chunks.push(chunk),
      onIds: opts.onIds,
    });
  } catch (error) {
    if (!ChatError.is(error)) throw error;
    out.error = error;
  }
  out.text = chunks.join('');
  return out;
}

const readText = (text: string | Uint8Array, cuts: number[] = []) =>
  read(responseOf(splitAt(typeof text === 'string' ? encode(text) : text, cuts)));

// Multi-byte on purpose: 2-, 3- and 4-byte UTF-8, an emoji ZWJ sequence, CJK, and a JSON escape.
const REFERENCE = ['Hé', 'llo 👩‍👩‍👧 ', '漢字', ' 𝄞 "quoted"\n', 'end'];
const REFERENCE_TEXT = REFERENCE.join('');
const referenceStream = (eol = '\n') => REFERENCE.map((c, i) => event(c, i === REFERENCE.length - 1, eol)).join('');

describe('readChatStream', () => {
  it('reads the contract stream and resolves at done: true', async () => {
    const out = await readText(referenceStream());
    expect(out.error).toBeUndefined();
    expect(out.chunks).toEqual(REFERENCE);
    expect(out.end).toEqual({});
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('split at EVERY byte boundary (%s line endings): same text, no U+FFFD, no lost or extra event', async (_name, eol) => {
    const bytes = encode(referenceStream(eol));
    for (let cut = 1; cut < bytes.length; cut++) {
      const out = await readText(bytes, [cut]);
      if (out.text !== REFERENCE_TEXT || out.error || !out.end) {
        throw new Error(`cut at byte ${cut}: ${JSON.stringify(out.text)} ${out.error?.message ?? ''}`);
      }
    }
  });

  it.each([['\n'], ['\r\n'], ['\r']])('one byte per read (%j): identical to the unsplit run', async (eol) => {
    const bytes = encode(referenceStream(eol));
    const out = await readText(
      bytes,
      Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
    );
    expect(out.chunks).toEqual(REFERENCE);
    expect(out.text).not.toContain('\uFFFD');
  });

  it('every pair of cut points inside a 4-byte character and the line end around it', async () => {
    const bytes = encode(event('𝄞', true));
    const at = bytes.indexOf(0xf0);
    for (let a = at - 2; a < at + 6; a++) {
      for (let b = a + 1; b < bytes.length; b++) {
        const out = await readText(bytes, [a, b]);
        expect(out.text).toBe('𝄞');
        expect(out.end).toBeDefined();
      }
    }
  });

  it('a CRLF split between reads is one line ending, not two (no early dispatch)', async () => {
    // "\r" | "\n" across reads, inside a multi-line data field: one terminator each.
    const text = 'data: {"chunk":\r\ndata: "ab","done":true}\r\n\r\n';
    const bytes = encode(text);
    const cuts = [...text].flatMap((ch, i) => (ch === '\r' ? [i + 1] : []));
    const out = await readText(bytes, cuts);
    expect(out.error).toBeUndefined();
    expect(out.text).toBe('ab');
  });

  it('ignores comments (": ping"), unknown events, unknown fields, id and retry lines', async () => {
    const text = [
      ': ping\n\n',
      ':\n',
      'event: ping\ndata: {"chunk":"NOPE","done":true}\n\n',
      'event: metadata\ndata: not even json\n\n',
      'foo: bar\nid: 7\nretry: 1000x\nretry: 3000\n',
      'data: {"chunk":"a","done":false}\n\n',
      ': keep-alive\n',
      'event: message\ndata: {"chunk":"b","done":false}\n\n',
      'data:{"chunk":"c","done":true}\n\n',
    ].join('');
    const out = await readText(text);
    expect(out.error).toBeUndefined();
    expect(out.text).toBe('abc');
    expect(out.end).toBeDefined();
  });

  it('strips one leading BOM; a BOM later is data', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    const body = encode(event('\uFEFFx', true));
    const out = await read(responseOf([bom, body]));
    expect(out.text).toBe('\uFEFFx');
  });

  it('keeps NUL and control characters in chunks as text', async () => {
    const out = await readText(event('a\u0000b\u0007c\u001b[31m', true));
    expect(out.text).toBe('a\u0000b\u0007c\u001b[31m');
  });

  it('events with empty or null chunks just carry done', async () => {
    const out = await readText('data: {"chunk":"x"}\n\ndata: {"chunk":null}\n\ndata: {"done":true}\n\n');
    expect(out.chunks).toEqual(['x']);
    expect(out.end).toEqual({});
  });

  it('returns the ids of the final event', async () => {
    const out = await readText('data: {"chunk":"x","done":true,"message_id":"m1","response_id":"r1"}\n\n');
    expect(out.end).toEqual({ messageId: 'm1', responseId: 'r1' });
  });

  it('stops at done: true and ignores anything after it (and cancels the body)', async () => {
    const s = controlledStream();
    s.push(event('a', true) + event('AFTER', false));
    const out = await read(s.response());
    expect(out.text).toBe('a');
    await vi.waitFor(() => expect(s.cancelled).toBe(true));
  });

  it('event: error -> an "interrupted" ChatError with the server message; earlier chunks stay delivered', async () => {
    const out = await readText(`${event('partial ')}event: error\ndata: {"message":"model overloaded"}\n\n${event('late', true)}`);
    expect(out.text).toBe('partial ');
    expect(out.error).toMatchObject({ code: 'interrupted', message: 'model overloaded', retryable: true });
  });

  it('event: error with non-JSON data uses the text; with no data, a generic message', async () => {
    expect((await readText('event: error\ndata: plain words\n\n')).error?.message).toBe('plain words');
    // An event with no data line is not dispatched at all (spec), so this is a stream without done.
    expect((await readText('event: error\n\n')).error?.code).toBe('interrupted');
  });

  it('a data {"error": "..."} event is an interruption with that message', async () => {
    const out = await readText(`${event('so far')}data: {"error":"upstream timeout"}\n\n`);
    expect(out).toMatchObject({ text: 'so far', error: { code: 'interrupted', message: 'upstream timeout' } });
  });

  it.each([
    ['not JSON', 'data: {"chunk": "x"\n\n'],
    ['an array', 'data: [1,2]\n\n'],
    ['a string', 'data: "chunk"\n\n'],
    ['null', 'data: null\n\n'],
    ['a number chunk', 'data: {"chunk": 5}\n\n'],
    ['an object chunk', 'data: {"chunk": {"text":"x"}}\n\n'],
  ])('a malformed data line (%s) -> protocol ChatError, earlier chunks kept', async (_name, bad) => {
    const out = await readText(event('kept') + bad + event('never', true));
    expect(out.text).toBe('kept');
    expect(out.error).toMatchObject({ name: 'ChatError', code: 'protocol' });
  });

  it('a stream that closes before done -> interrupted, with the partial text delivered', async () => {
    const out = await readText(event('Hello') + event(' wor'));
    expect(out.text).toBe('Hello wor');
    expect(out.error).toMatchObject({ code: 'interrupted', retryable: true });
  });

  it('a final event without its blank line is not dispatched, and the stream counts as interrupted', async () => {
    const out = await readText(`${event('a')}data: {"chunk":"b","done":true}\n`);
    expect(out.text).toBe('a');
    expect(out.error?.code).toBe('interrupted');
  });

  it('a socket reset mid-stream -> interrupted with the partial kept', async () => {
    const s = controlledStream();
    const pending = read(s.response());
    s.chunk('one ');
    s.chunk('two');
    await vi.waitFor(() => expect(pending.seen).toEqual(['one ', 'two']));
    s.cut();
    const out = await pending;
    expect(out.text).toBe('one two');
    expect(out.error).toMatchObject({ code: 'interrupted', message: expect.stringMatching(/dropped/) });
  });

  it('an empty body (null) or an empty stream is a clear error', async () => {
    expect((await read(new Response(null))).error?.code).toBe('protocol');
    expect((await read(responseOf([]))).error?.code).toBe('interrupted');
  });

  it('invalid UTF-8 bytes become U+FFFD, no crash', async () => {
    const before = encode('data: {"chunk":"a');
    const after = encode('b","done":true}\n\n');
    const out = await read(responseOf([before, new Uint8Array([0xff, 0xc3]), new Uint8Array([0x28]), after]));
    expect(out.error).toBeUndefined();
    expect(out.text).toBe('a\uFFFD\uFFFD(b');
  });

  it('multi-line data is joined with LF', async () => {
    const out = await readText('data: {"chunk":\ndata: "x\\ny",\ndata: "done":true}\n\n');
    expect(out.text).toBe('x\ny');
  });

  it('aborting the signal ends the read at once as "aborted", keeps what came, and cancels the body', async () => {
    const s = controlledStream();
    const controller = new AbortController();
    const pending = read(s.response(), { signal: controller.signal });
    s.chunk('tok1 ');
    s.chunk('tok2');
    await vi.waitFor(() => expect(pending.seen).toEqual(['tok1 ', 'tok2']));
    controller.abort();
    const out = await pending;
    expect(out.text).toBe('tok1 tok2');
    expect(out.error?.code).toBe('aborted');
    await vi.waitFor(() => expect(s.cancelled).toBe(true));
  });

  it(`caps the answer at ${MAX_ANSWER_LENGTH} characters: a protocol error, delivered text within the cap`, async () => {
    const piece = 'x'.repeat(100_000);
    const text = Array.from({ length: 11 }, () => event(piece)).join('') + event('', true);
    const out = await readText(text);
    expect(out.error).toMatchObject({ code: 'protocol', message: expect.stringMatching(/too long/) });
    expect(out.text.length).toBeLessThanOrEqual(MAX_ANSWER_LENGTH);
    expect(out.text.length).toBe(1_000_000);
  });

  it('exactly the cap is fine', async () => {
    const out = await readText(event('y'.repeat(MAX_ANSWER_LENGTH), true));
    expect(out.error).toBeUndefined();
    expect(out.text.length).toBe(MAX_ANSWER_LENGTH);
  });

  it('a line that never ends (bytes without a newline) is cut off with bounded memory', async () => {
    let pulled = 0;
    const chunk = encode(`data: ${'z'.repeat(64 * 1024 - 6)}`);
    const limit = 40 * 1024 * 1024;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= limit) return controller.close();
        pulled += chunk.length;
        controller.enqueue(pulled === chunk.length ? chunk : chunk.subarray(6));
      },
    });
    const out = await read(new Response(body, { headers: { 'content-type': 'text/event-stream' } }));
    expect(out.error?.code).toBe('protocol');
    expect(out.error?.message).toMatch(/too long/);
    expect(out.text).toBe('');
    // It stopped reading long before the server stopped sending.
    expect(pulled).toBeLessThan(limit / 2);
  });

  it('first-byte timeout: nothing at all for firstByteTimeoutMs -> interrupted ("stalled"); not earlier', async () => {
    fakeTimers();
    const s = controlledStream();
    let outcome: Outcome | undefined;
    void read(s.response(), { first: 5000, idle: 1000 }).then((o) => (outcome = o));
    await vi.advanceTimersByTimeAsync(4999);
    await flush();
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2);
    await flush();
    expect(outcome?.error).toMatchObject({ code: 'interrupted', retryable: true, message: expect.stringMatching(/stalled for 5 s/) });
    expect(s.cancelled).toBe(true);
  });

  it('idle timeout: chunks keep it alive; silence after them -> interrupted with the partial kept', async () => {
    fakeTimers();
    const s = controlledStream();
    let outcome: Outcome | undefined;
    void read(s.response(), { first: 5000, idle: 1000 }).then((o) => (outcome = o));
    const renamed = (n: number) => `data: ${JSON.stringify({ chunk: '', done: false, response_id: `r${n}` })}\n\n`;
    s.push(renamed(0));
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(900);
      s.chunk(`${i}`);
      await vi.advanceTimersByTimeAsync(0);
    }
    // 4.5 s in, more than idleTimeoutMs in total but never idle that long: still reading.
    expect(outcome).toBeUndefined();
    // Keep-alives are not progress: comments, empty chunks, unknown events and ids renamed on every event
    // (the answer was named on its first one) do not hold it open.
    for (const ping of [renamed(1), ': ping\n\n', renamed(2), event(''), renamed(3), 'event: ping\ndata: {}\n\n']) {
      await vi.advanceTimersByTimeAsync(150);
      s.push(ping);
    }
    await vi.advanceTimersByTimeAsync(99);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2);
    await flush();
    expect(outcome?.text).toBe('01234');
    expect(outcome?.error).toMatchObject({ code: 'interrupted', message: expect.stringMatching(/stalled for 1 s/) });
    expect(s.cancelled).toBe(true);
  });

  it('a stream still going after maxDurationMs is cut off as interrupted, keeping its text', async () => {
    fakeTimers();
    const s = controlledStream();
    let outcome: Outcome | undefined;
    void read(s.response(), { idle: 5000, max: 120_000 }).then((o) => (outcome = o));
    for (let second = 0; second < 119; second++) {
      s.chunk('.');
      await vi.advanceTimersByTimeAsync(1000);
    }
    // 119 s in: still reading.
    await vi.advanceTimersByTimeAsync(999);
    await flush();
    expect(outcome).toBeUndefined();
    // Just after 120 s: cut off.
    await vi.advanceTimersByTimeAsync(2);
    await flush();
    expect(outcome?.text).toBe('.'.repeat(119));
    expect(outcome?.error).toMatchObject({
      code: 'interrupted',
      retryable: true,
      message: 'The answer took longer than 2 min and was cut off.',
    });
    expect(s.cancelled).toBe(true);
  });

  it('ids named on the first event are reported at once, and come with the end; ids that cannot go into a URL are ignored', async () => {
    const named: unknown[] = [];
    const body =
      `data: ${JSON.stringify({ chunk: 'Hi', done: false, message_id: 'm1', response_id: 'r1' })}\n\n` +
      `data: ${JSON.stringify({ chunk: '!', done: false, response_id: '../r1' })}\n\n` +
      `data: ${JSON.stringify({ chunk: '', done: true, message_id: 'm1', response_id: 'r1' })}\n\n`;
    const outcome = await read(responseOf([encode(body)]), { onIds: (ids) => named.push(ids) });
    expect(named).toEqual([{ messageId: 'm1', responseId: 'r1' }]);
    expect(outcome).toMatchObject({ text: 'Hi!', end: { messageId: 'm1', responseId: 'r1' } });
  });
});
