// @ts-check
/**
 * Agent console (QA/demo only): lists live sessions, shows the selected transcript (with the
 * visitor's files and ratings) and the visitor's details, replies as a named agent and sends typing
 * on/off, all through the reference API's /__agent/ endpoints (cross-origin, no key). Polls every
 * second. DOM is built with textContent only: transcripts, file names and metadata are
 * visitor-controlled.
 */
(() => {
  /** @type {any} */
  const w = window;
  const config = /** @type {{ apiUrl: string, apiKey: string }} */ (w.DEMO_CONFIG);
  const POLL_MS = 1000;
  /** Repeat typing: true this often while the agent keeps typing (the widget drops it after 6 s). */
  const TYPING_REPEAT_MS = 3000;
  /** Typing: false after this long without a keystroke. */
  const TYPING_IDLE_MS = 2500;
  const NAME_KEY = 'agent:name';
  const AVATAR_KEY = 'agent:avatar';

  /** @param {string} id */
  function $(id) {
    const el = document.getElementById(id);
    if (!el) throw new Error(`missing #${id}`);
    return el;
  }
  const nameInput = /** @type {HTMLInputElement} */ ($('agent-name'));
  const avatarInput = /** @type {HTMLInputElement} */ ($('agent-avatar'));
  const systemInput = /** @type {HTMLInputElement} */ ($('as-system'));
  const reply = /** @type {HTMLTextAreaElement} */ ($('reply'));
  const sendButton = /** @type {HTMLButtonElement} */ ($('send'));
  const endButton = /** @type {HTMLButtonElement} */ ($('end-chat'));

  /** @param {string} text @param {boolean} [isError] */
  function say(text, isError) {
    const status = $('status');
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  }

  /** @param {string} iso */
  function time(iso) {
    return new Date(iso).toLocaleTimeString(undefined, { hour12: false });
  }

  /** `12 KB`, `1.2 MB`, as the widget and the server write sizes. @param {number} bytes */
  function formatSize(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
  }

  /** The name to show for a session's visitor: the name they gave, else a short id. @param {any} s */
  function visitorLabel(s) {
    const name = s.visitor?.metadata?.name;
    return typeof name === 'string' && name.trim() ? name.trim() : `Visitor ${s.visitor_id.slice(0, 8)}`;
  }

  /**
   * @param {string} path
   * @param {unknown} [body] POST when given
   * @returns {Promise<any>}
   */
  function api(path, body) {
    /** @type {RequestInit} */
    const init = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
    return fetch(config.apiUrl + path, init).then((response) =>
      response.json().then((/** @type {any} */ data) => {
        if (!response.ok || !data.success) throw new Error(data?.message ? data.message : `HTTP ${response.status}`);
        return data.data;
      }),
    );
  }

  // ---- state ------------------------------------------------------------------------------

  /** @type {string | null} */
  let selected = location.hash.length > 1 ? decodeURIComponent(location.hash.slice(1)) : null;
  /** created_at of the newest message shown, the `since` of the next poll. */
  let since = '';
  /** @type {Map<string, HTMLElement>} message id -> its transcript item, so a poll never shows one twice and ratings find theirs */
  let shown = new Map();
  let polling = false;

  function agentName() {
    return nameInput.value.trim() || 'Olena';
  }

  // ---- sessions list ----------------------------------------------------------------------

  let lastRendered = '';
  /** @param {any[]} sessions */
  function renderSessions(sessions) {
    // Re-render only on change, so keyboard focus on the list survives the 1 s poll.
    const key = JSON.stringify([selected, sessions]);
    if (key === lastRendered) return;
    lastRendered = key;
    const list = $('sessions');
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.session : undefined;
    list.textContent = '';
    $('no-sessions').hidden = sessions.length > 0;
    $('session-count').textContent = sessions.length ? `(${sessions.length})` : '';
    sessions.forEach((s) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.session = s.id;
      if (s.id === selected) button.setAttribute('aria-current', 'true');

      const line1 = document.createElement('span');
      line1.className = 'line1';
      if (s.unread > 0) {
        const dot = document.createElement('span');
        dot.className = 'dot';
        dot.title = `${s.unread} unread`;
        line1.appendChild(dot);
      }
      const who = document.createElement('span');
      who.textContent = visitorLabel(s);
      line1.appendChild(who);
      if (s.visitor?.identity_verified) line1.appendChild(badge('verified', 'badge verified'));
      if (s.closed_at) line1.appendChild(badge('ended', 'badge'));
      if (s.visitor_typing) line1.appendChild(badge('typing…', 'badge typing'));
      if (s.attachments) line1.appendChild(badge(`📎 ${s.attachments}`, 'badge'));
      const ratings = s.feedback || [];
      const up = ratings.filter((/** @type {any} */ f) => f.rating === 'up').length;
      if (up) line1.appendChild(badge(`👍 ${up}`, 'badge'));
      if (ratings.length - up) line1.appendChild(badge(`👎 ${ratings.length - up}`, 'badge down'));
      line1.appendChild(badge(`${s.sockets} socket${s.sockets === 1 ? '' : 's'}`, 'badge'));

      const meta = document.createElement('span');
      meta.className = 'muted';
      meta.textContent =
        'Started ' +
        time(s.created_at) +
        ' · ' +
        s.message_count +
        ' message' +
        (s.message_count === 1 ? '' : 's') +
        (s.unread ? ` · ${s.unread} unread` : '');
      const preview = document.createElement('span');
      preview.className = 'preview';
      preview.textContent = s.last_message
        ? `${s.last_message.sender}: ${s.last_message.text.replace(/\s+/g, ' ').slice(0, 90)}`
        : 'No messages yet';

      button.append(line1, meta, preview);
      button.setAttribute(
        'aria-label',
        visitorLabel(s) +
          (s.visitor?.identity_verified ? ', verified' : '') +
          (s.unread ? `, ${s.unread} unread` : '') +
          (s.closed_at ? ', ended' : '') +
          (s.visitor_typing ? ', typing' : ''),
      );
      li.appendChild(button);
      list.appendChild(li);
      if (focused === s.id) button.focus();
    });
  }

  /** @param {string} text @param {string} className */
  function badge(text, className) {
    const span = document.createElement('span');
    span.className = className;
    span.textContent = text;
    return span;
  }

  /** @param {string | null} id */
  function select(id) {
    if (id === selected) return;
    stopTyping();
    selected = id;
    since = '';
    shown = new Map();
    lastVisitor = '';
    $('visitor-card').hidden = true;
    $('transcript').textContent = '';
    $('visitor-typing').textContent = '';
    if (id) history.replaceState(null, '', `#${encodeURIComponent(id)}`);
    reply.disabled = sendButton.disabled = endButton.disabled = !id;
    $('chat-meta').textContent = id ? `Session ${id}` : 'Pick a session on the left.';
    poll();
  }

  // ---- transcript -------------------------------------------------------------------------

  /** @param {any} m */
  function addMessage(m) {
    if (shown.has(m.id)) return;
    const box = $('transcript');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const li = document.createElement('li');
    li.className = `msg ${m.sender}`;
    li.dataset.id = m.id;
    const who = document.createElement('span');
    who.className = 'who';
    const label =
      m.sender === 'agent'
        ? `Agent ${m.agent ? m.agent.name : ''}`
        : m.sender === 'assistant'
          ? 'Assistant (AI)'
          : m.sender === 'system'
            ? 'System'
            : 'Visitor';
    who.textContent = `${label} · ${time(m.created_at)}`;
    const text = document.createElement('p');
    text.className = 'text';
    text.textContent = m.text; // raw Markdown, shown as text
    li.append(who);
    if (m.text !== '') li.append(text);
    if (m.attachments?.length) li.appendChild(attachmentList(m.attachments));
    shown.set(m.id, li);
    if (m.feedback) showRating(m.id, m.feedback);
    box.appendChild(li);
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  /**
   * The files of a message as links (new tab); images also as a small thumbnail. Only http(s) URLs
   * become links.
   * @param {any[]} files
   */
  function attachmentList(files) {
    const list = document.createElement('ul');
    list.className = 'attachments';
    files.forEach((file) => {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = `${file.name} (${formatSize(file.size)})`;
      if (typeof file.url !== 'string' || !/^https?:\/\//i.test(file.url)) {
        item.appendChild(label);
        list.appendChild(item);
        return;
      }
      const link = document.createElement('a');
      link.href = file.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.title = file.content_type;
      if (/^image\//.test(file.content_type)) {
        const img = document.createElement('img');
        img.src = file.url;
        img.alt = ''; // the label next to it names the file
        img.loading = 'lazy';
        img.addEventListener('error', () => {
          // The server forgets the oldest files past its storage cap.
          img.remove();
          label.textContent = `${file.name} (no longer stored)`;
          label.className = 'gone';
        });
        link.appendChild(img);
      }
      link.appendChild(label);
      item.appendChild(link);
      list.appendChild(item);
    });
    return list;
  }

  /**
   * Show (or replace) the visitor's rating under an answer.
   * @param {string} id
   * @param {{ rating: string, comment?: string }} feedback
   */
  function showRating(id, feedback) {
    const li = shown.get(id);
    if (!li) return;
    let line = /** @type {HTMLElement | null} */ (li.querySelector('.feedback'));
    if (!line) {
      line = document.createElement('p');
      li.appendChild(line);
    }
    line.className = `feedback ${feedback.rating === 'up' ? 'up' : 'down'}`;
    line.textContent = (feedback.rating === 'up' ? '👍 Helpful' : '👎 Not helpful') + (feedback.comment ? `: “${feedback.comment}”` : '');
  }

  let lastVisitor = '';
  /** The visitor's details: what they gave (name, email, phone, more) and a verified user id. @param {any} visitor */
  function renderVisitor(visitor) {
    const key = JSON.stringify(visitor);
    if (key === lastVisitor) return;
    lastVisitor = key;
    const card = $('visitor-card');
    const details = $('visitor-details');
    details.textContent = '';
    card.hidden = false;
    if (!visitor) {
      $('visitor-anonymous').textContent = 'The visitor is gone (backend reset or visitor forgotten).';
      $('visitor-anonymous').hidden = false;
      return;
    }
    const metadata = visitor.metadata || {};
    /** @type {Array<[string, string, HTMLElement?]>} */
    const rows = [];
    [
      ['name', 'Name'],
      ['email', 'Email'],
      ['phone', 'Phone'],
    ].forEach((pair) => {
      const value = metadata[pair[0]];
      if (value !== undefined && value !== '') rows.push([pair[1], String(value)]);
    });
    if (visitor.external_user_id) {
      const verified = badge('verified', 'badge verified');
      verified.title = `identity signature checked${visitor.identity_verified_at ? ` at ${time(visitor.identity_verified_at)}` : ''}`;
      rows.push(['User id', visitor.external_user_id, visitor.identity_verified ? verified : undefined]);
    }
    Object.keys(metadata).forEach((name) => {
      if (name === 'name' || name === 'email' || name === 'phone') return;
      const value = metadata[name];
      rows.push([name, typeof value === 'string' ? value : JSON.stringify(value)]);
    });
    $('visitor-anonymous').textContent = 'Anonymous: no contact details or user id yet.';
    $('visitor-anonymous').hidden = rows.length > 0;
    rows.forEach((row) => {
      const dt = document.createElement('dt');
      dt.textContent = row[0];
      const dd = document.createElement('dd');
      dd.textContent = row[1];
      if (row[2]) dd.append(' ', row[2]);
      details.append(dt, dd);
    });
  }

  function poll() {
    if (polling) return;
    polling = true;
    const current = selected;
    /** @type {string | null} */
    let follow = null;
    const sessions = api('/__agent/sessions').then((data) => {
      if (!selected && data.sessions.length) follow = data.sessions[0].id; // nothing chosen yet: the most recent chat
      renderSessions(data.sessions);
    });
    const messages = current
      ? api(`/__agent/sessions/${encodeURIComponent(current)}/messages${since ? `?since=${encodeURIComponent(since)}` : ''}`).then(
          (data) => {
            if (current !== selected) return;
            data.messages.forEach(addMessage);
            const last = data.messages[data.messages.length - 1];
            if (last) since = last.created_at;
            renderVisitor(data.session.visitor);
            // Ratings arrive after their answer was shown, so they come with every poll's summary.
            (data.session.feedback || []).forEach((/** @type {any} */ f) => {
              showRating(f.response_id, f);
            });
            $('visitor-typing').textContent = data.session.visitor_typing ? 'Visitor is typing…' : '';
            // An ended chat takes no replies; the visitor's next message starts a new session.
            const ended = !!data.session.closed_at;
            reply.disabled = sendButton.disabled = endButton.disabled = ended;
            $('chat-meta').textContent =
              'Session ' +
              current +
              ' · visitor ' +
              data.session.visitor_id +
              ' · ' +
              data.session.sockets +
              ' WebSocket' +
              (data.session.sockets === 1 ? '' : 's') +
              ' open · ' +
              (ended
                ? `ended ${new Date(data.session.closed_at).toLocaleString()}`
                : `expires ${new Date(data.session.expires_at).toLocaleString()}`);
          },
        )
      : Promise.resolve();
    Promise.all([sessions, messages])
      .then(
        () => {
          if ($('status').classList.contains('error')) say('');
        },
        (/** @type {Error} */ error) => {
          if (current && /not found/i.test(error.message)) {
            say('That session is gone (backend reset or visitor forgotten).', true);
            select(null);
          } else {
            say(`API unreachable: ${error.message}`, true);
          }
        },
      )
      .then(() => {
        polling = false;
        if (follow && !selected) select(follow);
      });
  }

  // ---- composer and typing ----------------------------------------------------------------

  let typingSentAt = 0;
  /** @type {number | undefined} */
  let idleTimer;

  /** @param {boolean} isTyping */
  function sendTyping(isTyping) {
    if (!selected) return;
    api(`/__agent/sessions/${encodeURIComponent(selected)}/typing`, { is_typing: isTyping, name: agentName() }).catch(
      (/** @type {Error} */ e) => {
        say(`Typing not sent: ${e.message}`, true);
      },
    );
  }

  function onKeystroke() {
    if (!selected || systemInput.checked) return;
    if (reply.value.trim() === '') return stopTyping();
    const now = Date.now();
    if (now - typingSentAt > TYPING_REPEAT_MS) {
      typingSentAt = now;
      sendTyping(true);
    }
    clearTimeout(idleTimer);
    idleTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(idleTimer);
    if (typingSentAt) sendTyping(false);
    typingSentAt = 0;
  }

  function send() {
    const text = reply.value;
    if (!selected || text.trim() === '') return;
    clearTimeout(idleTimer);
    typingSentAt = 0; // the server ends the agent's typing when the message is stored
    const avatar = avatarInput.value.trim();
    /** @type {Record<string, unknown>} */
    const body = { text: text, name: agentName() };
    if (systemInput.checked) body.sender = 'system';
    else if (avatar) body.avatar_url = avatar;
    sendButton.disabled = true;
    api(`/__agent/sessions/${encodeURIComponent(selected)}/messages`, body)
      .then(
        (message) => {
          reply.value = '';
          addMessage(message);
          say(`Sent as ${systemInput.checked ? 'a system note' : agentName()}.`);
        },
        (/** @type {Error} */ error) => {
          say(`Not sent: ${error.message}`, true);
        },
      )
      .then(() => {
        sendButton.disabled = !selected;
        reply.focus();
      });
  }

  /** End the chat: the widget shows "This chat has ended", and the visitor's next message starts a new session. */
  function endChat() {
    if (!selected) return;
    stopTyping();
    endButton.disabled = true;
    api(`/__agent/sessions/${encodeURIComponent(selected)}/close`, {}).then(
      () => {
        reply.disabled = sendButton.disabled = true;
        say('Chat ended. The visitor sees “This chat has ended”.');
        poll();
      },
      (/** @type {Error} */ error) => {
        endButton.disabled = !selected;
        say(`Not ended: ${error.message}`, true);
      },
    );
  }

  // ---- wiring -----------------------------------------------------------------------------

  try {
    nameInput.value = localStorage.getItem(NAME_KEY) || 'Olena';
    avatarInput.value = localStorage.getItem(AVATAR_KEY) || '';
  } catch (_e) {
    /* storage blocked */
  }
  $('typing-preview').textContent = agentName();
  nameInput.addEventListener('input', () => {
    $('typing-preview').textContent = agentName();
    try {
      localStorage.setItem(NAME_KEY, nameInput.value);
    } catch (_e) {
      /* storage blocked */
    }
  });
  avatarInput.addEventListener('input', () => {
    try {
      localStorage.setItem(AVATAR_KEY, avatarInput.value);
    } catch (_e) {
      /* storage blocked */
    }
  });

  $('sessions').addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest('button[data-session]');
    if (button instanceof HTMLElement) select(button.dataset.session || null);
  });
  reply.addEventListener('input', onKeystroke);
  reply.addEventListener('blur', stopTyping);
  reply.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  endButton.addEventListener('click', endChat);
  window.addEventListener('pagehide', stopTyping);

  reply.disabled = sendButton.disabled = endButton.disabled = !selected;
  poll();
  setInterval(poll, POLL_MS);
})();
