import { render } from 'preact';
import type { ChatClient, ChatState } from '../core/types';
import { App, atBottom, type View } from './app';
import type { Strings } from './i18n';
import { css } from './styles';

export interface MountOptions {
  client: ChatClient;
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

const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** Text colour with the better contrast on a hex background (white unless the colour is light). */
export const onColor = (c: string): string => {
  if (!hex.test(c)) return '#fff';
  let h = c.slice(1);
  if (h.length === 3) h = h.replace(/./g, '$&$&');
  const lum = [0, 2, 4].reduce((sum, i, k) => {
    const x = parseInt(h.slice(i, i + 2), 16) / 255;
    return sum + [0.2126, 0.7152, 0.0722][k]! * (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
  }, 0);
  return lum > 0.179 ? '#111' : '#fff';
};

/** Create the host element and its shadow root, draw the launcher. The window is built on first open. */
export function mountWidget(o: MountOptions): WidgetView {
  const { client } = o;
  const host = document.createElement('chat-sdk-widget');
  const root = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const el = document.createElement('style');
    if (o.nonce) el.nonce = o.nonce;
    el.textContent = css;
    root.appendChild(el);
  }
  const box = document.createElement('div');
  box.className = 'r';
  root.appendChild(box);
  const hs = host.style;
  host.dataset.position = o.position || 'right';
  if (o.theme && o.theme !== 'auto') host.dataset.theme = o.theme;
  if (o.primaryColor) {
    hs.setProperty('--chat-primary', o.primaryColor);
    hs.setProperty('--chat-on-primary', onColor(o.primaryColor));
  }
  if (o.zIndex != null) hs.setProperty('--chat-z', String(o.zIndex));
  (document.body || document.documentElement).appendChild(host);

  const raf = typeof requestAnimationFrame == 'function';
  let open = false;
  let built = false;
  let started = false;
  let unread = 0;
  let state: ChatState | null = null;
  let alert = '';
  let frame: any = 0;
  let unsub: (() => void) | undefined;
  let vvOff: (() => void) | undefined;
  const seen = new Set<string>();

  const cancel = () => {
    if (frame) (raf ? cancelAnimationFrame : clearTimeout)(frame);
    frame = 0;
  };
  const draw = () => {
    cancel();
    const v: View = {
      s: o.strings,
      open,
      built,
      unread,
      state,
      rtl: !!o.rtl,
      greeting: o.greeting,
      max: o.maxMessageLength || 4000,
      alert: alert || (state?.error ? o.strings.error : ''),
      toggle: set,
      send: (text) => {
        alert = '';
        client.send(text).then(undefined, (e: Error) => {
          alert = e.message || o.strings.error;
          draw();
        });
      },
      retry: (id) => void client.retry(id).catch(() => {}),
      stop: () => client.stop(),
      newChat: () => {
        alert = '';
        client.newChat().catch(() => {});
        focus();
      },
      atBottom: o.atBottom || atBottom,
    };
    render(<App v={v} />, box);
  };
  // Streamed chunks arrive far faster than frames: render at most once per animation frame.
  const schedule = () => {
    if (!frame) frame = raf ? requestAnimationFrame(draw) : setTimeout(draw, 16);
  };
  const onState = (st: ChatState) => {
    state = st;
    for (const m of st.messages) {
      if (m.author !== 'visitor' && m.status === 'sent' && !seen.has(m.id)) {
        seen.add(m.id);
        if (!open) unread++;
      }
    }
    schedule();
  };
  const start = () => {
    if (started) return;
    started = true;
    const st = client.getState();
    for (const m of st.messages) if (m.status === 'sent') seen.add(m.id);
    unsub = client.subscribe(onState);
    onState(st);
  };
  const focus = () => root.querySelector<HTMLElement>(open ? 'textarea' : '.l')?.focus();
  // On phones the window fills the visual viewport, so the on-screen keyboard does not cover the composer.
  const followViewport = () => {
    const vv = typeof visualViewport != 'undefined' ? visualViewport : null;
    if (!vv) return;
    const fit = () => hs.setProperty('--chat-vh', `${vv.height}px`);
    vv.addEventListener('resize', fit);
    fit();
    vvOff = () => {
      vv.removeEventListener('resize', fit);
      hs.removeProperty('--chat-vh');
      vvOff = undefined;
    };
  };
  function set(next: boolean) {
    if (next === open) return;
    open = next;
    if (open) {
      start();
      built = true;
      unread = 0;
      followViewport();
      client.connect().catch(() => {});
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
    toggle: () => set(!open),
    isOpen: () => open,
    start,
    destroy() {
      cancel();
      unsub?.();
      vvOff?.();
      render(null, box);
      host.remove();
    },
  };
}
