// @ts-check
/**
 * Live side of the reference backend: WebSocket rooms (one per session, on the API's own HTTP
 * server, with the `ws` package), typing state both ways, and what the agent console has read.
 * Dev/demo only: `ws` is a devDependency and never reaches dist/.
 */
import { WebSocketServer } from 'ws';

/** @typedef {import('ws').WebSocket} Socket */
/** @typedef {import('./request-log.mjs').RequestLog} RequestLog */

/**
 * @typedef {object} LiveOptions
 * @property {RequestLog} log
 * @property {number} [pingMs] ws ping interval; a socket that missed the previous pong is terminated
 * @property {number} [visitorTypingMs] how long a visitor's `typing: true` counts without a repeat
 * @property {number} [agentTypingMs] how long an agent's `typing: true` counts without a repeat
 */

/**
 * @typedef {object} SocketInfo
 * @property {string} sessionId
 * @property {string} path
 * @property {number} opened
 * @property {boolean} alive answered the last ping
 * @property {string} [why] why the server terminated it, for the request log
 */

/** @param {LiveOptions} options */
export function createLive({ log, pingMs = 25_000, visitorTypingMs = 5000, agentTypingMs = 6000 }) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, clientTracking: false });
  /** @type {Map<string, Set<Socket>>} session id -> open sockets */
  const rooms = new Map();
  /** @type {Map<Socket, SocketInfo>} */
  const infos = new Map();
  /** @type {Map<string, number>} session id -> visitor typing until (ms) */
  const visitorTyping = new Map();
  /** @type {Map<string, { name: string, until: number }>} session id -> agent typing */
  const agentTyping = new Map();
  /** @type {Map<string, number>} session id -> created_at (ms) of the newest message the agent console has read */
  const agentRead = new Map();

  const heartbeat = setInterval(() => {
    for (const [ws, info] of infos) {
      if (!info.alive) {
        info.why = 'no pong: terminated';
        ws.terminate();
        continue;
      }
      info.alive = false;
      ws.ping();
    }
  }, pingMs);
  heartbeat.unref();

  // Agent typing that was not repeated expires, and the sockets hear it stop (a closed console tab
  // must not leave "Olena is typing…" on screen).
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [sessionId, typing] of agentTyping) {
      if (typing.until <= now) setAgentTyping(sessionId, false, typing.name);
    }
    for (const [sessionId, until] of visitorTyping) if (until <= now) visitorTyping.delete(sessionId);
  }, 1000);
  sweeper.unref();

  /**
   * @param {string} sessionId
   * @param {{ type: string, payload: unknown }} frame
   */
  function broadcast(sessionId, frame) {
    const room = rooms.get(sessionId);
    if (!room) return 0;
    const text = JSON.stringify(frame);
    let sent = 0;
    for (const ws of room) {
      if (ws.readyState === ws.OPEN) {
        ws.send(text);
        sent++;
      }
    }
    return sent;
  }

  /**
   * @param {string} sessionId
   * @param {boolean} isTyping
   * @param {string} name
   */
  function setAgentTyping(sessionId, isTyping, name) {
    const was = agentTyping.get(sessionId);
    if (isTyping) agentTyping.set(sessionId, { name, until: Date.now() + agentTypingMs });
    else agentTyping.delete(sessionId);
    // Repeats keep it alive without a frame each time; a change of state or of name is sent.
    if (isTyping && was && was.name === name) return;
    if (!isTyping && !was) return;
    broadcast(sessionId, { type: 'typing', payload: { sender: 'agent', is_typing: isTyping, name } });
  }

  /**
   * A frame from the visitor's socket. Unknown types and malformed JSON are ignored.
   * @param {string} sessionId
   * @param {string} text
   */
  function onClientFrame(sessionId, text) {
    /** @type {any} */
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame && frame.type === 'typing' && frame.payload && typeof frame.payload.is_typing === 'boolean') {
      if (frame.payload.is_typing) visitorTyping.set(sessionId, Date.now() + visitorTypingMs);
      else visitorTyping.delete(sessionId);
    }
  }

  return {
    /**
     * Complete a WebSocket upgrade for a session. With `reject`, the socket is accepted and closed
     * at once with that code and reason (browsers cannot read the status of a refused upgrade, but
     * they can read a 4xxx close code).
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:stream').Duplex} socket
     * @param {Buffer} head
     * @param {string} sessionId
     * @param {string} path for the request log
     * @param {{ code: number, reason: string } | null} reject
     * @param {{ type: string, payload: unknown }} [hello] a frame sent as soon as it is open
     */
    accept(req, socket, head, sessionId, path, reject, hello) {
      const started = Date.now();
      wss.handleUpgrade(req, socket, head, (ws) => {
        /** The upgrade in the request log, with what became of it. @param {string} note */
        const logUpgrade = (note) => log.add({ time: new Date(started).toISOString(), method: 'GET', path, status: 101, ms: 0, note });
        if (reject) {
          logUpgrade(`websocket refused: close ${reject.code} ${reject.reason}`);
          ws.close(reject.code, reject.reason);
          return;
        }
        const room = rooms.get(sessionId) ?? new Set();
        rooms.set(sessionId, room);
        room.add(ws);
        infos.set(ws, { sessionId, path, opened: started, alive: true });
        logUpgrade(`websocket open (${room.size} in session)`);
        if (hello) ws.send(JSON.stringify(hello));
        ws.on('pong', () => {
          const info = infos.get(ws);
          if (info) info.alive = true;
        });
        ws.on('message', (data, isBinary) => {
          if (!isBinary) onClientFrame(sessionId, data.toString());
        });
        ws.on('error', () => {}); // e.g. a frame over maxPayload: ws closes the socket (1009) itself
        ws.on('close', (code, reason) => {
          room.delete(ws);
          if (room.size === 0) rooms.delete(sessionId);
          const why = reason.toString() || (infos.get(ws)?.why ?? '');
          log.add({
            time: new Date(started).toISOString(),
            method: 'WS',
            path,
            status: 101,
            ms: Date.now() - started,
            note: `websocket closed ${code}${why ? ` (${why})` : ''}`,
          });
          infos.delete(ws);
        });
      });
    },

    broadcast,

    /**
     * A new history message: to every socket of the session.
     * @param {string} sessionId
     * @param {import('./store.mjs').HistoryMessage} message
     */
    messageNew(sessionId, message) {
      if (message.sender === 'visitor') visitorTyping.delete(sessionId);
      if (message.sender === 'agent' && agentTyping.has(sessionId)) setAgentTyping(sessionId, false, message.agent?.name ?? '');
      return broadcast(sessionId, { type: 'message:new', payload: message });
    },

    setAgentTyping,

    /** @param {string} sessionId */
    visitorIsTyping(sessionId) {
      return (visitorTyping.get(sessionId) ?? 0) > Date.now();
    },

    /** @param {string} sessionId */
    agentTypingIn(sessionId) {
      return agentTyping.get(sessionId) ?? null;
    },

    /** @param {string} sessionId @param {number} ms created_at of the newest message the console has shown */
    markRead(sessionId, ms) {
      agentRead.set(sessionId, Math.max(ms, agentRead.get(sessionId) ?? -Infinity));
    },

    /** @param {string} sessionId */
    readUntil(sessionId) {
      return agentRead.get(sessionId) ?? -Infinity;
    },

    /** Open sockets, in one session or in all. @param {string} [sessionId] */
    socketCount(sessionId) {
      if (sessionId !== undefined) return rooms.get(sessionId)?.size ?? 0;
      return infos.size;
    },

    /** QA fault `drop-sockets`: every socket dies at once, without a close frame (clients see 1006). */
    terminateAll() {
      const count = infos.size;
      for (const [ws, info] of [...infos]) {
        info.why = 'terminated by QA fault drop-sockets';
        ws.terminate();
      }
      return count;
    },

    /**
     * Close sockets with a code the client can act on, e.g. 4404 when sessions are gone.
     * @param {(sessionId: string) => { code: number, reason: string } | null} verdict
     */
    closeWhere(verdict) {
      for (const [ws, info] of [...infos]) {
        const close = verdict(info.sessionId);
        if (close) ws.close(close.code, close.reason);
      }
    },

    /** Forget typing and read state (backend reset). */
    clear() {
      visitorTyping.clear();
      agentTyping.clear();
      agentRead.clear();
    },

    /** Stop timers and terminate every socket. */
    close() {
      clearInterval(heartbeat);
      clearInterval(sweeper);
      for (const ws of [...infos.keys()]) ws.terminate();
      wss.close();
    },
  };
}

/** @typedef {ReturnType<typeof createLive>} Live */
