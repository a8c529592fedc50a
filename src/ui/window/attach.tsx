// Attaching the chat window to a drawn launcher: it follows the client, keeps the window's own state
// (open, alert, list, form sent, dragging), and renders at most once per animation frame (streamed
// chunks arrive far faster than frames). The tree is built on first open, or at idle time after a hover.
import { render } from 'preact';
import type { ContactField } from '../../core/contact';
import { logError, logWarning } from '../../core/log';
import type { ChatClient, ChatState } from '../../core/types';
import type { Launcher } from '../launcher';
import type { Strings } from '../strings';
import { SMALL_SCREEN, windowCss } from '../styles';
import { windowActions } from './actions';
import { type Announcer, createAnnouncer } from './announcer';
import { Contained } from './contained';
import { createDrawPacer, onlyGrew } from './draw-pacer';
import { createNotifier } from './notifier';
import { createPartLoader, type LoadedParts } from './parts';
import type { WindowModel, WindowSetup, WindowState } from './types';
import { createVisitorCheck } from './visitor-check';
import { Window } from './window';

export interface WindowOptions {
  /** The client, created when first needed (the launcher alone needs none). */
  client(): ChatClient;
  strings: Strings;
  locale: string;
  rtl: boolean;
  greeting: string | undefined;
  maxMessageLength: number;
  maxFileSize: number;
  contactForm: 'off' | 'before' | 'after-first-message';
  contactFields: ContactField[];
  attachments: boolean;
  feedback: boolean;
  /** Suggested questions for a chat the visitor has not written in yet. */
  suggestions: string[];
  sound: boolean;
  /** Where images may load from (the API's origin among them). */
  imageOrigins: string[];
  /**
   * Inline mode: the window is a region of the page, always open; it takes no focus on load, and the
   * visitor is checked when the composer is first focused (or on a send), not when it opens.
   */
  inline?: boolean | undefined;
  /** Called after the window opened or closed. */
  onToggle(open: boolean): void;
  /** The window failed to draw (a bug): it shows Retry; the page hears of it here. */
  onError(error: unknown): void;
}

export interface WindowView {
  open(): void;
  close(): void;
  toggle(): void;
  isOpen(): boolean;
  /** Start following the client (its first storage read). Idempotent. */
  start(): void;
  /** Start, and build the window closed, so the first open only shows it (idle time after a hover). Idempotent. */
  prepare(): void;
  destroy(): void;
}

export function attachWindow(launcher: Launcher, options: WindowOptions): WindowView {
  const { client } = options;
  launcher.addCss(windowCss);
  const own: WindowState = {
    open: false,
    strings: options.strings,
    state: undefined,
    alert: '',
    showingList: false,
    formSent: false,
    dragging: false,
    contactForm: options.contactForm === 'off' ? undefined : options.contactForm,
    features: undefined,
    tray: undefined,
  };
  let following: (() => void) | undefined;
  let built = false;
  let gone = false;
  let drawFailing = false;
  const isPageShown = (): boolean => document.visibilityState !== 'hidden';
  const pacer = createDrawPacer(draw);
  const scheduleDraw = pacer.soon;
  const announcer = createAnnouncer(scheduleDraw, () => draw());
  const visitorCheck = createVisitorCheck(
    () =>
      void client()
        .connect()
        .catch(() => undefined),
    isPageShown,
  );
  const parts = createPartLoader(launcher.addCss, scheduleDraw);
  let richWords = false;
  const notify = createNotifier({
    sound: options.sound,
    audio: launcher.audio,
    isOpen: () => own.open,
    isPageShown,
    sayElsewhere: () => announcer.say(own.strings.elsewhere),
  });
  /** Tell the core whether the window is open and the page visible, once the window follows it. */
  const reportPresence = (): void => void (following && client().setPresence({ open: own.open, pageVisible: isPageShown() }));
  document.addEventListener('visibilitychange', reportPresence);
  const showAlert = (text: string): void => {
    own.alert = text;
    draw();
  };
  const actions = windowActions(client, own, {
    draw,
    focus,
    showAlert,
    setOpen,
    loadList,
    // The bubble checks the visitor when it opens; inline, when the visitor first reaches for the composer.
    engaged: () => options.inline && visitorCheck.request(),
    maxMessageLength: options.maxMessageLength,
  });
  const setup: WindowSetup = {
    actions,
    rtl: options.rtl,
    inline: !!options.inline,
    greeting: options.greeting,
    maxMessageLength: options.maxMessageLength,
    locale: options.locale,
    contactFields: options.contactFields,
    feedback: options.feedback,
    suggestions: options.suggestions,
    showImage: (url) => {
      try {
        return options.imageOrigins.includes(new URL(url).origin);
      } catch {
        return false;
      }
    },
    isSmallScreen: () => !options.inline && matchMedia(SMALL_SCREEN).matches,
    needRich: () =>
      parts.load('rich', () => {
        // Once: the words join the window's strings the first time the part is here.
        if (!richWords) own.strings = parts.loaded.rich!.withRichStrings(own.strings, options.locale);
        richWords = true;
      }),
    say: announcer.say,
    heard: announcer.heard,
  };

  /** A failure to draw never reaches the page: the console and `error` handlers hear it, the visitor gets Retry. */
  const failed = (error: unknown): void => {
    logError('The chat window failed to draw:', error);
    options.onError(error);
  };

  function draw(): void {
    pacer.drawing();
    try {
      const current = windowModel(own, parts.loaded, announcer);
      launcher.show(own.open, own.state?.unread || 0);
      if (built) {
        render(
          <Contained model={current} inline={setup.inline} close={actions.close} failed={failed}>
            <Window setup={setup} model={current} />
          </Contained>,
          launcher.windowSlot,
        );
      }
      drawFailing = false;
    } catch (error) {
      // Once per breakage, not on every frame of a streamed answer.
      if (!drawFailing) failed(error);
      drawFailing = true;
    }
  }

  function onState(state: ChatState): void {
    const previous = own.state;
    // Files are uploaded for one chat's session: they do not follow the visitor to another chat, nor
    // survive reset() (with the thank-you line, they belonged to the visitor who signed out).
    if (previous && state.currentChatId !== previous.currentChatId) {
      own.tray?.clear();
      announcer.dropWaiting();
    }
    if (previous?.visitorId && !state.visitorId) own.formSent = false;
    own.state = state;
    // Once a part is here, no scan of the chat for it on every state (a streamed answer makes one per chunk).
    const want = (name: 'files' | 'suggestions', shown: () => boolean): void => void (!parts.loaded[name] && shown() && parts.load(name));
    want('files', () => state.messages.some((message) => message.attachments));
    want('suggestions', () => !!options.suggestions[0] || state.messages.some((message) => message.suggestions));
    notify(state, previous);
    if (previous && onlyGrew(state, previous)) pacer.grew();
    else scheduleDraw();
  }

  function start(): void {
    if (following || gone) return;
    following = client().subscribe(onState);
    onState(client().getState());
    reportPresence();
    if (own.contactForm || options.attachments || options.feedback)
      void loadFeatures(own, launcher, options, { draw, showAlert, gone: () => gone });
  }

  /** The conversation list's part, loaded; `shown`: then show it (and move the focus into it). */
  function loadList(shown?: () => void): void {
    parts.load('chatList', shown);
  }

  /** The composer (or the contact form's first field while it is asked), the list's current chat, or the launcher once closed. */
  function focus(): void {
    const target = !own.open ? '.l' : own.showingList ? '[aria-current],.cl button' : '.cf input,.c textarea:not(:disabled)';
    launcher.root.querySelector<HTMLElement>(target)?.focus();
  }

  function setOpen(open: boolean): void {
    if (open === own.open || (options.inline && !open)) return;
    own.open = open;
    // Closed, the window says nothing more, and opens again with an empty region.
    announcer.silence();
    if (open) {
      start();
      built = true;
      launcher.fit();
      if (!options.inline) visitorCheck.request();
    }
    reportPresence();
    draw();
    // Inline, the page owns the focus: the chat opens with the page.
    if (!options.inline) focus();
    options.onToggle(open);
  }

  draw();
  return {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!own.open),
    isOpen: () => own.open,
    start,
    prepare() {
      if (gone || built) return;
      start();
      built = true;
      draw();
    },
    destroy() {
      gone = true;
      pacer.cancel();
      visitorCheck.cancel();
      announcer.stop();
      following?.();
      document.removeEventListener('visibilitychange', reportPresence);
      own.tray?.clear();
      if (built) render(null, launcher.windowSlot);
      launcher.destroy();
    },
  };
}

/** What the components are given for one render. */
function windowModel(own: WindowState, loaded: LoadedParts, announcer: Announcer): WindowModel {
  const { state, features, contactForm } = own;
  // The contact form, while required: before the first message, or once it went out (the composer waits).
  // Only once the form can show: if its file cannot load, the chat must still work.
  const asked = !!features && !!contactForm && !!state && !state.identified;
  const formFirst = asked && (contactForm === 'before' || state.messages.some((m) => m.author === 'visitor'));
  const { open, strings, alert, formSent, dragging, tray } = own;
  // The list shows once its part is here; until then (a moment, the first time) the log stays.
  const showingList = own.showingList && !!loaded.chatList;
  return {
    strings,
    state,
    open,
    alert,
    showingList,
    formSent,
    dragging,
    features,
    parts: { ...loaded },
    tray,
    formFirst,
    announcement: announcer.take(),
  };
}

/** The optional features load (from their own file) only where one is on. */
function loadFeatures(
  own: WindowState,
  launcher: Launcher,
  options: WindowOptions,
  needs: { draw(): void; showAlert(text: string): void; gone(): boolean },
): Promise<void> {
  return import('../features').then(
    (features) => {
      if (needs.gone()) return;
      launcher.addCss(features.css);
      own.strings = features.withFeatureStrings(own.strings, options.locale);
      if (options.attachments) {
        own.tray = features.createTray({
          client: options.client,
          strings: () => own.strings,
          maxBytes: options.maxFileSize,
          redraw: needs.draw,
          refuse: needs.showAlert,
        });
      }
      own.features = features;
      needs.draw();
    },
    (error: unknown) => logWarning(`The contact form, attachments and feedback are off: their file did not load (${String(error)}).`),
  );
}
