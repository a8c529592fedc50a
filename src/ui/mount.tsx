/** @jsxRuntime classic */
/** @jsx h */
import { h, render } from 'preact';
import type { ContactField } from '../core/contact';
import { DEFAULTS } from '../core/options';
import type { ChatClient, ChatMessage, ChatState } from '../core/types';
import { Window, atBottom, reason, type View } from './app';
import { loadExtras } from './load-extras';
import { CHAT } from './icons';
import { fmt, type Strings } from './i18n';
import { css } from './styles';

export interface MountOptions {
  /** The client, or a function that creates it when first needed (the launcher alone needs none). */
  client: ChatClient | (() => ChatClient);
  strings: Strings;
  rtl?: boolean;
  greeting?: string;
  position?: 'right' | 'left';
  theme?: 'auto' | 'light' | 'dark';
  primaryColor?: string;
  zIndex?: number;
  maxMessageLength?: number;
  /** Nonce for the `<style>` fallback where constructable stylesheets are unsupported. */
  nonce?: string;
  /** Play a short tone for a new agent message while the window is closed or the page hidden. */
  sound?: boolean;
  /** Language for dates (the conversation list). */
  locale?: string;
  contactForm?: 'off' | 'before' | 'after-first-message';
  contactFields?: ContactField[];
  attachments?: boolean;
  maxFileSize?: number;
  feedback?: boolean;
  /** Called after the window opened or closed. */
  onToggle?(open: boolean): void;
  /** Scroll position test (injectable for layout-less test DOMs). */
  atBottom?(el: HTMLElement): boolean;
}

export interface WidgetView {
  host: HTMLElement;
  open(): void;
  close(): void;
  toggle(): void;
  isOpen(): boolean;
  /** Start following the client (first storage read). Idempotent. */
  start(): void;
  destroy(): void;
}

/** Text colour with the better contrast on a hex background (white unless the colour is light). */
export const onColor = (c: string): string => {
  const m = /^#(\w\w?)(\w\w?)(\w\w?)$/.exec(c);
  if (!m || c.length % 3 != 1) return '#fff';
  let lum = 0;
  for (let i = 1; i < 4; i++) {
    const x = parseInt(m[i]!.length < 2 ? m[i]! + m[i] : m[i]!, 16) / 255;
    lum += [0.2126, 0.7152, 0.0722][i - 1]! * (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
  }
  return lum > 0.179 ? '#111' : '#fff';
};

/** Create the host element and its shadow root, draw the launcher. The window is built on first open. */
export function mountWidget(o: MountOptions): WidgetView {
  const cl = typeof o.client == 'function' ? o.client : () => o.client as ChatClient;
  const host = document.createElement('chat-sdk-widget');
  const root = host.attachShadow({ mode: 'open' });
  const addCss = (text: string) => {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    } catch {
      const el = root.appendChild(document.createElement('style'));
      if (o.nonce) el.nonce = o.nonce;
      el.textContent = text;
    }
  };
  addCss(css);
  /** An element with attributes, appended to `parent` (SVG elements with `svg`). */
  const mk = (tag: string, parent: Node, a: Record<string, string> = {}, svg?: 1): any => {
    const e = parent.appendChild(svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag));
    for (const k in a) e.setAttribute(k, a[k]!);
    return e;
  };
  const box = mk('div', root, { class: 'r' });
  // The launcher is plain DOM: drawing it needs no Preact (whose first render costs a long task on slow
  // phones); the window is rendered by Preact into its own element on first open.
  const btn: HTMLElement = mk('button', box, { class: 'l', part: 'launcher', 'aria-expanded': 'false', 'aria-haspopup': 'dialog' });
  mk('path', mk('svg', btn, { viewBox: '0 0 24 24', 'aria-hidden': 'true' }, 1), { d: CHAT }, 1);
  const badge: HTMLElement = mk('span', btn, { class: 'b', 'aria-hidden': 'true' });
  btn.addEventListener('click', () => set(true));
  const win = mk('div', box);
  const prop = (k: string, v: string) => host.style.setProperty('--chat-' + k, v);
  // Sound: the AudioContext is made on the first gesture inside the widget, when browsers allow audio.
  let ac: AudioContext | undefined;
  if (o.sound)
    for (const t of ['click', 'keydown'])
      root.addEventListener(t, () => {
        try {
          (ac ||= new AudioContext()).resume();
        } catch {}
      });
  /** Two soft notes, ~150 ms; silent without an AudioContext or when audio is blocked. */
  const beep = () => {
    try {
      [659, 880].forEach((f, i) => {
        const s = ac!.currentTime + i * 0.08;
        const osc = ac!.createOscillator();
        const g = ac!.createGain();
        osc.frequency.value = f;
        g.gain.setValueAtTime(1e-4, s);
        g.gain.exponentialRampToValueAtTime(0.1, s + 0.01);
        g.gain.exponentialRampToValueAtTime(1e-4, s + 0.07);
        osc.connect(g).connect(ac!.destination);
        osc.start(s);
        osc.stop(s + 0.07);
      });
    } catch {}
  };
  host.dataset.position = o.position || 'right';
  if (o.theme && o.theme != 'auto') host.dataset.theme = o.theme;
  if (o.primaryColor) {
    prop('primary', o.primaryColor);
    prop('on-primary', onColor(o.primaryColor));
  }
  if (o.zIndex != null) prop('z', o.zIndex + '');
  (document.body || document.documentElement).appendChild(host);

  let frame = 0;
  let built = false;
  let unsub: (() => void) | undefined;
  const seen = new Set<string>();
  const shown = () => document.visibilityState != 'hidden';
  /** Tell the core whether the window is open and the page visible, once the widget follows it. */
  const pres = () => unsub && cl().setPresence({ open: v.open, pageVisible: shown() });
  document.addEventListener('visibilitychange', pres);
  // On phones the launcher and the window follow the visual viewport: a page wider than the screen
  // widens the layout viewport (which position:fixed uses), and the on-screen keyboard shrinks the visual one.
  const vv = window.visualViewport;
  const fit = () => vv && [vv.offsetLeft, vv.offsetTop, vv.width, vv.height].forEach((n, i) => prop('v' + 'xywh'[i], n + 'px'));
  const vvOn = (on: 0 | 1) => ['resize', 'scroll'].forEach((t) => vv?.[on ? 'addEventListener' : 'removeEventListener'](t, fit));
  vvOn(1);
  const fitFrame = requestAnimationFrame(fit);
  const max = o.maxMessageLength || 4000;
  /** Show a refusal or failure above the composer. */
  const warn = (text: string) => {
    v.alert = text;
    draw();
  };
  const v: View = {
    s: o.strings,
    open: false,
    rtl: o.rtl,
    greeting: o.greeting,
    max,
    toggle: set,
    send(text) {
      v.alert = '';
      v.saved = false;
      const attachments = v.tray?.take() || [];
      cl()
        .send(text, attachments.length ? { attachments } : undefined)
        .catch((e) => warn(e?.code == 'invalid-input' ? fmt(v.s.tooLong, max) : v.s.error));
    },
    retry: (id) => void cl().retry(id).catch(() => {}),
    stop: () => cl().stop(),
    typing: (t) => cl().setTyping(t),
    newChat() {
      v.alert = '';
      cl().newChat().catch(() => {});
      focus();
    },
    atBottom: o.atBottom || atBottom,
    small: () => matchMedia('(max-width:480px)').matches,
    locale: o.locale || 'en',
    contact: o.contactForm == 'off' ? undefined : o.contactForm,
    fields: o.contactFields || ['name', 'email'],
    feedback: o.feedback,
    showList(on) {
      v.list = on;
      draw();
      focus();
    },
    pick(id) {
      cl().switchChat(id);
      v.showList(false);
    },
    rate: (id, rating, comment) =>
      cl()
        .feedback(id, rating, comment)
        .catch((e) => warn(reason(v.s, e))),
    identify: (values) =>
      cl()
        .identify(values)
        .then(
          () => {
            v.saved = true;
            v.alert = '';
            draw();
            focus();
            return true;
          },
          (e) => {
            // A backend without the endpoint cannot take the details: the form must not keep the
            // visitor from chatting. (404 here comes after the core replaced an unknown visitor once.)
            if ([404, 405, 501].includes(e?.status)) {
              console.warn(`[ChatSDK] The backend has no PATCH /api/chats/visitors/{id}/ (${e.status}): the contact form is skipped.`);
              v.contact = undefined;
              draw();
            } else warn(reason(v.s, e));
            return false;
          },
        ),
    drag(on) {
      v.dragging = on;
      draw();
    },
  };

  const draw = () => {
    cancelAnimationFrame(frame);
    frame = 0;
    const { s } = v;
    const n = v.state?.unread || 0;
    btn.hidden = v.open;
    btn.setAttribute('aria-label', n ? `${s.open}, ${fmt(s.unread, n)}` : s.open);
    badge.textContent = n > 9 ? '9+' : n + '';
    if (n) btn.append(badge);
    else badge.remove();
    if (built) render(<Window v={v} />, win);
  };
  // Streamed chunks arrive far faster than frames: render at most once per animation frame.
  // A new agent message (not one of a chat just shown) while closed or hidden plays the tone.
  const onState = (st: ChatState) => {
    const same = st.currentChatId == v.state?.currentChatId;
    // Files are uploaded for one chat's session: they do not follow the visitor to another chat, nor
    // survive reset() (with the thank-you line, they belonged to the visitor who signed out).
    if (v.state && !same) v.tray?.clear();
    if (v.state?.visitorId && !st.visitorId) v.saved = false;
    let ding = 0;
    v.state = st;
    st.messages.forEach((m: ChatMessage) => {
      if (m.author == 'agent' && !seen.has(m.id)) ding = seen.add(m.id).size;
    });
    if (o.sound && ding && same && !(v.open && shown())) beep();
    frame ||= requestAnimationFrame(draw);
  };
  // The optional features load (from their own file, in the classic script) only where one is on.
  let gone = false;
  const extras = () =>
    loadExtras().then(
      (x) => {
        if (gone) return;
        addCss(x.css);
        v.s = x.withExtraStrings(v.s, v.locale);
        if (o.attachments) v.tray = x.createTray(cl, () => v.s, o.maxFileSize || DEFAULTS.maxFileSize, () => draw(), warn);
        v.x = x;
        draw();
      },
      (e) => console.warn(`[ChatSDK] The contact form, attachments and feedback are off: their file did not load (${e}).`),
    );
  const start = () => {
    if (unsub) return;
    unsub = cl().subscribe(onState);
    onState(cl().getState());
    pres();
    if ((o.contactForm && o.contactForm != 'off') || o.attachments || o.feedback) void extras();
  };
  const focus = () => root.querySelector<HTMLElement>(!v.open ? '.l' : v.list ? '[aria-current],.cl button' : '.c textarea')?.focus();
  function set(open: boolean) {
    if (open == v.open) return;
    v.open = open;
    if (open) {
      start();
      built = true;
      fit();
      cl().connect().catch(() => {});
    }
    pres();
    draw();
    focus();
    o.onToggle?.(open);
  }

  draw();
  return {
    host,
    open: () => set(true),
    close: () => set(false),
    toggle: () => set(!v.open),
    isOpen: () => v.open,
    start,
    destroy() {
      gone = true;
      cancelAnimationFrame(frame);
      cancelAnimationFrame(fitFrame);
      unsub?.();
      vvOn(0);
      document.removeEventListener('visibilitychange', pres);
      ac?.close().catch(() => {});
      v.tray?.clear();
      if (built) render(null, win);
      host.remove();
    },
  };
}
