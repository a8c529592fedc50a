// DOM helpers that find widget parts the way a user or a screen reader would: by role and name; and the
// widget started as a page starts it, with a stand-in for the core.
import { expect, vi } from 'vitest';
import type { ChatClient } from '../../src/core/types';
import { startWidget, type WidgetInstance, type WidgetOptions } from '../../src/widget';
import * as app from '../../src/widget/app';

export const TEST_OPTIONS = { apiKey: 'pk_test', apiUrl: 'https://api.example.com' };

/**
 * The parts the window imports when first needed (the conversation list, a message's files, tables and copy buttons, the tone,
 * the optional features). In a browser each is one small fetch; here the first import also compiles it,
 * which can outlast a frame: compile them before a file's tests (beforeAll), so each test sees a part as
 * soon as a page would.
 */
export const compileWindowParts = () =>
  Promise.all([
    import('../../src/ui/window/chat-list'),
    import('../../src/ui/window/files'),
    import('../../src/ui/window/suggestions'),
    import('../../src/ui/sound'),
    import('../../src/ui/features'),
    import('../../src/ui/markdown/rich-blocks'),
  ]);

/**
 * Start the widget the way init() does (options checked, launcher drawn, the app loaded when needed),
 * with `client` standing in for the core that the app would create (or a factory of it).
 */
export function startChat(client: ChatClient | (() => ChatClient), options: Partial<WidgetOptions> = {}): WidgetInstance {
  const createClient = typeof client === 'function' ? client : () => client;
  return startWidget({ ...TEST_OPTIONS, ...options }, () => Promise.resolve({ ...app, createClient }));
}

/** Open the window and wait for it (the first open loads the app); later opens are immediate. */
export async function openChat(chat: WidgetInstance): Promise<void> {
  chat.open();
  await vi.waitFor(() => expect(dialog()).toBeDefined());
}

/** Point at the launcher, as a visitor about to click does: the app loads and the window is built closed at idle time. */
export async function hoverLauncher(): Promise<void> {
  shadow().querySelector('[part=launcher]')!.dispatchEvent(new Event('pointerover'));
  await vi.waitFor(() => expect(shadow().querySelector('[role=dialog]')).not.toBeNull());
}
export const host = () => document.querySelector('chat-sdk-widget') as HTMLElement | null;
export const shadow = () => host()!.shadowRoot!;

/** Accessible name: aria-label, else aria-labelledby, else text. */
export const nameOf = (el: Element): string => {
  const by = el.getAttribute('aria-labelledby');
  if (by) return (el.getRootNode() as ShadowRoot).getElementById(by)?.textContent?.trim() || '';
  return (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
};

/** Visible (not inside a `hidden` subtree) elements. */
export const visible = (el: Element) => !el.closest('[hidden]');

export const buttons = () => [...shadow().querySelectorAll('button')].filter(visible) as HTMLButtonElement[];
export const button = (name: string) => buttons().find((b) => nameOf(b) === name) ?? null;
export const dialog = () => [...shadow().querySelectorAll('[role=dialog]')].find(visible) as HTMLElement | undefined;
export const log = () => shadow().querySelector('[role=log]') as HTMLElement;
export const textbox = () => shadow().querySelector('textarea') as HTMLTextAreaElement;
export const messages = () => [...shadow().querySelectorAll('[data-author]')] as HTMLElement[];
/** A message's text without its time (times are checked on their own, in times.test.tsx). */
export const textOf = (el: Element): string =>
  [...el.childNodes].map((node) => (node instanceof Element ? (node.tagName === 'TIME' ? '' : textOf(node)) : node.textContent)).join('');
/** What the polite live region last announced (the log itself is not live). */
export const announced = () => shadow().querySelector('[aria-live=polite]')?.textContent ?? '';
export const alertText = () => [...shadow().querySelectorAll('[role=alert]')].map((e) => e.textContent).join('');

export function type(text: string) {
  const t = textbox();
  t.value = text;
  t.dispatchEvent(new Event('input', { bubbles: true }));
}

export function key(el: Element, k: string, init: KeyboardEventInit = {}) {
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
}

/**
 * Let Preact flush its state updates and the widget's frame-coalesced renders: the next animation frame
 * and the tasks it queued, twice (a render can schedule one more). Not a fixed sleep.
 */
export const settle = async () => {
  for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
};

/** An AudioContext double, stubbed as the global: counts the contexts made and closed, and records the notes played. */
export function stubAudio() {
  const audio = { made: 0, closed: 0, notes: [] as number[] };
  class FakeAudio {
    currentTime = 0;
    destination = {};
    constructor() {
      audio.made++;
    }
    resume = () => Promise.resolve();
    close = () => {
      audio.closed++;
      return Promise.resolve();
    };
    createGain = () => ({ gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (d: unknown) => d });
    createOscillator = () => {
      const o = { frequency: { value: 0 }, connect: (g: unknown) => g, start: () => audio.notes.push(o.frequency.value), stop() {} };
      return o;
    };
  }
  vi.stubGlobal('AudioContext', FakeAudio);
  return audio;
}

/**
 * An element's children as markup, for comparisons, without any HTML-string API; adjacent text nodes read
 * as one (renderers may split text differently).
 */
export function markupOf(el: Node): string {
  let out = '';
  for (const node of el.childNodes) {
    if (node.nodeType !== 1) {
      out += (node.textContent ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      continue;
    }
    const element = node as Element;
    const tag = element.tagName.toLowerCase();
    const attrs = [...element.attributes].map((a) => ` ${a.name}="${a.value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`).join('');
    out += tag === 'br' || tag === 'hr' ? `<${tag}${attrs}>` : `<${tag}${attrs}>${markupOf(element)}</${tag}>`;
  }
  return out;
}
