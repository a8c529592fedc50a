// The reference backend's QA API (demo/server: POST /__qa/fault, POST /__qa/reset, GET /__qa/state), as
// both browser suites (test/e2e in Chromium, test/engines in Firefox and WebKit) drive it.

/** One line of the backend's request log. */
export interface LogEntry {
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  note?: string;
}

export interface QaApi {
  /** Switch a backend fault (see demo/server/lib/faults.mjs); `extra` carries `seconds`, `count`. */
  fault(name: string, extra?: Record<string, unknown>): Promise<void>;
  /** Forget every visitor, session and fault, and clear the log. */
  reset(): Promise<void>;
  /** The backend's request log. */
  log(): Promise<LogEntry[]>;
  /** How many logged requests match (method, path and optionally a status). */
  count(method: string, path: string, status?: number): Promise<number>;
}

export function qaApi(apiUrl: string): QaApi {
  const log = async (): Promise<LogEntry[]> => ((await (await fetch(`${apiUrl}/__qa/state`)).json()) as { log: LogEntry[] }).log;
  return {
    async fault(name, extra = {}) {
      const response = await fetch(`${apiUrl}/__qa/fault`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fault: name, ...extra }),
      });
      if (!response.ok) throw new Error(`fault ${name}: ${response.status} ${await response.text()}`);
    },
    async reset() {
      const response = await fetch(`${apiUrl}/__qa/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`reset: ${response.status}`);
    },
    log,
    async count(method, path, status) {
      return (await log()).filter((e) => e.method === method && e.path === path && (status === undefined || e.status === status)).length;
    },
  };
}
