// @ts-check
/**
 * In-page probes, inlined as the first script of every bench page (the bench pages have no CSP).
 * They only read the widget through its accessibility contract (shadow root of <chat-sdk-widget>,
 * aria-labels), so they do not depend on class names.
 *
 * window.__bench:
 * - longtasks: [startTime, duration] of every long task (PerformanceObserver, buffered)
 * - exec: performance.now() when the SDK first read window.ChatSDK (its execution start; an accessor
 *   stands in for the global until the SDK assigns it)
 * - launcherInDom / launcherVisible / launcherPainted: when the "Open chat" button was in the DOM,
 *   first seen visible in a rAF, and after that frame (a message posted from the rAF runs after paint)
 * - frames.start()/stop(): rAF interval counter (dropped = intervals over 20 ms)
 * - stream: chunk counter on the SSE body (a fetch wrapper for /chat/stream/) and per-frame render cost
 *   (rAF start -> MutationObserver callback on the shadow root, which runs right after the widget's own
 *   rAF render), tagged with the number of chunks received so far
 */
function probe() {
  const now = () => performance.now();
  const b = {
    longtasks: /** @type {number[][]} */ ([]),
    exec: 0,
    launcherInDom: 0,
    launcherVisible: 0,
    launcherPainted: 0,
    /** @type {any} */ frames: null,
    stream: {
      chunks: 0,
      times: /** @type {number[]} */ ([]),
      renders: /** @type {number[][]} */ ([]),
      marks: /** @type {number[]} */ ([]),
      on: false,
      frameStart: 0,
      watch: () => {},
    },
    root: () => document.querySelector('chat-sdk-widget')?.shadowRoot ?? null,
    /** @param {string} prefix */
    button(prefix) {
      const r = b.root();
      if (!r) return null;
      for (const el of r.querySelectorAll('button')) if ((el.getAttribute('aria-label') || '').startsWith(prefix)) return el;
      return null;
    },
    /** @param {Element | null} el */
    visible(el) {
      if (!el?.isConnected) return false;
      const rect = el.getBoundingClientRect();
      return rect.width > 0 && rect.height > 0 && el.checkVisibility({ visibilityProperty: true });
    },
    textbox: () => b.root()?.querySelector('textarea[aria-label="Message"]') ?? null,
    log: () => b.root()?.querySelector('[role="log"]') ?? null,
  };
  // @ts-expect-error
  window.__bench = b;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}

  let sdk;
  Object.defineProperty(window, 'ChatSDK', {
    configurable: true,
    enumerable: true,
    get() {
      if (!b.exec) b.exec = now();
      return sdk;
    },
    set(v) {
      sdk = v;
    },
  });

  // Launcher: in the DOM (mutation) -> visible in a frame -> painted (message after that frame).
  const afterFrame = (/** @type {() => void} */ fn) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = fn;
    ch.port2.postMessage(0);
  };
  const t0 = now();
  const look = () => {
    const l = b.button('Open chat');
    if (l && !b.launcherInDom) b.launcherInDom = now();
    if (l && b.visible(l)) {
      b.launcherVisible = now();
      afterFrame(() => (b.launcherPainted = now()));
      return;
    }
    // Pages without an auto-init tag (blank, manual init) stop polling once parsed.
    if (document.readyState !== 'loading' && !document.querySelector('script[data-api-key]')) return;
    if (now() - t0 < 15000) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
  new MutationObserver((_, mo) => {
    if (b.button('Open chat')) {
      if (!b.launcherInDom) b.launcherInDom = now();
      mo.disconnect();
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  b.frames = {
    /** @type {number[]} */ d: [],
    on: false,
    start() {
      const f = b.frames;
      f.d = [];
      f.on = true;
      let last = 0;
      const loop = (/** @type {number} */ t) => {
        if (!f.on) return;
        if (last) f.d.push(t - last);
        last = t;
        // Stream probe: the render that follows in this frame is timed from here.
        if (b.stream.on) {
          b.stream.frameStart = now();
          afterFrame(() => (b.stream.frameStart = 0));
        }
        requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    },
    stop() {
      const f = b.frames;
      f.on = false;
      const d = f.d;
      return {
        frames: d.length,
        dropped: d.filter((x) => x > 20).length,
        // frames that should have been drawn at 60 Hz but were not
        missed: d.reduce((s, x) => s + Math.max(0, Math.round(x / (1000 / 60)) - 1), 0),
        worst: Math.round(Math.max(0, ...d) * 10) / 10,
        ms: Math.round(d.reduce((s, x) => s + x, 0)),
      };
    },
  };

  // Count SSE events on the stream's body as the widget reads it (a pass-through byte scan).
  // `?nocount` leaves fetch alone, to check what the counter itself costs.
  const fetch0 = window.fetch;
  if (!location.search.includes('nocount'))
    window.fetch = async function (input, init) {
      const res = await fetch0.call(this, input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.endsWith('/chat/stream/') || !res.body) return res;
      const s = b.stream;
      let prev = 0;
      const counter = new TransformStream({
        transform(chunk, ctl) {
          for (let i = 0; i < chunk.length; i++) {
            const c = chunk[i];
            if (c === 10 && prev === 10) {
              s.chunks++;
              s.times.push(now());
              if (s.marks.includes(s.chunks)) performance.mark(`bench-chunk-${s.chunks}`);
            }
            prev = c;
          }
          ctl.enqueue(chunk);
        },
      });
      return new Response(res.body.pipeThrough(counter), { status: res.status, statusText: res.statusText, headers: res.headers });
    };
  b.stream.watch = () => {
    const s = b.stream;
    s.on = true;
    new MutationObserver(() => {
      if (s.frameStart && s.on) s.renders.push([s.chunks, now() - s.frameStart]);
      s.frameStart = 0; // one render per frame
    }).observe(/** @type {Node} */ (b.root()), { childList: true, subtree: true, characterData: true, attributes: true });
  };
}

export const PROBE = `(${probe.toString()})();`;
