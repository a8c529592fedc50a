// Attaching the chat window to a drawn launcher: it follows the client, keeps the window's own state
// (open, alert, list, form sent, dragging), and renders at most once per animation frame (streamed
// chunks arrive far faster than frames). The tree is built on first open, or at idle time after a hover.
import { Component, type ComponentChildren, render } from 'preact';
import type { ContactField } from '../../core/contact';
import { logError, logWarning } from '../../core/log';
import type { ChatClient, ChatState, MessageError } from '../../core/types';
import type { Features, Tray } from '../features';
import type { Launcher } from '../launcher';
import { fmt, type Strings } from '../strings';
import { SMALL_SCREEN, windowCss } from '../styles';
import { type Announcer, createAnnouncer } from './announcer';
import { reason } from './common';
import { createNotifier } from './notifier';
import { createPartLoader, type LoadedParts } from './parts';
import type { WindowActions, WindowModel, WindowSetup } from './types';
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

/** The window's own state, beside the client's. */
interface WindowState {
  open: boolean;
  strings: Strings;
  state: ChatState | undefined;
  alert: string;
  showingList: boolean;
  formSent: boolean;
  dragging: boolean;
  /** The contact form, while it is asked (off once the backend turns out not to take it). */
  contactForm: 'before' | 'after-first-message' | undefined;
  features: Features | undefined;
  tray: Tray | undefined;
}

/**
 * While an answer streams, the window draws at most this often: chunks can come a thousand a second, far
 * faster than anyone reads, and each draw lays out the growing answer (about 20 draws a second still
 * reads as a smooth stream, and leaves the host page most of the main thread).
 */
const STREAM_DRAW_MS = 50;

/** The only change is the streaming answer at the end of the chat in front getting longer. */
const onlyGrew = (state: ChatState, previous: ChatState): boolean => {
  const last = state.messages.at(-1);
  const before = previous.messages.at(-1);
  return (
    state.currentChatId === previous.currentChatId &&
    state.messages.length === previous.messages.length &&
    last?.status === 'streaming' &&
    before?.status === 'streaming' &&
    last.id === before.id &&
    state.unread === previous.unread &&
    state.error === previous.error &&
    state.connection === previous.connection &&
    state.agentTyping === previous.agentTyping
  );
};

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
  let frame = 0;
  let lastDraw = 0;
  let drawFailing = false;
  let streamTimer: ReturnType<typeof setTimeout> | undefined;
  const isPageShown = (): boolean => document.visibilityState !== 'hidden';
  const scheduleDraw = (): void => {
    frame ||= requestAnimationFrame(draw);
  };
  /** A streamed answer grew: drawn at most every STREAM_DRAW_MS (anything else draws at the next frame). */
  const drawSoon = (): void => {
    if (frame || streamTimer) return;
    const wait = lastDraw + STREAM_DRAW_MS - performance.now();
    if (wait <= 0) scheduleDraw();
    else
      streamTimer = setTimeout(() => {
        streamTimer = undefined;
        scheduleDraw();
      }, wait);
  };
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
    cancelAnimationFrame(frame);
    frame = 0;
    clearTimeout(streamTimer);
    streamTimer = undefined;
    lastDraw = performance.now();
    try {
      const current = windowModel(own, parts.loaded, announcer);
      launcher.show(own.open, own.state?.unread || 0);
      if (built) {
        render(
          <Contained model={current} close={actions.close} failed={failed}>
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
    if (state.messages.some((message) => message.attachments)) parts.load('files');
    if (options.suggestions[0] || state.messages.some((message) => message.suggestions)) parts.load('suggestions');
    notify(state, previous);
    if (previous && onlyGrew(state, previous)) drawSoon();
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
      cancelAnimationFrame(frame);
      clearTimeout(streamTimer);
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

interface ActionNeeds {
  loadList(shown?: () => void): void;
  /** The visitor reached for the chat (the composer focused): create or validate the visitor. */
  engaged(): void;
  draw(): void;
  focus(): void;
  showAlert(text: string): void;
  setOpen(open: boolean): void;
  maxMessageLength: number;
}

/** What the visitor's clicks and keys do: ask the client, or change the window's own state and redraw. */
function windowActions(client: () => ChatClient, own: WindowState, needs: ActionNeeds): WindowActions {
  const { draw, focus, showAlert } = needs;
  const actions: WindowActions = {
    close: () => needs.setOpen(false),
    engaged: needs.engaged,
    send(text) {
      own.alert = '';
      own.formSent = false;
      const attachments = own.tray?.take() || [];
      client()
        .send(text, attachments.length ? { attachments } : undefined)
        .catch((error: MessageError) =>
          showAlert(error?.code === 'invalid-input' ? fmt(own.strings.tooLong, needs.maxMessageLength) : own.strings.error),
        );
    },
    retry: (messageId) =>
      void client()
        .retry(messageId)
        .catch(() => undefined),
    stop: () => client().stop(),
    typing: (on) => client().setTyping(on),
    newChat() {
      own.alert = '';
      client()
        .newChat()
        .catch(() => undefined);
      focus();
    },
    showList(on) {
      own.showingList = on;
      const show = (): void => {
        if (own.showingList !== on) return;
        draw();
        focus();
      };
      // The list's part loads the first time (at once when it is here).
      if (on) needs.loadList(show);
      else show();
    },
    prepareList: () => needs.loadList(),
    pickChat(chatId) {
      client().switchChat(chatId);
      actions.showList(false);
    },
    rate: (messageId, rating, comment) =>
      client()
        .feedback(messageId, rating, comment)
        .catch((error: MessageError) => showAlert(reason(own.strings, error))),
    identify: (values) =>
      client()
        .identify(values)
        .then(
          () => {
            own.formSent = true;
            own.alert = '';
            draw();
            focus();
            return true;
          },
          (error: MessageError) => {
            // A backend without the endpoint cannot take the details: the form must not keep the
            // visitor from chatting. (404 here comes after the core replaced an unknown visitor once.)
            if ([404, 405, 501].includes(error?.status ?? 0)) {
              logWarning(`The backend has no PATCH /api/chats/visitors/{id}/ (${error.status}): the contact form is skipped.`);
              own.contactForm = undefined;
              draw();
            } else showAlert(reason(own.strings, error));
            return false;
          },
        ),
    drag(on) {
      own.dragging = on;
      draw();
    },
  };
  return actions;
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

interface ContainedProps {
  model: WindowModel;
  close(): void;
  failed(error: unknown): void;
  children: ComponentChildren;
}

/** The window, or (once it threw while drawing) a small dialog that says so and offers Retry: a fresh view of the same chat. */
class Contained extends Component<ContainedProps, { broken?: boolean }> {
  /** One report per breakage: a bug often throws in several places of one draw. */
  reported = false;
  override componentDidCatch(error: unknown): void {
    this.setState({ broken: true });
    if (!this.reported) this.props.failed(error);
    this.reported = true;
  }
  override render({ model, close, children }: ContainedProps) {
    if (!this.state.broken) return children;
    const { strings } = model;
    return (
      <div class="w" part="window" role="dialog" aria-label={strings.title} hidden={!model.open}>
        <p role="alert">{strings.error}</p>
        <button
          type="button"
          onClick={() => {
            this.reported = false;
            this.setState({ broken: false });
          }}
        >
          {strings.retry}
        </button>
        <button type="button" onClick={close}>
          {strings.close}
        </button>
      </div>
    );
  }
}
