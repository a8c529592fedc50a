// An XMLHttpRequest double for uploads: records what was sent, and lets a test drive progress,
// the answer, a network failure or an abort. Not a test file itself.

type ProgressHandler = ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null;

export class FakeXHR {
  static sent: FakeXHR[] = [];
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: FormData | null = null;
  upload: { onprogress: ProgressHandler } = { onprogress: null };
  status = 0;
  responseText = '';
  aborted = false;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;
  private responseHeaders: Record<string, string> = {};

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name.toLowerCase()] = value;
  }
  getResponseHeader(name: string): string | null {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }
  send(body: FormData): void {
    this.body = body;
    FakeXHR.sent.push(this);
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }

  // ---- driven by tests ----
  progress(loaded: number, total: number): void {
    this.upload.onprogress?.({ lengthComputable: true, loaded, total });
  }
  respond(status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): void {
    this.status = status;
    this.responseText = typeof body === 'string' ? body : JSON.stringify(body);
    this.responseHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.onload?.();
  }
  fail(): void {
    this.onerror?.();
  }
  /** The multipart fields as sent. */
  field(name: string): FormDataEntryValue | null {
    return this.body?.get(name) ?? null;
  }
}

export const asXHR = (): typeof XMLHttpRequest => FakeXHR as unknown as typeof XMLHttpRequest;
