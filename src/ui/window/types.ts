// What the window's components are given: the setup (fixed for the window's life) and the model (a new
// object for each render). Components read nothing else.
import type { ContactField } from '../../core/contact';
import type { ChatState, Feedback } from '../../core/types';
import type { Features, Tray } from '../features';
import type { Strings } from '../strings';
import type { LoadedParts } from './parts';

/** What the visitor can do in the window; each one asks the client or changes the window's own state. */
export interface WindowActions {
  close(): void;
  /** The composer was focused: the visitor reached for the chat. */
  engaged(): void;
  send(text: string): void;
  retry(messageId: string): void;
  stop(): void;
  /** The visitor is typing (true) or cleared the composer (false). */
  typing(on: boolean): void;
  newChat(): void;
  /** Show the conversation list (true) or the chat (false). */
  showList(on: boolean): void;
  /** The visitor may be about to open the list (pointer over, focus): fetch it ahead. */
  prepareList(): void;
  pickChat(chatId: string): void;
  rate(messageId: string, rating: Feedback['rating'], comment?: string): Promise<void>;
  /** Send the contact form; false when it failed (the reason is in the alert). */
  identify(values: Record<string, string>): Promise<boolean>;
  /** Files are being dragged over the window (true), or no longer (false). */
  drag(on: boolean): void;
}

/** The polite region's words; numbered, so the same words said again are a change. */
export interface Announcement {
  text: string;
  count: number;
}

/** What the log has announced: kept while the log is away behind the conversation list. */
export interface Heard {
  /** null until the first chat is followed. */
  chat: string | undefined | null;
  said: Map<string, ChatState['messages'][number]>;
  typing?: string | undefined;
}

export interface WindowSetup {
  actions: WindowActions;
  rtl: boolean;
  /** Inline mode: a region of the page, always open (no Close, Escape does not close). */
  inline: boolean;
  greeting: string | undefined;
  maxMessageLength: number;
  /** Language for times and dates (messages, the conversation list). */
  locale: string;
  contactFields: ContactField[];
  feedback: boolean;
  /** The site's suggested questions, offered while a chat has no visitor message. */
  suggestions: string[];
  /** An image at `url` may load (avatars, thumbnails): its origin is the API's or one of `imageOrigins`. */
  showImage(url: string): boolean;
  /** The window fills a small screen (and keeps focus inside). */
  isSmallScreen(): boolean;
  /** Load the part that draws tables and code blocks' copy buttons (an answer has one). */
  needRich(): void;
  /** Announce through the polite region (combined with what else is said in the same frame); '' clears it. */
  say(text: string): void;
  heard: Heard;
}

export interface WindowModel {
  strings: Strings;
  /** The client's state, once the window follows it. */
  state: ChatState | undefined;
  open: boolean;
  /** A send the client refused, or a failure not tied to one message. */
  alert: string;
  showingList: boolean;
  /** The contact form was just sent (a thank-you line shows). */
  formSent: boolean;
  dragging: boolean;
  announcement: Announcement | undefined;
  /** The optional features' components, once loaded (only where one is on). */
  features: Features | undefined;
  /** The window's own parts that load when first needed. */
  parts: LoadedParts;
  /** Files for the next message (with attachments on, once the features loaded). */
  tray: Tray | undefined;
  /** The contact form is asked now (the composer waits). */
  formFirst: boolean;
}

/** The window's own state, beside the client's. */
export interface WindowState {
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
