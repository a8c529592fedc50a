// @ts-check
/**
 * QA bench: starts the widget with ChatSDK.init, arms backend faults, and shows two live logs
 * (backend requests, polled from /__qa/state, and widget events). DOM is built with textContent
 * only: the logs contain server- and user-controlled text.
 */
(function () {
  'use strict';
  /** @type {any} */
  var w = window;
  var config = /** @type {{ apiUrl: string, apiKey: string }} */ (w.DEMO_CONFIG);
  /** @type {typeof fetch} */
  var qaFetch = w.QA_NETWORK ? w.QA_NETWORK.fetch : window.fetch.bind(window);
  var STREAMING_KEY = 'qa:streaming';
  var LIVE_KEY = 'qa:live';
  var FEATURES_KEY = 'qa:features';
  var MAX_ROWS = 300;

  /** @param {string} id */
  function $(id) {
    var el = document.getElementById(id);
    if (!el) throw new Error('missing #' + id);
    return el;
  }
  function input(/** @type {string} */ id) {
    return /** @type {HTMLInputElement} */ ($(id));
  }

  /** @param {string} text @param {boolean} [isError] */
  function say(text, isError) {
    var status = $('status');
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  }

  function clock() {
    return new Date().toLocaleTimeString(undefined, { hour12: false }) + '.' + String(Date.now() % 1000).padStart(3, '0');
  }

  /**
   * @param {HTMLElement} tbody
   * @param {Array<string | number>} cells
   * @param {string} [className]
   */
  function prependRow(tbody, cells, className) {
    var tr = document.createElement('tr');
    if (className) tr.className = className;
    cells.forEach(function (value) {
      var td = document.createElement('td');
      td.textContent = String(value);
      tr.appendChild(td);
    });
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.children.length > MAX_ROWS && tbody.lastChild) tbody.removeChild(tbody.lastChild);
    return tr;
  }

  /** @param {unknown} value */
  function short(value) {
    var text;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      text = String(value);
    }
    if (text === undefined) return '';
    return text.length > 220 ? text.slice(0, 220) + '…' : text;
  }

  // ---- widget -----------------------------------------------------------------------------

  /** @type {any} */
  var widget = null;
  /** @type {Array<() => void>} */
  var unsubscribers = [];
  var EVENTS = ['ready', 'message', 'error', 'status', 'chat', 'open', 'close', 'unread', 'agent-typing', 'connection', 'feedback'];
  /** The row of the last `message` event, so a streamed answer updates one row instead of hundreds. */
  var lastMessageRow = /** @type {{ id: string, tr: HTMLTableRowElement, count: number } | null} */ (null);

  function streamingOn() {
    return sessionStorage.getItem(STREAMING_KEY) !== 'off';
  }

  /** @returns {'poll' | 'websocket' | 'off'} */
  function liveMode() {
    var value = sessionStorage.getItem(LIVE_KEY);
    return value === 'websocket' || value === 'off' ? value : 'poll';
  }

  /** Options of the optional features, kept per tab: contactForm, attachments, feedback. */
  function features() {
    try {
      var f = JSON.parse(sessionStorage.getItem(FEATURES_KEY) || '{}');
      return { contactForm: f.contactForm || 'off', attachments: f.attachments === true, feedback: f.feedback === true };
    } catch (e) {
      return { contactForm: 'off', attachments: false, feedback: false };
    }
  }

  /** @param {Record<string, unknown>} change */
  function setFeatures(change) {
    sessionStorage.setItem(FEATURES_KEY, JSON.stringify(Object.assign(features(), change)));
    stopWidget();
    startWidget();
    say('Widget re-created with ' + JSON.stringify(features()) + '.');
  }

  /** @param {string} name @param {any} payload */
  function logEvent(name, payload) {
    var tbody = $('events');
    if (name === 'message' && payload && payload.message) {
      var m = payload.message;
      var summary = { id: m.id, author: m.author, status: m.status, text: String(m.text || '').slice(0, 80), error: m.error, agent: m.agent };
      if (lastMessageRow && lastMessageRow.id === m.id && tbody.firstChild === lastMessageRow.tr) {
        lastMessageRow.count += 1;
        var cells = lastMessageRow.tr.children;
        cells[0].textContent = clock();
        cells[1].textContent = 'message ×' + lastMessageRow.count;
        cells[2].textContent = short(summary);
        return;
      }
      var tr = prependRow(tbody, [clock(), 'message', short(summary)], 'ev-message');
      lastMessageRow = { id: m.id, tr: tr, count: 1 };
      return;
    }
    prependRow(tbody, [clock(), name, short(payload)], name === 'error' ? 'ev-error' : 'ev-' + name);
  }

  function startWidget() {
    if (!w.ChatSDK) {
      $('widget-missing').hidden = false;
      return;
    }
    try {
      widget = w.ChatSDK.init({
        apiKey: config.apiKey,
        apiUrl: config.apiUrl,
        title: 'QA bench',
        greeting: 'Hi! Type a question, or use the test prompts on the left.',
        streaming: streamingOn(),
        live: liveMode(),
        open: true,
        contactForm: features().contactForm,
        contactFields: 'name,email,phone',
        attachments: features().attachments,
        feedback: features().feedback,
      });
      unsubscribers = EVENTS.map(function (name) {
        return widget.on(name, function (/** @type {unknown} */ payload) {
          logEvent(name, payload);
        });
      });
      logEvent('init', Object.assign({ streaming: streamingOn(), live: liveMode() }, features()));
    } catch (error) {
      say('ChatSDK.init failed: ' + (error instanceof Error ? error.message : String(error)), true);
      logEvent('init failed', String(error));
    }
  }

  function stopWidget() {
    unsubscribers.forEach(function (off) {
      try { off(); } catch (e) { /* listener already gone */ }
    });
    unsubscribers = [];
    if (widget) {
      try { widget.destroy(); } catch (e) { say('destroy() threw: ' + String(e), true); }
    }
    widget = null;
    lastMessageRow = null;
  }

  /** @param {string} method @param {unknown[]} [args] */
  function call(method, args) {
    if (!widget) return say('The widget is not running.', true);
    try {
      var result = widget[method].apply(widget, args || []);
      if (result && typeof result.then === 'function') {
        result.catch(function (/** @type {unknown} */ error) {
          say(method + '() rejected: ' + (error instanceof Error ? error.message : String(error)), true);
        });
      }
    } catch (error) {
      say(method + '() threw: ' + (error instanceof Error ? error.message : String(error)), true);
    }
  }

  // ---- backend ----------------------------------------------------------------------------

  /** @param {string} path @param {unknown} body */
  function post(path, body) {
    return qaFetch(config.apiUrl + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (/** @type {any} */ data) {
        if (!response.ok) throw new Error(data && data.message ? data.message : 'HTTP ' + response.status);
        return data;
      });
    });
  }

  /** @param {string} name */
  function armFault(name) {
    /** @type {{ fault: string, seconds?: number }} */
    var body = { fault: name };
    if (name === 'slow') body.seconds = Number(input('slow-seconds').value) || 0;
    if (name === '429-next' || name === '503-next') body.seconds = Number(input('retry-seconds').value) || 0;
    if (name === 'refuse-sockets' || name === 'history-503' || name === 'unreachable') body.seconds = Number(input('live-seconds').value) || 0;
    post('/__qa/fault', body).then(
      function (/** @type {any} */ data) {
        say(data.message + '. Backend mode: ' + data.mode + '.');
        $('mode').textContent = data.mode;
      },
      function (/** @type {Error} */ error) {
        say('Could not set the fault: ' + error.message, true);
      },
    );
  }

  var since = 0;
  var polling = false;
  function poll() {
    if (polling || input('pause').checked) return;
    polling = true;
    qaFetch(config.apiUrl + '/__qa/state?since=' + since)
      .then(function (response) { return response.json(); })
      .then(function (/** @type {any} */ state) {
        $('mode').textContent = state.mode;
        $('counts').textContent = state.counts.visitors + ' visitors, ' + state.counts.sessions + ' sessions, ' + state.counts.messages + ' messages, ' +
          (state.counts.sockets || 0) + ' WebSockets';
        var tbody = $('requests');
        state.log.forEach(function (/** @type {any} */ e) {
          var cls = e.status === 0 ? 'st-dropped' : e.status >= 500 ? 'st-5xx' : e.status >= 400 ? 'st-4xx' : '';
          if (e.note && /QA fault/.test(e.note)) cls += ' fault';
          var time = new Date(e.time).toLocaleTimeString(undefined, { hour12: false });
          prependRow(tbody, [e.seq, time, e.method, e.path, e.status || '—', e.ms, e.note || ''], cls.trim());
        });
        // After a backend restart seq starts again from 1: follow it instead of waiting forever.
        since = state.lastSeq < since ? 0 : state.lastSeq;
        $('mode').classList.remove('error');
      })
      .catch(function () {
        $('mode').textContent = 'unreachable';
        $('mode').classList.add('error');
      })
      .then(function () { polling = false; });
  }

  // ---- wiring -----------------------------------------------------------------------------

  function wire() {
    input('streaming').checked = streamingOn();
    input('streaming').addEventListener('change', function () {
      sessionStorage.setItem(STREAMING_KEY, input('streaming').checked ? 'on' : 'off');
      stopWidget();
      startWidget();
      say('Widget re-created with streaming ' + (streamingOn() ? 'on' : 'off') + '.');
    });

    document.querySelectorAll('input[name="live"]').forEach(function (el) {
      var radio = /** @type {HTMLInputElement} */ (el);
      radio.checked = radio.value === liveMode();
      radio.addEventListener('change', function () {
        if (!radio.checked) return;
        sessionStorage.setItem(LIVE_KEY, radio.value);
        stopWidget();
        startWidget();
        say('Widget re-created with live: \'' + liveMode() + '\'.');
      });
    });

    document.querySelectorAll('input[name="contact"]').forEach(function (el) {
      var radio = /** @type {HTMLInputElement} */ (el);
      radio.checked = radio.value === features().contactForm;
      radio.addEventListener('change', function () {
        if (radio.checked) setFeatures({ contactForm: radio.value });
      });
    });
    ['attachments', 'feedback'].forEach(function (name) {
      var box = input(name);
      box.checked = /** @type {any} */ (features())[name];
      box.addEventListener('change', function () {
        /** @type {Record<string, unknown>} */
        var change = {};
        change[name] = box.checked;
        setFeatures(change);
      });
    });
    $('identify').addEventListener('click', function () {
      fetch(config.apiUrl + '/__qa/identity-signature?external_user_id=user-42')
        .then(function (r) { return r.json(); })
        .then(function (body) {
          call('identify', [{ name: 'Ada Lovelace', email: 'ada@example.com', externalUserId: 'user-42' }, { signature: body.data.identity_signature }]);
          say('identify() sent for user-42 with its signature.');
        })
        .catch(function (e) { say('Could not get a signature: ' + String(e), true); });
    });
    $('sign-out').addEventListener('click', function () {
      call('reset');
      say('reset(): visitor, chats and transcript forgotten on this device.');
    });

    input('offline').addEventListener('change', function () {
      var offline = input('offline').checked;
      if (w.QA_NETWORK) w.QA_NETWORK.setOffline(offline);
      document.body.classList.toggle('is-offline', offline);
      say(offline ? 'Network offline (simulated). API requests from the widget now fail.' : 'Network back online.');
    });

    $('open').addEventListener('click', function () { call('open'); });
    $('close').addEventListener('click', function () { call('close'); });
    $('new-chat').addEventListener('click', function () { call('newChat'); });
    $('reinit').addEventListener('click', function () {
      stopWidget();
      startWidget();
      say('Widget destroyed and created again.');
    });
    $('new-visitor').addEventListener('click', function () {
      [localStorage, sessionStorage].forEach(function (storage) {
        try {
          Object.keys(storage).forEach(function (key) {
            if (key.toLowerCase().indexOf('chatsdk') === 0) storage.removeItem(key);
          });
        } catch (e) { /* storage blocked: nothing to clear */ }
      });
      location.reload();
    });

    $('prompts').addEventListener('click', function (event) {
      var button = /** @type {HTMLElement} */ (event.target).closest('button[data-prompt]');
      if (button) call('send', [button.getAttribute('data-prompt')]);
    });
    document.querySelectorAll('button[data-fault]').forEach(function (button) {
      button.addEventListener('click', function () { armFault(button.getAttribute('data-fault') || ''); });
    });
    $('reset').addEventListener('click', function () {
      post('/__qa/reset', {}).then(
        function () {
          $('requests').textContent = '';
          say('Backend reset: visitors, sessions, log and faults are gone.');
        },
        function (/** @type {Error} */ error) { say('Reset failed: ' + error.message, true); },
      );
    });
    $('clear-requests').addEventListener('click', function () { $('requests').textContent = ''; });
    $('clear-events').addEventListener('click', function () {
      $('events').textContent = '';
      lastMessageRow = null;
    });

    // Anything that escapes the widget reaches the host page: show it, it is a bug.
    window.addEventListener('error', function (event) {
      logEvent('window.onerror', event.message);
    });
    window.addEventListener('unhandledrejection', function (event) {
      logEvent('unhandledrejection', String(event.reason));
    });
    document.addEventListener('securitypolicyviolation', function (event) {
      logEvent('CSP violation', event.violatedDirective + ' ' + event.blockedURI);
    });
  }

  wire();
  startWidget();
  poll();
  setInterval(poll, 500);
})();
