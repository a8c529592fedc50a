// @ts-check
/**
 * QA bench: starts the widget with ChatSDK.init, arms backend faults, and shows two live logs
 * (backend requests, polled from /__qa/state, and widget events). DOM is built with textContent
 * only: the logs contain server- and user-controlled text.
 */
(() => {
  /** @type {any} */
  const w = window;
  const config = /** @type {{ apiUrl: string, apiKey: string }} */ (w.DEMO_CONFIG);
  /** @type {typeof fetch} */
  const qaFetch = w.QA_NETWORK ? w.QA_NETWORK.fetch : window.fetch.bind(window);
  const STREAMING_KEY = 'qa:streaming';
  const LIVE_KEY = 'qa:live';
  const FEATURES_KEY = 'qa:features';
  const EMBEDDING_KEY = 'qa:embedding';
  const MAX_ROWS = 300;

  /** @param {string} id */
  function $(id) {
    const el = document.getElementById(id);
    if (!el) throw new Error(`missing #${id}`);
    return el;
  }
  function input(/** @type {string} */ id) {
    return /** @type {HTMLInputElement} */ ($(id));
  }

  /** @param {string} text @param {boolean} [isError] */
  function say(text, isError) {
    const status = $('status');
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  }

  function clock() {
    return `${new Date().toLocaleTimeString(undefined, { hour12: false })}.${String(Date.now() % 1000).padStart(3, '0')}`;
  }

  /**
   * @param {HTMLElement} tbody
   * @param {Array<string | number>} cells
   * @param {string} [className]
   */
  function prependRow(tbody, cells, className) {
    const tr = document.createElement('tr');
    if (className) tr.className = className;
    cells.forEach((value) => {
      const td = document.createElement('td');
      td.textContent = String(value);
      tr.appendChild(td);
    });
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.children.length > MAX_ROWS && tbody.lastChild) tbody.removeChild(tbody.lastChild);
    return tr;
  }

  /** @param {unknown} value */
  function short(value) {
    let text;
    try {
      text = JSON.stringify(value);
    } catch (_e) {
      text = String(value);
    }
    if (text === undefined) return '';
    return text.length > 220 ? `${text.slice(0, 220)}…` : text;
  }

  // ---- widget -----------------------------------------------------------------------------

  /** @type {any} */
  let widget = null;
  /** @type {Array<() => void>} */
  let unsubscribers = [];
  const EVENTS = [
    'ready',
    'message',
    'error',
    'status',
    'chat',
    'open',
    'close',
    'unread',
    'agent-typing',
    'connection',
    'feedback',
    'chat-ended',
  ];
  /** The row of the last `message` event, so a streamed answer updates one row instead of hundreds. */
  let lastMessageRow = /** @type {{ id: string, tr: HTMLTableRowElement, count: number } | null} */ (null);

  function streamingOn() {
    return sessionStorage.getItem(STREAMING_KEY) !== 'off';
  }

  /** @returns {'poll' | 'websocket' | 'off'} */
  function liveMode() {
    const value = sessionStorage.getItem(LIVE_KEY);
    return value === 'websocket' || value === 'off' ? value : 'poll';
  }

  /** Options of the optional features, kept per tab: contactForm, attachments, feedback, suggestions. */
  function features() {
    try {
      const f = JSON.parse(sessionStorage.getItem(FEATURES_KEY) || '{}');
      return {
        contactForm: f.contactForm || 'off',
        attachments: f.attachments === true,
        feedback: f.feedback === true,
        suggestions: f.suggestions === true,
      };
    } catch (_e) {
      return { contactForm: 'off', attachments: false, feedback: false, suggestions: false };
    }
  }

  /** The site's suggested questions while the switch is on: words the demo backend answers with something to see. */
  const QA_SUGGESTIONS = ['Show me Markdown', 'Show me code', 'Send an emoji test'];

  /** @param {Record<string, unknown>} change */
  function setFeatures(change) {
    sessionStorage.setItem(FEATURES_KEY, JSON.stringify(Object.assign(features(), change)));
    stopWidget();
    startWidget();
    say(`Widget re-created with ${JSON.stringify(features())}.`);
  }

  /** Layout (inline in #support-chat, or the bubble) and the teaser, kept per tab. */
  function embedding() {
    try {
      const e = JSON.parse(sessionStorage.getItem(EMBEDDING_KEY) || '{}');
      return {
        inline: e.inline === true,
        teaser: typeof e.teaser === 'string' ? e.teaser : '',
        teaserDelay: typeof e.teaserDelay === 'number' ? e.teaserDelay : 3,
      };
    } catch (_e) {
      return { inline: false, teaser: '', teaserDelay: 3 };
    }
  }

  /** @param {Record<string, unknown>} change */
  function setEmbedding(change) {
    sessionStorage.setItem(EMBEDDING_KEY, JSON.stringify(Object.assign(embedding(), change)));
    stopWidget();
    startWidget();
    say(`Widget re-created with ${JSON.stringify(embedding())}.`);
  }

  /** @param {string} name @param {any} payload */
  function logEvent(name, payload) {
    const tbody = $('events');
    if (name === 'message' && payload && payload.message) {
      const m = payload.message;
      const summary = {
        id: m.id,
        author: m.author,
        status: m.status,
        text: String(m.text || '').slice(0, 80),
        error: m.error,
        agent: m.agent,
      };
      if (lastMessageRow && lastMessageRow.id === m.id && tbody.firstChild === lastMessageRow.tr) {
        lastMessageRow.count += 1;
        const cells = lastMessageRow.tr.children;
        cells[0].textContent = clock();
        cells[1].textContent = `message ×${lastMessageRow.count}`;
        cells[2].textContent = short(summary);
        return;
      }
      const tr = prependRow(tbody, [clock(), 'message', short(summary)], 'ev-message');
      lastMessageRow = { id: m.id, tr: tr, count: 1 };
      return;
    }
    prependRow(tbody, [clock(), name, short(payload)], name === 'error' ? 'ev-error' : `ev-${name}`);
  }

  function startWidget() {
    if (!w.ChatSDK) {
      $('widget-missing').hidden = false;
      return;
    }
    const { inline, teaser, teaserDelay } = embedding();
    $('inline-chat').hidden = !inline;
    try {
      widget = w.ChatSDK.init({
        apiKey: config.apiKey,
        apiUrl: config.apiUrl,
        title: 'QA bench',
        greeting: 'Hi! Type a question, or use the test prompts on the left.',
        streaming: streamingOn(),
        live: liveMode(),
        // A teaser shows only while the window is closed.
        open: !teaser,
        target: inline ? '#support-chat' : undefined,
        teaser: teaser ? { text: teaser, delay: teaserDelay } : undefined,
        contactForm: features().contactForm,
        contactFields: 'name,email,phone',
        attachments: features().attachments,
        feedback: features().feedback,
        suggestions: features().suggestions ? QA_SUGGESTIONS : [],
      });
      unsubscribers = EVENTS.map((name) =>
        widget.on(name, (/** @type {unknown} */ payload) => {
          logEvent(name, payload);
        }),
      );
      logEvent('init', Object.assign({ streaming: streamingOn(), live: liveMode() }, features()));
    } catch (error) {
      say(`ChatSDK.init failed: ${error instanceof Error ? error.message : String(error)}`, true);
      logEvent('init failed', String(error));
    }
  }

  function stopWidget() {
    unsubscribers.forEach((off) => {
      try {
        off();
      } catch (_e) {
        /* listener already gone */
      }
    });
    unsubscribers = [];
    if (widget) {
      try {
        widget.destroy();
      } catch (e) {
        say(`destroy() threw: ${String(e)}`, true);
      }
    }
    widget = null;
    lastMessageRow = null;
  }

  /** @param {string} method @param {unknown[]} [args] */
  function call(method, args) {
    if (!widget) return say('The widget is not running.', true);
    try {
      const result = widget[method].apply(widget, args || []);
      if (result && typeof result.then === 'function') {
        result.catch((/** @type {unknown} */ error) => {
          say(`${method}() rejected: ${error instanceof Error ? error.message : String(error)}`, true);
        });
      }
    } catch (error) {
      say(`${method}() threw: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }

  // ---- backend ----------------------------------------------------------------------------

  /** @param {string} path @param {unknown} body */
  function post(path, body) {
    return qaFetch(config.apiUrl + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then((response) =>
      response.json().then((/** @type {any} */ data) => {
        if (!response.ok) throw new Error(data?.message ? data.message : `HTTP ${response.status}`);
        return data;
      }),
    );
  }

  /** @param {string} name */
  function armFault(name) {
    /** @type {{ fault: string, seconds?: number, count?: number }} */
    const body = { fault: name };
    if (name === 'slow') body.seconds = Number(input('slow-seconds').value) || 0;
    if (name === '429-next' || name === '503-next') body.seconds = Number(input('retry-seconds').value) || 0;
    if (name === 'refuse-sockets' || name === 'history-503' || name === 'unreachable')
      body.seconds = Number(input('live-seconds').value) || 0;
    if (name === 'history-flood') body.count = Number(input('flood-count').value) || 3000;
    post('/__qa/fault', body).then(
      (/** @type {any} */ data) => {
        say(`${data.message}. Backend mode: ${data.mode}.`);
        $('mode').textContent = data.mode;
      },
      (/** @type {Error} */ error) => {
        say(`Could not set the fault: ${error.message}`, true);
      },
    );
  }

  let since = 0;
  let polling = false;
  function poll() {
    if (polling || input('pause').checked) return;
    polling = true;
    qaFetch(`${config.apiUrl}/__qa/state?since=${since}`)
      .then((response) => response.json())
      .then((/** @type {any} */ state) => {
        $('mode').textContent = state.mode;
        $('counts').textContent =
          state.counts.visitors +
          ' visitors, ' +
          state.counts.sessions +
          ' sessions, ' +
          state.counts.messages +
          ' messages, ' +
          (state.counts.sockets || 0) +
          ' WebSockets';
        const tbody = $('requests');
        state.log.forEach((/** @type {any} */ e) => {
          let cls = e.status === 0 ? 'st-dropped' : e.status >= 500 ? 'st-5xx' : e.status >= 400 ? 'st-4xx' : '';
          if (e.note && /QA fault/.test(e.note)) cls += ' fault';
          const time = new Date(e.time).toLocaleTimeString(undefined, { hour12: false });
          prependRow(tbody, [e.seq, time, e.method, e.path, e.status || '—', e.ms, e.note || ''], cls.trim());
        });
        // After a backend restart seq starts again from 1: follow it instead of waiting forever.
        since = state.lastSeq < since ? 0 : state.lastSeq;
        $('mode').classList.remove('error');
      })
      .catch(() => {
        $('mode').textContent = 'unreachable';
        $('mode').classList.add('error');
      })
      .then(() => {
        polling = false;
      });
  }

  // ---- wiring -----------------------------------------------------------------------------

  function wire() {
    input('streaming').checked = streamingOn();
    input('streaming').addEventListener('change', () => {
      sessionStorage.setItem(STREAMING_KEY, input('streaming').checked ? 'on' : 'off');
      stopWidget();
      startWidget();
      say(`Widget re-created with streaming ${streamingOn() ? 'on' : 'off'}.`);
    });

    document.querySelectorAll('input[name="live"]').forEach((el) => {
      const radio = /** @type {HTMLInputElement} */ (el);
      radio.checked = radio.value === liveMode();
      radio.addEventListener('change', () => {
        if (!radio.checked) return;
        sessionStorage.setItem(LIVE_KEY, radio.value);
        stopWidget();
        startWidget();
        say(`Widget re-created with live: '${liveMode()}'.`);
      });
    });

    document.querySelectorAll('input[name="contact"]').forEach((el) => {
      const radio = /** @type {HTMLInputElement} */ (el);
      radio.checked = radio.value === features().contactForm;
      radio.addEventListener('change', () => {
        if (radio.checked) setFeatures({ contactForm: radio.value });
      });
    });
    document.querySelectorAll('input[name="layout"]').forEach((el) => {
      const radio = /** @type {HTMLInputElement} */ (el);
      radio.checked = radio.value === (embedding().inline ? 'inline' : 'bubble');
      radio.addEventListener('change', () => {
        if (radio.checked) setEmbedding({ inline: radio.value === 'inline' });
      });
    });
    input('teaser').value = embedding().teaser;
    input('teaser-delay').value = String(embedding().teaserDelay);
    $('apply-teaser').addEventListener('click', () => {
      setEmbedding({ teaser: input('teaser').value.trim(), teaserDelay: Math.max(0, Number(input('teaser-delay').value) || 0) });
    });
    ['attachments', 'feedback', 'suggestions'].forEach((name) => {
      const box = input(name);
      box.checked = /** @type {any} */ (features())[name];
      box.addEventListener('change', () => {
        /** @type {Record<string, unknown>} */
        const change = {};
        change[name] = box.checked;
        setFeatures(change);
      });
    });
    $('identify').addEventListener('click', () => {
      fetch(`${config.apiUrl}/__qa/identity-signature?external_user_id=user-42`)
        .then((r) => r.json())
        .then((body) => {
          call('identify', [
            { name: 'Ada Lovelace', email: 'ada@example.com', externalUserId: 'user-42' },
            { signature: body.data.identity_signature },
          ]);
          say('identify() sent for user-42 with its signature.');
        })
        .catch((e) => {
          say(`Could not get a signature: ${String(e)}`, true);
        });
    });
    $('sign-out').addEventListener('click', () => {
      call('reset');
      say('reset(): visitor, chats and transcript forgotten on this device.');
    });

    input('offline').addEventListener('change', () => {
      const offline = input('offline').checked;
      if (w.QA_NETWORK) w.QA_NETWORK.setOffline(offline);
      document.body.classList.toggle('is-offline', offline);
      say(offline ? 'Network offline (simulated). API requests from the widget now fail.' : 'Network back online.');
    });

    $('open').addEventListener('click', () => {
      call('open');
    });
    $('close').addEventListener('click', () => {
      call('close');
    });
    $('new-chat').addEventListener('click', () => {
      call('newChat');
    });
    $('reinit').addEventListener('click', () => {
      stopWidget();
      startWidget();
      say('Widget destroyed and created again.');
    });
    $('new-visitor').addEventListener('click', () => {
      [localStorage, sessionStorage].forEach((storage) => {
        try {
          Object.keys(storage).forEach((key) => {
            if (key.toLowerCase().indexOf('chatsdk') === 0) storage.removeItem(key);
          });
        } catch (_e) {
          /* storage blocked: nothing to clear */
        }
      });
      location.reload();
    });

    $('prompts').addEventListener('click', (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest('button[data-prompt]');
      if (button) call('send', [button.getAttribute('data-prompt')]);
    });
    document.querySelectorAll('button[data-fault]').forEach((button) => {
      button.addEventListener('click', () => {
        armFault(button.getAttribute('data-fault') || '');
      });
    });
    $('reset').addEventListener('click', () => {
      post('/__qa/reset', {}).then(
        () => {
          $('requests').textContent = '';
          say('Backend reset: visitors, sessions, log and faults are gone.');
        },
        (/** @type {Error} */ error) => {
          say(`Reset failed: ${error.message}`, true);
        },
      );
    });
    $('clear-requests').addEventListener('click', () => {
      $('requests').textContent = '';
    });
    $('clear-events').addEventListener('click', () => {
      $('events').textContent = '';
      lastMessageRow = null;
    });

    // Anything that escapes the widget reaches the host page: show it, it is a bug.
    window.addEventListener('error', (event) => {
      logEvent('window.onerror', event.message);
    });
    window.addEventListener('unhandledrejection', (event) => {
      logEvent('unhandledrejection', String(event.reason));
    });
    document.addEventListener('securitypolicyviolation', (event) => {
      logEvent('CSP violation', `${event.violatedDirective} ${event.blockedURI}`);
    });
  }

  wire();
  startWidget();
  poll();
  setInterval(poll, 500);
})();
