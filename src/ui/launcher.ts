// The part of the widget every page view pays for: the host element, its shadow root and the launcher,
// in plain DOM (no Preact, whose first render costs a long task on slow phones). The chat window is
// attached to it later, by mount.tsx, when the visitor reaches for the chat.
import { fmt, type Strings } from './i18n';
import { launcherCss } from './styles';

export interface LauncherOptions {
  strings: Strings;
  position?: 'right' | 'left';
  theme?: 'auto' | 'light' | 'dark';
  primaryColor?: string;
  zIndex?: number;
  /** Nonce for the `<style>` fallback where constructable stylesheets are unsupported. */
  nonce?: string;
  /** Play a short tone for a new agent message while the window is closed or the page hidden. */
  sound?: boolean;
}

export interface Launcher {
  host: HTMLElement;
  root: ShadowRoot;
  /** Where the window is rendered. */
  win: HTMLElement;
  /** With `sound`: made on the first gesture inside the widget, the launcher's click included (browsers allow audio then). */
  audio?: AudioContext;
  /** The launcher was clicked. */
  click(): void;
  /** The visitor may be about to open the chat (pointer over, focus, touch): a hint to load it. */
  intent(): void;
  addCss(text: string): void;
  /** Hide the launcher while the window is open; name it and badge it with the unread count. */
  show(open: boolean, s: Strings, unread: number): void;
  /** The chat is loading after a click: say so (aria-busy, a progress cursor). */
  busy(on: boolean): void;
  /** Follow the visual viewport now (see below). */
  fit(): void;
  destroy(): void;
}

const CHAT_ICON = 'M21 12a8 8 0 0 1-11.8 7L4 20l1.1-4.6A8 8 0 1 1 21 12z';

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

/** Create the host element and its shadow root, and draw the launcher. */
export function mountLauncher(o: LauncherOptions): Launcher {
  const host = document.createElement('chat-sdk-widget');
  const root = host.attachShadow({ mode: 'open' });
  /** An element with attributes, appended to `parent` (SVG elements with `svg`). */
  const mk = (tag: string, parent: Node, a: Record<string, string> = {}, svg?: 1): any => {
    const e = parent.appendChild(svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag));
    for (const k in a) e.setAttribute(k, a[k]!);
    return e;
  };
  const prop = (k: string, v: string) => host.style.setProperty('--chat-' + k, v);
  const box = mk('div', root, { class: 'r' });
  const btn: HTMLElement = mk('button', box, { class: 'l', part: 'launcher', 'aria-expanded': 'false', 'aria-haspopup': 'dialog' });
  mk('path', mk('svg', btn, { viewBox: '0 0 24 24', 'aria-hidden': 'true' }, 1), { d: CHAT_ICON }, 1);
  const badge: HTMLElement = mk('span', btn, { class: 'b', 'aria-hidden': 'true' });
  host.dataset.position = o.position || 'right';
  if (o.theme && o.theme != 'auto') host.dataset.theme = o.theme;
  if (o.primaryColor) {
    prop('primary', o.primaryColor);
    prop('on-primary', onColor(o.primaryColor));
  }
  if (o.zIndex != null) prop('z', o.zIndex + '');

  // On phones the launcher and the window follow the visual viewport: a page wider than the screen
  // widens the layout viewport (which position:fixed uses), and the on-screen keyboard shrinks the visual one.
  // Only the small-screen CSS reads these properties; elsewhere the read (a forced layout of the page) and
  // the restyle are skipped.
  const vv = window.visualViewport;
  const small = window.matchMedia?.('(max-width:480px)');
  const fit = () => vv && small?.matches && [vv.offsetLeft, vv.offsetTop, vv.width, vv.height].forEach((n, i) => prop('v' + 'xywh'[i], n + 'px'));
  const vvOn = (on: 0 | 1) => ['resize', 'scroll'].forEach((t) => vv?.[on ? 'addEventListener' : 'removeEventListener'](t, fit));
  vvOn(1);
  const fitFrame = requestAnimationFrame(fit);

  const l: Launcher = {
    host,
    root,
    win: mk('div', box),
    click() {},
    intent() {},
    addCss(text) {
      try {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(text);
        root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      } catch {
        const el = root.appendChild(document.createElement('style'));
        if (o.nonce) el.nonce = o.nonce;
        el.textContent = text;
      }
    },
    show(open, s, n) {
      btn.hidden = open;
      btn.setAttribute('aria-label', n ? `${s.open}, ${fmt(s.unread, n)}` : s.open);
      badge.textContent = n > 9 ? '9+' : n + '';
      if (n) btn.append(badge);
      else badge.remove();
    },
    busy: (on) => (on ? btn.setAttribute('aria-busy', 'true') : btn.removeAttribute('aria-busy')),
    fit,
    destroy() {
      cancelAnimationFrame(fitFrame);
      vvOn(0);
      l.audio?.close().catch(() => {});
      host.remove();
    },
  };
  if (o.sound)
    for (const t of ['click', 'keydown'])
      root.addEventListener(t, () => {
        try {
          (l.audio ||= new AudioContext()).resume();
        } catch {}
      });
  btn.addEventListener('click', () => l.click());
  for (const t of ['pointerover', 'focus', 'touchstart']) btn.addEventListener(t, () => l.intent(), { passive: true });
  l.addCss(launcherCss);
  l.show(false, o.strings, 0);
  (document.body || document.documentElement).appendChild(host);
  return l;
}
