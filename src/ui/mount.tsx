/** @jsxRuntime classic */
/** @jsx h */
import { h, render } from 'preact';
import type { ContactField } from '../core/contact';
import { CLIENT_OPTIONS } from '../core/options';
import type { ChatClient, ChatMessage, ChatState } from '../core/types';
import { Window, aside, atBottom, reason, type View } from './app';
import { loadExtras } from './load-extras';
import { fmt, type Strings } from './i18n';
import { mountLauncher, type Launcher, type LauncherOptions } from './launcher';
import { windowCss } from './styles';

export { onColor } from './launcher';

export interface MountOptions extends LauncherOptions {
  /** The client, or a function that creates it when first needed (the launcher alone needs none). */
  client: ChatClient | (() => ChatClient);
  rtl?: boolean;
  greeting?: string;
  maxMessageLength?: number;
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
  /** Start, and build the window closed, so the first open only shows it (idle time after a hover). Idempotent. */
  prepare(): void;
  destroy(): void;
}

/** Draw the launcher and attach the window to it, at once (the ES module build and the tests). */
export function mountWidget(o: MountOptions): WidgetView {
  const l = mountLauncher(o);
  const view = attachWindow(l, o);
  l.click = view.open;
  return view;
}

/** Attach the chat window to a drawn launcher: it is rendered by Preact on first open. */
export function attachWindow(l: Launcher, o: MountOptions): WidgetView {
  const cl = typeof o.client == 'function' ? o.client : () => o.client as ChatClient;
  const { root } = l;
  l.addCss(windowCss);
  /** Two soft notes, ~150 ms; silent without an AudioContext or when audio is blocked. */
  const beep = () => {
    const ac = l.audio;
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
  let frame = 0;
  let built = false;
  let unsub: (() => void) | undefined;
  const seen = new Set<string>();
  const read = new WeakSet<readonly ChatMessage[]>();
  const shown = () => document.visibilityState != 'hidden';
  /** Tell the core whether the window is open and the page visible, once the widget follows it. */
  const pres = () => unsub && cl().setPresence({ open: v.open, pageVisible: shown() });
  document.addEventListener('visibilitychange', pres);
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
    say(text) {
      // Clearing a region that holds nothing needs no render (a chat is shown: every open does this).
      if (!text && !v.said && !words.length) return;
      words = !text ? [] : words.includes(text) ? words : [...words, text];
      if (!text) v.said = undefined;
      frame ||= requestAnimationFrame(draw);
    },
  };
  /** Words for the polite region, said at the next frame; they leave it 7 s later, so reading the window does not meet them twice. */
  let words: string[] = [];
  let said = 0;
  let hush: ReturnType<typeof setTimeout> | undefined;

  const draw = () => {
    cancelAnimationFrame(frame);
    frame = 0;
    if (words.length) {
      v.said = { text: words.join(' '), n: ++said };
      words = [];
      clearTimeout(hush);
      hush = setTimeout(() => {
        v.said = undefined;
        draw();
      }, 7000);
    }
    l.show(v.open, v.s, v.state?.unread || 0);
    if (built) render(<Window v={v} />, l.win);
  };
  // Streamed chunks arrive far faster than frames: render at most once per animation frame.
  // A new agent message (not one of a chat just shown) while closed or hidden plays the tone, in any chat.
  const onState = (st: ChatState) => {
    const was = v.state;
    const same = st.currentChatId == was?.currentChatId;
    // Files are uploaded for one chat's session: they do not follow the visitor to another chat, nor
    // survive reset() (with the thank-you line, they belonged to the visitor who signed out).
    if (was && !same) {
      v.tray?.clear();
      // Words queued for the chat left behind are not said over the one shown.
      words = [];
    }
    if (was?.visitorId && !st.visitorId) v.saved = false;
    let ding = 0;
    v.state = st;
    // New agent messages in every chat (live updates follow the others too). The core replaces a chat's
    // message list when it changes, so a list already looked at is skipped.
    for (const list of [st.messages, ...st.chats.map((c) => c.messages)])
      if (!read.has(list)) {
        read.add(list);
        list.forEach((m: ChatMessage) => {
          if (m.author == 'agent' && !seen.has(m.id)) ding = seen.add(m.id).size;
        });
      }
    if (o.sound && ding && same && !(v.open && shown())) beep();
    // An answer in a chat not shown is said while the window is open (the Chats button shows it too).
    if (same && v.open && aside(st) > aside(was)) v.say(v.s.elsewhere);
    frame ||= requestAnimationFrame(draw);
  };

  // The optional features load (from their own file, in the classic script) only where one is on.
  let gone = false;
  const extras = () =>
    loadExtras().then(
      (x) => {
        if (gone) return;
        l.addCss(x.css);
        v.s = x.withExtraStrings(v.s, v.locale);
        if (o.attachments) v.tray = x.createTray(cl, () => v.s, o.maxFileSize || CLIENT_OPTIONS.maxFileSize.fallback, () => draw(), warn);
        v.x = x;
        draw();
      },
      (e) => console.warn(`[ChatSDK] The contact form, attachments and feedback are off: their file did not load (${e}).`),
    );
  const start = () => {
    if (unsub || gone) return;
    unsub = cl().subscribe(onState);
    onState(cl().getState());
    pres();
    if ((o.contactForm && o.contactForm != 'off') || o.attachments || o.feedback) void extras();
  };
  // The composer waits while the contact form is asked: then the form's first field takes the focus.
  const focus = () =>
    root.querySelector<HTMLElement>(!v.open ? '.l' : v.list ? '[aria-current],.cl button' : '.cf input,.c textarea:not(:disabled)')?.focus();
  // The visitor check waits for the window's first frame, so a click on a slow phone paints sooner;
  // nothing waits on it (a send connects by itself). A hidden tab has no frames: it checks at once.
  let checkFrame = 0;
  let checkTimer: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    checkFrame = 0;
    checkTimer = undefined;
    cl().connect().catch(() => {});
  };
  const checkVisitor = () => {
    if (checkFrame || checkTimer) return;
    if (!shown()) return connect();
    checkFrame = requestAnimationFrame(() => (checkTimer = setTimeout(connect)));
  };
  function set(open: boolean) {
    if (open == v.open) return;
    v.open = open;
    // Closed, the window says nothing more, and opens again with an empty region.
    words = [];
    v.said = undefined;
    clearTimeout(hush);
    if (open) {
      start();
      built = true;
      l.fit();
      checkVisitor();
    }
    pres();
    draw();
    focus();
    o.onToggle?.(open);
  }

  draw();
  return {
    host: l.host,
    open: () => set(true),
    close: () => set(false),
    toggle: () => set(!v.open),
    isOpen: () => v.open,
    start,
    prepare() {
      if (gone || built) return;
      start();
      built = true;
      draw();
    },
    destroy() {
      gone = true;
      cancelAnimationFrame(frame);
      cancelAnimationFrame(checkFrame);
      clearTimeout(checkTimer);
      clearTimeout(hush);
      unsub?.();
      document.removeEventListener('visibilitychange', pres);
      v.tray?.clear();
      if (built) render(null, l.win);
      l.destroy();
    },
  };
}
