/** @jsxRuntime classic */
/** @jsx h */
import { h, render } from 'preact';
import type { ChatClient, ChatMessage, ChatState } from '../core/types';
import { Window, atBottom, type View } from './app';
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
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const el = root.appendChild(document.createElement('style'));
    if (o.nonce) el.nonce = o.nonce;
    el.textContent = css;
  }
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
  const prop = (k: string, v?: string) => (v ? host.style.setProperty('--chat-' + k, v) : host.style.removeProperty('--chat-' + k));
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
  let vvOff: (() => void) | undefined;
  const seen = new Set<string>();
  const max = o.maxMessageLength || 4000;
  const v: View = {
    s: o.strings,
    open: false,
    unread: 0,
    rtl: o.rtl,
    greeting: o.greeting,
    max,
    toggle: set,
    send(text) {
      v.alert = '';
      cl().send(text).catch((e) => {
        v.alert = e?.code == 'invalid-input' ? fmt(v.s.tooLong, max) : v.s.error;
        draw();
      });
    },
    retry: (id) => void cl().retry(id).catch(() => {}),
    stop: () => cl().stop(),
    newChat() {
      v.alert = '';
      cl().newChat().catch(() => {});
      focus();
    },
    atBottom: o.atBottom || atBottom,
    small: () => matchMedia('(max-width:480px)').matches,
  };

  const draw = () => {
    cancelAnimationFrame(frame);
    frame = 0;
    const { s, unread: n } = v;
    btn.hidden = v.open;
    btn.setAttribute('aria-label', n ? `${s.open}, ${fmt(s.unread, n)}` : s.open);
    badge.textContent = n > 99 ? '99+' : n + '';
    if (n) btn.append(badge);
    else badge.remove();
    if (built) render(<Window v={v} />, win);
  };
  // Streamed chunks arrive far faster than frames: render at most once per animation frame.
  const onState = (st: ChatState, first?: boolean) => {
    v.state = st;
    st.messages.forEach((m: ChatMessage) => {
      if (m.author != 'visitor' && m.status == 'sent' && !seen.has(m.id)) {
        seen.add(m.id);
        if (!v.open && !first) v.unread++;
      }
    });
    frame ||= requestAnimationFrame(draw);
  };
  const start = () => {
    if (unsub) return;
    unsub = cl().subscribe((st) => onState(st));
    onState(cl().getState(), true);
  };
  const focus = () => root.querySelector<HTMLElement>(v.open ? 'textarea' : '.l')?.focus();
  function set(open: boolean) {
    if (open == v.open) return;
    v.open = open;
    if (open) {
      start();
      built = true;
      v.unread = 0;
      // On phones the window fills the visual viewport, so the on-screen keyboard does not cover the composer.
      const vv = window.visualViewport;
      if (vv) {
        const fit = () => prop('vh', vv.height + 'px');
        vv.addEventListener('resize', fit);
        fit();
        vvOff = () => {
          vv.removeEventListener('resize', fit);
          prop('vh');
        };
      }
      cl().connect().catch(() => {});
    } else vvOff?.();
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
      cancelAnimationFrame(frame);
      unsub?.();
      vvOff?.();
      if (built) render(null, win);
      host.remove();
    },
  };
}
