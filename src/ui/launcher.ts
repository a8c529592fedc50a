// The part of the widget every page view pays for: the host element, its shadow root and the launcher,
// in plain DOM (no Preact, whose first render costs a long task on slow phones). The chat window is
// attached to it later (window/attach.tsx), when the visitor reaches for the chat.
import { logWarning } from '../core/log';
import { fmt } from './format';
import type { LauncherStrings } from './strings/launcher';
import { launcherCss, SMALL_SCREEN } from './styles';

export interface LauncherOptions {
  strings: LauncherStrings;
  position: 'right' | 'left';
  theme: 'auto' | 'light' | 'dark';
  /** Any CSS colour; unset: the stylesheet's. */
  primaryColor?: string | undefined;
  /** unset: the stylesheet's. */
  zIndex?: number | undefined;
  /** Nonce for the `<style>` fallback where constructable stylesheets are unsupported. */
  nonce?: string | undefined;
  /** Play a short tone for a new agent message while the window is closed or the page hidden. */
  sound: boolean;
  /** The launcher was clicked. */
  onClick(): void;
  /** The visitor may be about to open the chat (pointer over, focus, touch): a hint to load it. */
  onIntent(): void;
  /** Inline mode: draw inside this element, with no launcher. */
  target?: Element | undefined;
}

export interface Launcher {
  host: HTMLElement;
  root: ShadowRoot;
  /** Where the window is rendered. */
  windowSlot: HTMLElement;
  /** With `sound`: made on the first gesture inside the widget, the launcher's click included (browsers allow audio then). */
  audio(): AudioContext | undefined;
  addCss(text: string): void;
  /** Hide the launcher while the window is open; name it and badge it with the unread count. */
  show(open: boolean, unread: number): void;
  /** The chat is loading after a click: say so (aria-busy, a progress cursor). */
  busy(on: boolean): void;
  /** Follow the visual viewport now (see below). */
  fit(): void;
  /**
   * Show the teaser beside the launcher with this text (a click on it is the launcher's), and a Dismiss
   * button that calls `dismissed`; without text, remove it.
   */
  teaser(text?: string, dismissed?: () => void): void;
  destroy(): void;
}

const CHAT_ICON = 'M21 12a8 8 0 0 1-11.8 7L4 20l1.1-4.6A8 8 0 1 1 21 12z';
const DISMISS_ICON = 'M7 7l10 10M17 7 7 17';
const SVG = 'http://www.w3.org/2000/svg';

/** Text colour with the better contrast on a hex background (white unless the colour is light). */
export const onColor = (color: string): string => {
  const hex = /^#(\w\w?)(\w\w?)(\w\w?)$/.exec(color);
  if (!hex || color.length % 3 !== 1) return '#fff';
  let luminance = 0;
  for (let i = 1; i < 4; i++) {
    // One digit stands for two: `#fe0` is `#ffee00`.
    const channel = parseInt(hex[i]!.padStart(2, hex[i]), 16) / 255;
    luminance += [0.2126, 0.7152, 0.0722][i - 1]! * (channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4);
  }
  return luminance > 0.179 ? '#111' : '#fff';
};

/** An element with attributes, appended to `parent`. */
function element<T extends Element>(tag: string, parent: Node, attributes: Record<string, string> = {}, namespace?: string): T {
  const created = parent.appendChild(namespace ? document.createElementNS(namespace, tag) : document.createElement(tag));
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  return created as unknown as T;
}

/** A 24x24 line icon (drawn by the stylesheet's `svg` rule), hidden from assistive technology, in `button`. */
const icon = (button: Element, path: string): void =>
  void element('path', element('svg', button, { viewBox: '0 0 24 24', 'aria-hidden': 'true' }, SVG), { d: path }, SVG);

/** Add CSS to a shadow root: a constructable stylesheet (no `style-src` needed), else a `<style>` with the nonce. */
function addStyles(root: ShadowRoot, text: string, nonce: string | undefined): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    // The nonce and the text before it joins the tree: a strict CSP checks the element as it is appended.
    const style = document.createElement('style');
    if (nonce) style.nonce = nonce;
    else if (!root.querySelector('style'))
      logWarning('This browser has no constructable stylesheets: a page whose CSP blocks inline styles needs a nonce on the script tag.');
    style.textContent = text;
    root.appendChild(style);
  }
}

/** Create the host element and its shadow root, and draw the launcher. */
export function mountLauncher(options: LauncherOptions): Launcher {
  const host = document.createElement('chat-sdk-widget');
  const root = host.attachShadow({ mode: 'open' });
  const setProperty = (name: string, value: string): void => host.style.setProperty(`--chat-${name}`, value);
  const box = element<HTMLElement>('div', root, { class: 'r' });
  const button = element<HTMLElement>('button', box, { class: 'l', part: 'launcher', 'aria-expanded': 'false', 'aria-haspopup': 'dialog' });
  icon(button, CHAT_ICON);
  const badge = element<HTMLElement>('span', button, { class: 'b', 'aria-hidden': 'true' });
  const click = (): void => options.onClick();
  /** A visitor reaching for `control` is likely to open the chat: load it meanwhile. */
  const warmOn = (control: HTMLElement): void => {
    for (const type of ['pointerover', 'focus', 'touchstart']) control.addEventListener(type, () => options.onIntent(), { passive: true });
  };
  let audio: AudioContext | undefined;
  let teaser: HTMLElement | undefined;
  const { target } = options;
  // Inline, the window is always open in the page's element: no launcher (the unread count has no use there).
  if (target) {
    host.dataset.inline = '';
    button.remove();
  }
  host.dataset.position = options.position;
  if (options.theme !== 'auto') host.dataset.theme = options.theme;
  if (options.primaryColor) {
    setProperty('primary', options.primaryColor);
    setProperty('on-primary', onColor(options.primaryColor));
  }
  if (options.zIndex !== undefined) setProperty('z', String(options.zIndex));

  // On phones the launcher and the window follow the visual viewport: a page wider than the screen
  // widens the layout viewport (which position:fixed uses), and the on-screen keyboard shrinks the visual one.
  // Only the small-screen CSS reads these properties; elsewhere the read (a forced layout of the page) and
  // the restyle are skipped.
  const viewport = window.visualViewport;
  const small = window.matchMedia?.(SMALL_SCREEN);
  const fit = (): void => {
    if (!viewport || !small?.matches) return;
    const { offsetLeft, offsetTop, width, height } = viewport;
    for (const [name, value] of [
      ['vx', offsetLeft],
      ['vy', offsetTop],
      ['vw', width],
      ['vh', height],
    ] as const)
      setProperty(name, `${value}px`);
  };
  const followViewport = (on: boolean): void => {
    for (const type of ['resize', 'scroll']) viewport?.[on ? 'addEventListener' : 'removeEventListener'](type, fit);
  };
  followViewport(true);
  const fitFrame = requestAnimationFrame(fit);

  const launcher: Launcher = {
    host,
    root,
    windowSlot: element('div', box),
    audio: () => audio,
    addCss: (text) => addStyles(root, text, options.nonce),
    show(open, unread) {
      button.hidden = open;
      button.setAttribute('aria-label', unread ? `${options.strings.open}, ${fmt(options.strings.unread, unread)}` : options.strings.open);
      badge.textContent = unread > 9 ? '9+' : String(unread);
      if (unread) button.append(badge);
      else badge.remove();
    },
    teaser(text, dismissed) {
      teaser?.remove();
      teaser = undefined;
      if (!text) return;
      // After the window's slot: the keyboard reaches it after the launcher. Its text sets its direction.
      teaser = element<HTMLElement>('div', box, { class: 'tz', part: 'teaser', dir: 'auto' });
      const invite = element<HTMLElement>('button', teaser, { class: 'tt' });
      invite.textContent = text;
      // The focus waits on the launcher (busy while the chat loads), not on the page's start, once the teaser goes.
      invite.addEventListener('click', () => {
        button.focus();
        click();
      });
      warmOn(invite);
      const dismiss = element<HTMLElement>('button', teaser, { class: 'tx', 'aria-label': options.strings.dismiss });
      icon(dismiss, DISMISS_ICON);
      dismiss.addEventListener('click', () => {
        // The focus goes back to the launcher, not to the page's start.
        button.focus();
        dismissed?.();
      });
    },
    busy: (on) => (on ? button.setAttribute('aria-busy', 'true') : button.removeAttribute('aria-busy')),
    fit,
    destroy() {
      cancelAnimationFrame(fitFrame);
      followViewport(false);
      audio?.close().catch(() => undefined);
      host.remove();
    },
  };
  if (options.sound) {
    for (const type of ['click', 'keydown']) {
      root.addEventListener(type, () => {
        try {
          audio ??= new AudioContext();
          audio.resume().catch(() => undefined);
        } catch {
          // no Web Audio: the tone stays silent
        }
      });
    }
  }
  button.addEventListener('click', click);
  warmOn(button);
  launcher.addCss(launcherCss());
  launcher.show(false, 0);
  (target || document.body || document.documentElement).appendChild(host);
  return launcher;
}
