// @ts-check
/**
 * QA page only: simulates losing the network for the widget, in this page.
 * Loaded BEFORE the widget so the widget sees the wrapped fetch whether it reads window.fetch at
 * call time or keeps a reference from load time.
 *
 * While "offline":
 * - fetch() to the API's /api/ paths rejects with TypeError('Failed to fetch'), as Chrome does;
 * - requests already in flight to those paths are aborted with that TypeError (a stream dies mid-way);
 * - navigator.onLine reads false, and `offline` / `online` events are dispatched on window.
 * The QA control API (/__qa/) is never blocked, so the log keeps updating.
 */
(() => {
  const config = /** @type {{ apiUrl: string } | undefined} */ (/** @type {any} */ (window).DEMO_CONFIG);
  const apiOrigin = config ? new URL(config.apiUrl).origin : '';
  const realFetch = window.fetch.bind(window);
  let offline = false;
  /** @type {Set<AbortController>} */
  const inFlight = new Set();

  /** @param {RequestInfo | URL} input */
  function blocked(input) {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let url;
    try {
      url = new URL(href, location.href);
    } catch (_e) {
      return false;
    }
    return url.origin === apiOrigin && url.pathname.indexOf('/api/') === 0;
  }

  /**
   * @param {RequestInfo | URL} input
   * @param {RequestInit} [init]
   */
  function qaFetch(input, init) {
    if (!blocked(input)) return realFetch(input, init);
    if (offline) return Promise.reject(new TypeError('Failed to fetch'));
    // Chain our own controller onto the caller's signal, so going offline can kill the request.
    const controller = new AbortController();
    const callerSignal = init?.signal || (input instanceof Request ? input.signal : null);
    if (callerSignal) {
      if (callerSignal.aborted) controller.abort(callerSignal.reason);
      else
        callerSignal.addEventListener('abort', () => {
          controller.abort(callerSignal?.reason);
        });
    }
    inFlight.add(controller);
    const request = realFetch(input, Object.assign({}, init, { signal: controller.signal }));
    // Forget the controller when a bodiless request settles. Streams keep theirs until the next
    // offline switch (aborting a finished request does nothing), a small leak acceptable on a test page.
    request.then(
      (response) => {
        if (!response.body) inFlight.delete(controller);
      },
      () => {
        inFlight.delete(controller);
      },
    );
    return request;
  }
  window.fetch = qaFetch;

  const onLineGetter = Object.getOwnPropertyDescriptor(Navigator.prototype, 'onLine');
  try {
    Object.defineProperty(Navigator.prototype, 'onLine', {
      configurable: true,
      enumerable: true,
      get: function () {
        return offline ? false : onLineGetter?.get ? onLineGetter.get.call(this) : true;
      },
    });
  } catch (e) {
    console.warn('[qa] could not override navigator.onLine', e);
  }

  /** @param {boolean} value */
  function setOffline(value) {
    if (value === offline) return;
    offline = value;
    if (offline) {
      inFlight.forEach((controller) => {
        controller.abort(new TypeError('network error'));
      });
      inFlight.clear();
    }
    window.dispatchEvent(new Event(offline ? 'offline' : 'online'));
  }

  /** @type {any} */ (window).QA_NETWORK = Object.freeze({
    setOffline: setOffline,
    isOffline: () => offline,
    /** The unwrapped fetch, for the QA panel's own calls. */
    fetch: realFetch,
  });
})();
