// Driving the widget through its accessibility contract in any engine: elements are found in the page by
// role and accessible name (inside the widget's shadow root unless `page: true`), by a small library that
// is sent in front of every in-page function (a strict CSP forbids defining it in the page by eval).

import { expect } from 'vitest';
import type { EnginePage, InPage } from './drivers';

export type Role = 'button' | 'textbox' | 'dialog' | 'region' | 'log' | 'navigation' | 'status' | 'alert' | 'progressbar';

/** Which element: by role (and name), or by CSS; only visible ones count. */
export interface Target {
  role?: Role;
  css?: string;
  /** The accessible name, exactly (or its start, with `prefix`). */
  name?: string;
  prefix?: boolean;
  /** The element's text contains this. */
  text?: string;
  /** Only inside the first visible element matching this CSS. */
  within?: string;
  /** In the host page rather than the widget's shadow root. */
  page?: boolean;
  /** The last match rather than the first. */
  last?: boolean;
}

// ---- the in-page library (self-contained functions: their source is sent to the page) ---------------

function widgetRoot(): ShadowRoot | null {
  return document.querySelector('chat-sdk-widget')?.shadowRoot ?? null;
}

function accessibleName(el: Element): string {
  const squash = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
  const root = el.getRootNode() as Document | ShadowRoot;
  const label = el.getAttribute('aria-label');
  if (label) return squash(label);
  const by = el.getAttribute('aria-labelledby');
  if (by)
    return squash(
      by
        .split(/\s+/)
        .map((id) => root.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  if (el.id) {
    const forIt = root.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    if (forIt) return squash(forIt.textContent);
  }
  const wrapping = el.closest('label');
  if (wrapping) return squash(wrapping.textContent);
  if (el.matches('button, [role="button"]')) return squash(el.textContent) || squash(el.getAttribute('title'));
  return squash(el.getAttribute('title'));
}

function locate(target: Target): Element | null {
  const ROLES: Record<string, string> = {
    button: 'button, [role="button"]',
    textbox: 'textarea, input:not([type]), input[type="text"], input[type="email"], input[type="tel"], [role="textbox"]',
    dialog: 'dialog, [role="dialog"]',
    region: '[role="region"]',
    log: '[role="log"]',
    navigation: 'nav, [role="navigation"]',
    status: '[role="status"], output',
    alert: '[role="alert"]',
    progressbar: 'progress, [role="progressbar"]',
  };
  const visible = (el: Element) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const scope: ParentNode | null = target.page ? document : widgetRoot();
  if (!scope) return null;
  const inside = target.within ? [...scope.querySelectorAll(target.within)].find(visible) : scope;
  if (!inside) return null;
  const selector = target.css ?? ROLES[target.role ?? ''] ?? '*';
  const found = [...inside.querySelectorAll(selector)].filter((el) => {
    if (!visible(el)) return false;
    if (target.text !== undefined && !(el.textContent ?? '').includes(target.text)) return false;
    if (target.name === undefined) return true;
    const name = accessibleName(el);
    return target.prefix ? name.startsWith(target.name) : name === target.name;
  });
  return (target.last ? found[found.length - 1] : found[0]) ?? null;
}

const LIBRARY = [widgetRoot, accessibleName, locate].map(String).join('\n');

/** The source of an in-page function with the library in front. */
const withLibrary = (fn: (...args: never[]) => unknown) => `function () {\n${LIBRARY}\nreturn (${String(fn)}).apply(null, arguments);\n}`;

/** Run `fn(...args)` in the page, with `widgetRoot`, `accessibleName` and `locate` available to it. */
export const inPage = <A extends unknown[], T>(page: EnginePage, fn: InPage<A, T>, ...args: A): Promise<Awaited<T>> =>
  page.run<Awaited<T>>(withLibrary(fn), args);

// ---- waiting ----------------------------------------------------------------------------------

/** `expect.poll` with a timeout that suits a browser. */
export const poll = <T>(fn: () => T | Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });

/** Wait for a condition (also outside a test, where `expect.poll` does not work). */
export async function until(what: string, condition: () => Promise<boolean> | boolean, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * When `target` was first shown, in ms since the page's navigation began (looked for in every frame from the
 * call on, so measured in the page: the round trip to the test does not count; a target already shown gives now).
 */
export const firstSeenAt = (page: EnginePage, target: Target) =>
  inPage(
    page,
    (t: Target) =>
      new Promise<number>((done) => {
        const look = () => (locate(t) ? done(performance.now()) : requestAnimationFrame(look));
        look();
      }),
    target,
  );

export const isShown = (page: EnginePage, target: Target) => inPage(page, (t: Target) => locate(t) !== null, target);

export async function waitFor(page: EnginePage, target: Target, state: 'visible' | 'hidden' = 'visible', timeout = 10_000) {
  await until(`${JSON.stringify(target)} ${state}`, async () => (await isShown(page, target)) === (state === 'visible'), timeout);
}

/** Wait for the element, then click it with the pointer. */
export async function click(page: EnginePage, target: Target): Promise<void> {
  await waitFor(page, target);
  await page.click(withLibrary(locate), [target]);
}

// ---- the widget -------------------------------------------------------------------------------

export const launcher: Target = { role: 'button', name: 'Open chat', prefix: true };
export const composer: Target = { role: 'textbox', name: 'Message' };
export const dialog: Target = { role: 'dialog', name: 'Acme support' };
export const button = (name: string): Target => ({ role: 'button', name });

/** The widget's messages as plain data, in order. */
export const transcript = (page: EnginePage) =>
  inPage(page, () =>
    [...(widgetRoot()?.querySelectorAll<HTMLElement>('[data-author][data-status]') ?? [])].map((el) => ({
      author: el.dataset.author ?? '',
      status: el.dataset.status ?? '',
      // Without the message's time (checked on its own): what was said, and its status line.
      text: (() => {
        const copy = el.cloneNode(true) as HTMLElement;
        for (const time of copy.querySelectorAll('time')) time.remove();
        return copy.textContent ?? '';
      })(),
      stopped: el.hasAttribute('data-stopped'),
    })),
  );

/** `author:status` of every message, e.g. `['visitor:sent', 'assistant:streaming']`. */
export const lines = async (page: EnginePage) => (await transcript(page)).map((m) => `${m.author}:${m.status}`);

/** The accessible name of the focused element in the widget (or null when the focus is elsewhere). */
export const focused = (page: EnginePage) =>
  inPage(page, () => {
    const root = widgetRoot();
    const active = document.activeElement === root?.host ? root?.activeElement : null;
    return active ? accessibleName(active) : null;
  });

/** The accessible name of the launcher, whatever it is now. */
export const launcherName = (page: EnginePage) =>
  inPage(page, () => {
    const el = widgetRoot()?.querySelector('[part~="launcher"]');
    return el ? accessibleName(el) : null;
  });

/** Console errors, uncaught errors and CSP violations seen by the page's collector and by the engine. */
export async function problems(page: EnginePage): Promise<string[]> {
  const seen = await inPage(
    page,
    () => (window as unknown as { __engineProblems?: string[] }).__engineProblems ?? ['no collector on this page'],
  );
  return [...seen, ...page.engineProblems()];
}

/** The chatsdk:* keys in the page's storage. */
export const storedKeys = (page: EnginePage) =>
  inPage(page, () => [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith('chatsdk:')));

/** Open the widget with the launcher and wait for the composer. */
export async function openChat(page: EnginePage): Promise<void> {
  await click(page, launcher);
  await waitFor(page, composer);
}

/** Click into the composer, type the text and press Send. */
export async function sendMessage(page: EnginePage, text: string): Promise<void> {
  await click(page, composer);
  await page.type(text);
  await click(page, button('Send'));
}

/** The chat's first exchange: a message labelled `label` (made unique) sent, and its answer complete. Returns the text sent. */
export async function firstExchange(page: EnginePage, label: string): Promise<string> {
  const text = uniqueText(label);
  await sendMessage(page, text);
  await poll(() => lines(page), 15_000).toEqual(['visitor:sent', 'assistant:sent']);
  return text;
}

/** The newest message of this author: its status, or null. */
export async function lastStatus(page: EnginePage, author: string): Promise<string | null> {
  const all = (await transcript(page)).filter((m) => m.author === author);
  return all[all.length - 1]?.status ?? null;
}

let counter = 0;
/** A unique, keyword-free message (the backend's default answer quotes it back). */
export const uniqueText = (label: string) => `${label} q${Date.now().toString(36)}${++counter}`;
