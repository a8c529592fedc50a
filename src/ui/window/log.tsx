// The conversation: a log of messages that follows new content while the visitor is at its end, offers
// "New messages" when they scrolled up, renders a long transcript from its newest messages, offers
// suggested questions until the visitor writes, and says what settled through the window's polite region
// (the log itself is not live).
import { Component } from 'preact';
import type { ChatMessage } from '../../core/types';
import { fmt } from '../strings';
import { typingDots } from './common';
import { Message } from './message';
import type { WindowModel, WindowSetup } from './types';

interface LogProps {
  setup: WindowSetup;
  model: WindowModel;
  messages: readonly ChatMessage[];
  /** An answer is streaming. */
  busy: boolean;
}

/**
 * Messages rendered when a conversation is shown: more than a screenful, few enough that opening a long
 * chat stays one short task. Older ones are revealed as the visitor scrolls up (ten at a time), or a
 * page at a time from the "earlier messages" button.
 */
const FIRST_SHOWN = 20;
const PAGE = 60;
/** Within this many px of the end, the log follows new content. */
const NEAR_END = 40;

const isAtEnd = (element: HTMLElement): boolean => element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_END;

/** What a screen reader would read of a rendered message: no buttons, no time (it stays quiet), nothing aria-hidden, images by their alt; parts apart. */
const spoken = (node: Node): string => {
  if (node.nodeType === Node.TEXT_NODE) return node.nodeValue!;
  if (!(node instanceof Element) || /^(BUTTON|TIME)$/.test(node.tagName) || node.getAttribute('aria-hidden') === 'true') return '';
  if (node.tagName === 'IMG') return ` ${node.getAttribute('alt') || ''} `;
  const text = [...node.childNodes].map(spoken).join('');
  return /^(P|LI|DIV|PRE|H\d|TR|TD|TH|BR|SPAN)$/.test(node.tagName) ? `${text} ` : text;
};

const settled = (message: ChatMessage): boolean => message.status === 'sent' || message.status === 'failed';

const minuteOf = (message: ChatMessage): number => Math.floor(Date.parse(message.createdAt) / 60_000);

export class Log extends Component<LogProps, { newBelow?: boolean }> {
  element?: HTMLDivElement | null;
  /** Follow new content (the visitor is at the end). */
  following = true;
  /** What the last render showed at the end, to tell a change from a re-render. */
  lastSignature?: string | false;
  lastMessageId?: string;
  /** Oldest messages not rendered, the chat they belong to, and the length seen at the last render. */
  hidden = 0;
  chatId?: string;
  length = 0;
  /** Distance from the scroll position to the end before older messages were prepended (0: none). */
  keepFromEnd = 0;

  showNewBelow(newBelow: boolean): void {
    if (this.state.newBelow !== newBelow) this.setState({ newBelow });
  }

  toEnd = (): void => {
    const element = this.element!;
    element.scrollTop = element.scrollHeight;
    this.following = true;
    this.showNewBelow(false);
  };

  /** Reveal older messages (a page from the button; ten while scrolling, so each frame stays short), keeping the view in place. */
  revealOlder = (event?: Event): void => {
    const element = this.element!;
    if (this.keepFromEnd || !this.hidden) return;
    this.keepFromEnd = element.scrollHeight - element.scrollTop || 1;
    this.hidden = Math.max(0, this.hidden - (event ? PAGE : PAGE / 6));
    // The button goes away with the last page: keep keyboard focus in the log.
    if (event && !this.hidden) element.focus();
    this.forceUpdate();
  };

  /**
   * The log is not live: it would read out a chat shown or switched to, older messages revealed and every
   * streamed chunk. Instead the polite region says each message from the other side once it settles (a
   * visitor's own only when it failed), and an agent starting to type. A settled message that changes (a
   * retried answer, a cut one that history completed) is said again.
   */
  announce(): void {
    const { setup, model, messages } = this.props;
    const { heard } = setup;
    const chatId = model.state?.currentChatId;
    if (chatId !== heard.chat) {
      heard.chat = chatId;
      heard.said = new Map(messages.filter(settled).map((m) => [m.id, m]));
      setup.say('');
      return;
    }
    const news: string[] = [];
    let nodes: NodeListOf<Element> | undefined;
    messages.forEach((message, index) => {
      // Message snapshots are replaced, never changed: the same object has nothing new.
      const before = heard.said.get(message.id);
      if (!settled(message) || before === message) return;
      heard.said.set(message.id, message);
      if (before && before.status === message.status && before.text === message.text) return;
      if (!model.open || (message.author === 'visitor' && message.status !== 'failed')) return;
      nodes ??= this.element!.querySelectorAll(':scope>[data-author]');
      const node = nodes[index - this.hidden];
      if (node) news.push(spoken(node).replace(/\s+/g, ' ').trim());
    });
    const typing = model.state?.agentTyping;
    const typist = typing?.name || (typing && model.strings.agent);
    if (typist && typist !== heard.typing && model.open) news.push(fmt(model.strings.agentTyping, typist));
    heard.typing = typist || undefined;
    if (news.length) setup.say(news.join(' '));
  }

  /** After a render: announce what settled; follow new content when at the end, else offer "New messages". */
  override componentDidUpdate(): void {
    const { model, messages } = this.props;
    const element = this.element!;
    this.announce();
    if (this.keepFromEnd) {
      element.scrollTop = element.scrollHeight - this.keepFromEnd;
      this.keepFromEnd = 0;
    }
    const last = messages[messages.length - 1];
    const signature =
      model.open && last && `${messages.length}|${last.id}|${last.status}|${last.text.length}|${!!model.state!.agentTyping}`;
    if (signature === this.lastSignature) return;
    this.lastSignature = signature;
    if (!signature) return;
    // The visitor's own new message always brings the view down.
    const own = last!.author === 'visitor' && last!.id !== this.lastMessageId;
    this.lastMessageId = last!.id;
    if (own || this.following) this.toEnd();
    else this.showNewBelow(true);
  }

  override componentDidMount(): void {
    this.componentDidUpdate();
  }

  override render({ setup, model, messages, busy }: LogProps) {
    const { strings, state } = model;
    const length = messages.length;
    const chatId = state?.currentChatId;
    const typing = state?.agentTyping;
    // A long transcript renders its newest messages; while following the end, the rendered part stays short.
    if (chatId !== this.chatId || this.hidden > length) this.hidden = Math.max(0, length - FIRST_SHOWN);
    else if (length > this.length && this.following && length - this.hidden > PAGE) this.hidden = length - FIRST_SHOWN;
    this.chatId = chatId;
    this.length = length;
    const shown = this.hidden ? messages.slice(this.hidden) : messages;
    const today = new Date().toDateString();
    // Suggestions until the visitor writes: the site's in a chat without a visitor message, else the newest
    // answer's. None above the line where an agent ended the chat: they belonged to that conversation.
    const Suggestions = !model.formFirst && model.parts.suggestions?.Suggestions;
    let offer: ChatMessage | undefined;
    let fresh = true;
    for (let index = length; index-- && fresh; ) {
      const message = messages[index]!;
      fresh = message.author !== 'visitor' && !message.notice;
      offer ||= fresh ? message.suggestions && message : undefined;
    }
    return (
      <div class="mw">
        <div
          class="m"
          part="messages"
          role="log"
          aria-live="off"
          aria-busy={busy ? 'true' : undefined}
          aria-label={strings.title}
          // Focusable, so keyboard visitors can scroll the conversation (a scrollable region must be).
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls, and only focus lets a keyboard scroll it
          tabIndex={0}
          ref={(element) => {
            this.element = element;
          }}
          onScroll={() => {
            const element = this.element!;
            this.following = isAtEnd(element);
            if (this.following) this.showNewBelow(false);
            // Within a screen of the top: reveal a few older messages per frame, before the visitor gets there.
            else if (this.hidden && element.scrollTop < element.clientHeight) this.revealOlder();
          }}
        >
          {this.hidden > 0 ? (
            <button type="button" class="rt" onClick={this.revealOlder}>
              {strings.earlier}
            </button>
          ) : (
            <>
              {setup.greeting && (
                <div class="msg" data-greeting="">
                  <div class="bb">{setup.greeting}</div>
                </div>
              )}
              {fresh && Suggestions && setup.suggestions[0] && <Suggestions list={setup.suggestions} send={setup.actions.send} />}
            </>
          )}
          {shown.flatMap((message, index) => {
            const next = shown[index + 1];
            // Messages of one author in the same minute show their time once, under the last of them.
            const day = next?.author === message.author && minuteOf(next) === minuteOf(message) ? '' : today;
            const item = (
              <Message
                key={message.id}
                message={message}
                strings={strings}
                setup={setup}
                features={model.features}
                parts={model.parts}
                day={day}
              />
            );
            return message === offer && Suggestions
              ? [item, <Suggestions key="sg" list={offer.suggestions!} send={setup.actions.send} />]
              : [item];
          })}
          {typing && (
            <div class="msg">
              <div class="bb">{typingDots()}</div>
              <div class="meta">{fmt(strings.agentTyping, typing.name || strings.agent)}</div>
            </div>
          )}
        </div>
        {this.state.newBelow && (
          <button type="button" class="pill" onClick={this.toEnd}>
            {strings.newMessages} ↓
          </button>
        )}
      </div>
    );
  }
}
