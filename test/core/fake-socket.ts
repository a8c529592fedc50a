// A WebSocket double for the core's live updates: the test opens, fails, closes it and pushes frames.

/** A WebSocket double: the test opens, fails, closes it and pushes frames. */
export function fakeSockets() {
  const all: FakeSocket[] = [];
  class FakeSocket {
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onclose: ((event: unknown) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    sent: unknown[] = [];
    closed = false;
    constructor(readonly url: string) {
      all.push(this);
    }
    send(data: string) {
      this.sent.push(JSON.parse(data));
    }
    close() {
      this.closed = true;
    }
    open() {
      this.onopen?.({});
    }
    /** The connection failed or dropped: browsers fire error, then close. */
    fail() {
      this.onerror?.({});
      this.onclose?.({});
    }
    frame(data: unknown) {
      this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
    }
  }
  return { WebSocket: FakeSocket as unknown as typeof WebSocket, all, last: () => all[all.length - 1]! };
}
