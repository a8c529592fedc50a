/** @jsxRuntime classic */
/** @jsx h */
/** @jsxFrag Fragment */
import { Component, Fragment, h } from 'preact';
import type { ContactField } from '../core/contact';
import type { ChatMessage, ChatState, Feedback, MessageError } from '../core/types';
import type { Tray } from './attachments';
import { ChatList } from './chats';
import { Files } from './files';
import { fmt, type Strings } from './i18n';
import { CLOSE, LIST, NEW, SEND, STOP, icon } from './icons';
import type { Extras } from './load-extras';
import { Markdown } from './markdown';

/** Everything the tree needs; one object, updated in place by mount.tsx before each render. */
export interface View {
  s: Strings;
  /** Window visible. */
  open: boolean;
  state?: ChatState;
  rtl?: boolean;
  greeting?: string;
  max: number;
  /** A send the client refused (not tied to one message). */
  alert?: string;
  toggle(open: boolean): void;
  send(text: string): void;
  retry(id: string): void;
  stop(): void;
  /** The visitor is typing (true) or cleared the composer (false). */
  typing(t: boolean): void;
  newChat(): void;
  /** Scroll position test: overridable because happy-dom has no layout. */
  atBottom(el: HTMLElement): boolean;
  /** Small viewport (the window is full-screen and traps focus). */
  small(): boolean;
  locale: string;
  /** Options of the optional features. */
  contact?: 'before' | 'after-first-message';
  fields: ContactField[];
  feedback?: boolean;
  /** The conversation list is shown instead of the chat. */
  list?: boolean;
  showList(on: boolean): void;
  pick(chatId: string): void;
  rate(id: string, rating: Feedback['rating'], comment?: string): Promise<void>;
  /** Send the contact form; false when it failed (the reason is in `alert`). */
  identify(values: Record<string, string>): Promise<boolean>;
  /** The contact form was just sent (a thank-you line shows). */
  saved?: boolean;
  /** The optional features' components, once loaded (only when one is on). */
  x?: Extras;
  /** Files for the next message (with attachments on, once the features loaded). */
  tray?: Tray;
  /** Files are being dragged over the window. */
  dragging?: boolean;
  drag(on: boolean): void;
  /** What the log has announced, kept while it is away behind the conversation list. */
  heard?: Heard;
  /** The polite region's words, numbered so the same words said again are a change. */
  said?: { text: string; n: number };
  /** Announce through the polite region (combined with what else is said in the same frame); '' clears it. */
  say(text: string): void;
}

/** The chat being followed, its settled messages as last announced (or found when shown), and who was typing. */
interface Heard {
  /** null until the first chat is followed. */
  chat: string | undefined | null;
  said: Map<string, ChatMessage>;
  typing?: string;
}

/** Answers not seen yet in the chats that are not shown. */
export const aside = (state?: ChatState) => state?.chats.reduce((n, c) => n + (c.id != state.currentChatId && c.unread || 0), 0) || 0;

export const atBottom = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < 40;

/** Localized reason for a failure, by error code (the core's `message` is for developers). */
export const reason = (s: Strings, e: MessageError): string =>
  (s as any)[e.code == 'aborted' ? 'stopped' : e.code == 'http' && (e.status == 429 || e.status == 503) ? 'busy' : e.code] || s.error;

const btn = (c: string, label: string, onClick: (() => void) | undefined, d: string, p?: object) => (
  <button class={c} aria-label={label} title={label} onClick={onClick} {...p}>
    {icon(d)}
  </button>
);

const dots = () => (
  <div class="d" aria-hidden="true">
    <i />
    <i />
    <i />
  </div>
);

/** Tab and Shift+Tab cycle inside the dialog while it fills a small screen; on desktop it stays non-modal. */
const trap = (e: KeyboardEvent, v: View) => {
  if (e.key != 'Tab' || !v.small()) return;
  const all = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('a,button:not(:disabled),input:not(:disabled),textarea:not(:disabled),[tabindex]')];
  const edge = all[e.shiftKey ? 0 : all.length - 1];
  if (e.target == edge) {
    e.preventDefault();
    all[e.shiftKey ? all.length - 1 : 0]!.focus();
  }
};

/** The chat window: built on first open (the launcher is plain DOM, drawn by mount.tsx). */
export function Window({ v }: { v: View }) {
  const { s, state } = v;
  const msgs = state ? state.messages : [];
  const streaming = msgs.some((m) => m.status == 'streaming');
  const close = () => v.toggle(false);
  const cn = state?.connection;
  const elsewhere = aside(state) > 0;
  // The contact form, while required: before the first message, or once it went out (the composer waits).
  // (Only once the form can show: if its file cannot load, the chat must still work.)
  const X = v.x;
  const form = !!X && !!v.contact && !!state && !state.identified && (v.contact == 'before' || msgs.some((m) => m.author == 'visitor'));
  const files = (e: DragEvent) => v.tray && e.dataTransfer?.types.includes('Files');
  return (
    <div
      class="w"
      part="window"
      role="dialog"
      aria-labelledby="t"
      dir={v.rtl ? 'rtl' : 'ltr'}
      hidden={!v.open}
      data-dragging={v.dragging ? '' : undefined}
      onKeyDown={(e) => {
        if (e.key == 'Escape' && !e.isComposing) {
          e.stopPropagation();
          if (v.list) v.showList(false);
          else close();
        }
        trap(e, v);
      }}
      onDragOver={(e) => {
        if (!files(e)) return;
        e.preventDefault();
        if (!v.dragging) v.drag(true);
      }}
      onDragLeave={(e) => {
        if (v.dragging && !(e.currentTarget as Node).contains(e.relatedTarget as Node | null)) v.drag(false);
      }}
      onDrop={(e) => {
        if (!files(e)) return;
        e.preventDefault();
        v.drag(false);
        v.tray!.add([...e.dataTransfer!.files]);
      }}
    >
      <div class="h" part="header">
        <h2 class="t" id="t">
          {s.title}
        </h2>
        {cn && cn != 'online' && <span class="cs">{cn == 'offline' ? s.offlineShort : s.reconnecting}</span>}
        {btn('ib', elsewhere ? `${s.chats}, ${s.unreadDot}` : s.chats, () => v.showList(!v.list), LIST, {
          'aria-expanded': v.list ? 'true' : 'false',
          'data-dot': elsewhere ? '' : undefined,
        })}
        {btn('ib', s.newChat, v.newChat, NEW)}
        {btn('ib', s.close, close, CLOSE)}
      </div>
      {v.list ? (
        <ChatList s={s} locale={v.locale} chats={state?.chats || []} current={state?.currentChatId || ''} pick={v.pick} />
      ) : (
        <Log v={v} msgs={msgs} busy={streaming} />
      )}
      {v.dragging && (
        <div class="dz" aria-hidden="true">
          {s.dropHere}
        </div>
      )}
      {state?.status == 'offline' && (
        <div class="al" role="status">
          {s.offline}
        </div>
      )}
      <div class="sr" aria-live="polite" aria-atomic="true">
        {v.said?.text && <p key={v.said.n}>{v.said.text}</p>}
      </div>
      <div class="al" role="alert">
        {v.alert || (state?.error && reason(s, state.error))}
      </div>
      {v.saved && !form && (
        <div class="al ok" role="status">
          {s.saved}
        </div>
      )}
      {!v.list && form && <X.ContactForm s={s} fields={v.fields} submit={v.identify} />}
      {!v.list && X && v.tray && <X.TrayView tray={v.tray} s={s} />}
      {!v.list && <Composer v={v} streaming={streaming} locked={form} />}
    </div>
  );
}

interface LogProps {
  v: View;
  msgs: readonly ChatMessage[];
  busy: boolean;
}

/**
 * Messages rendered when a conversation is shown: more than a screenful, few enough that opening a long
 * chat stays one short task. Older ones are revealed as the visitor scrolls up (ten at a time), or a
 * page at a time from the "earlier messages" button.
 */
const FIRST = 20;
const PAGE = 60;

/** What a screen reader would read of a rendered message: no buttons, nothing aria-hidden, images by their alt; parts apart. */
const spoken = (n: Node): string =>
  n.nodeType == 3
    ? n.nodeValue!
    : !(n instanceof Element) || n.tagName == 'BUTTON' || n.getAttribute('aria-hidden') == 'true'
      ? ''
      : n.tagName == 'IMG'
        ? ` ${n.getAttribute('alt') || ''} `
        : [...n.childNodes].map(spoken).join('') + (/^(P|LI|DIV|PRE|H\d|TR|TD|TH|BR|SPAN)$/.test(n.tagName) ? ' ' : '');

class Log extends Component<LogProps, { pill?: boolean }> {
  el?: HTMLDivElement | null;
  stick = true;
  sig?: string | false;
  last?: string;
  /** Oldest messages not rendered, the chat they belong to, and the length seen at the last render. */
  skip = 0;
  chat?: string;
  len = 0;
  /** Distance from the scroll position to the end before older messages were prepended (0: none). */
  keep = 0;
  pill(pill: boolean) {
    if (this.state.pill != pill) this.setState({ pill });
  }
  toEnd = () => {
    const el = this.el!;
    el.scrollTop = el.scrollHeight;
    this.stick = true;
    this.pill(false);
  };
  /** Reveal older messages (a page from the button; ten while scrolling, so each frame stays short), keeping the view in place. */
  more = (e?: Event) => {
    const el = this.el!;
    if (this.keep || !this.skip) return;
    this.keep = el.scrollHeight - el.scrollTop || 1;
    this.skip = Math.max(0, this.skip - (e ? PAGE : PAGE / 6));
    // The button goes away with the last page: keep keyboard focus in the log.
    if (e && !this.skip) el.focus();
    this.forceUpdate();
  };
  /**
   * The log itself is not live: it would read out a chat shown or switched to, older messages revealed
   * and every streamed chunk. Instead a polite region announces each message from the other side once
   * it settles (a visitor's own only when it failed), and an agent starting to type. A settled message
   * that changes (a retried answer, a cut one that history completed) is announced again.
   */
  announce() {
    const { v, msgs } = this.props;
    const chat = v.state?.currentChatId;
    const settled = (m: ChatMessage) => m.status == 'sent' || m.status == 'failed';
    const h = (v.heard ||= { chat: null, said: new Map() });
    if (chat !== h.chat) {
      h.chat = chat;
      h.said = new Map(msgs.filter(settled).map((m) => [m.id, m]));
      v.say('');
      return;
    }
    const news: string[] = [];
    let nodes: NodeListOf<Element> | undefined;
    msgs.forEach((m, i) => {
      // Message snapshots are replaced, never changed: the same object has nothing new.
      const was = h.said.get(m.id);
      if (!settled(m) || was == m) return;
      h.said.set(m.id, m);
      if (was && was.status == m.status && was.text == m.text) return;
      const node = v.open && (m.author != 'visitor' || m.status == 'failed') && (nodes ||= this.el!.querySelectorAll(':scope>[data-author]'))[i - this.skip];
      if (node) news.push(spoken(node).replace(/\s+/g, ' ').trim());
    });
    const at = v.state?.agentTyping?.name || (v.state?.agentTyping && v.s.agent);
    if (at && at != h.typing && v.open) news.push(fmt(v.s.agentTyping, at));
    h.typing = at || undefined;
    if (news.length) v.say(news.join(' '));
  }
  /** After a render: announce what settled; follow new content when at the end, else offer the pill. */
  override componentDidUpdate() {
    const { v, msgs } = this.props;
    const el = this.el!;
    this.announce();
    if (this.keep) {
      el.scrollTop = el.scrollHeight - this.keep;
      this.keep = 0;
    }
    const last = msgs[msgs.length - 1];
    const sig = v.open && last && `${msgs.length}|${last.id}|${last.status}|${last.text.length}|${!!v.state!.agentTyping}`;
    if (sig == this.sig) return;
    this.sig = sig;
    if (!sig) return;
    // The visitor's own new message always brings the view down.
    const own = last!.author == 'visitor' && last!.id != this.last;
    this.last = last!.id;
    if (own || this.stick) this.toEnd();
    else this.pill(true);
  }
  override componentDidMount() {
    this.componentDidUpdate();
  }
  override render({ v, msgs, busy }: LogProps) {
    const len = msgs.length;
    const chat = v.state?.currentChatId;
    const at = v.state?.agentTyping;
    // A long transcript renders its newest messages; while following the end, the rendered part stays short.
    if (chat != this.chat || this.skip > len) this.skip = Math.max(0, len - FIRST);
    else if (len > this.len && this.stick && len - this.skip > PAGE) this.skip = len - FIRST;
    this.chat = chat;
    this.len = len;
    return (
      <div class="mw">
        <div
          class="m"
          part="messages"
          role="log"
          aria-live="off"
          aria-busy={busy ? 'true' : undefined}
          aria-label={v.s.title}
          tabIndex={0}
          ref={(e) => void (this.el = e)}
          onScroll={() => {
            const el = this.el!;
            if ((this.stick = v.atBottom(el))) this.pill(false);
            // Within a screen of the top: reveal a few older messages per frame, before the visitor gets there.
            else if (this.skip && el.scrollTop < el.clientHeight) this.more();
          }}
        >
          {this.skip > 0 ? (
            <button class="rt" onClick={this.more}>
              {v.s.earlier}
            </button>
          ) : (
            v.greeting && (
              <div class="msg" data-greeting="">
                <div class="bb">{v.greeting}</div>
              </div>
            )
          )}
          {(this.skip ? msgs.slice(this.skip) : msgs).map((m) => (
            <Msg key={m.id} m={m} s={v.s} v={v} />
          ))}
          {at && (
            <div class="msg">
              <div class="bb">{dots()}</div>
              <div class="meta">{fmt(v.s.agentTyping, at.name || v.s.agent)}</div>
            </div>
          )}
        </div>
        {this.state.pill && (
          <button class="pill" onClick={this.toEnd}>
            {v.s.newMessages} ↓
          </button>
        )}
      </div>
    );
  }
}

interface MsgProps {
  m: ChatMessage;
  s: Strings;
  /** The same object on every render (changes come through `m` and `s`). */
  v: View;
}

/** One message; re-renders only when its snapshot object changes (streaming touches only the last one). */
class Msg extends Component<MsgProps> {
  override shouldComponentUpdate(n: MsgProps) {
    return n.m != this.props.m || n.s != this.props.s;
  }
  override render({ m, s, v }: MsgProps) {
    const mine = m.author == 'visitor';
    const ag = m.author == 'agent' && (m.agent || { name: s.agent });
    const st = m.status;
    const failed = st == 'failed';
    const why = failed && reason(s, m.error || ({} as MessageError));
    const meta = failed
      ? mine
        ? `${s.failed} ${why}`
        : why
      : st == 'queued' || st == 'sending'
        ? s[st]
        : m.stopped && s.stopped;
    return (
      <div class="msg" data-author={m.author} data-status={st} data-stopped={m.stopped ? '' : undefined}>
        {ag ? (
          <div class="an">
            <Av a={ag} />
            {ag.name}
            <span class="sr">: </span>
          </div>
        ) : (
          m.author != 'system' && <span class="sr">{mine ? s.you : s.bot}: </span>
        )}
        {st == 'streaming' && !m.text ? (
          <div class="bb">
            {dots()}
            <span class="sr">{s.typing}</span>
          </div>
        ) : (
          m.text && <div class="bb">{mine ? m.text : <Markdown text={m.text} streaming={st == 'streaming'} />}</div>
        )}
        {m.attachments && <Files list={m.attachments} />}
        {v.x && v.feedback && m.author == 'assistant' && st == 'sent' && m.serverId && m.text && <v.x.Rate m={m} s={s} rate={v.rate} />}
        {meta && (
          <div class="meta">
            {meta}
            {failed && (
              <button class="rt" onClick={() => v.retry(m.id)}>
                {s.retry}
              </button>
            )}
          </div>
        )}
      </div>
    );
  }
}

/** An agent's avatar: the https image the core kept, else (or when it fails to load) the name's initial. */
class Av extends Component<{ a: { name: string; avatarUrl?: string } }, { e?: boolean }> {
  override render({ a }: { a: { name: string; avatarUrl?: string } }) {
    return a.avatarUrl && !this.state.e ? (
      <img class="av" src={a.avatarUrl} alt="" referrerpolicy="no-referrer" width={24} height={24} onError={() => this.setState({ e: true })} />
    ) : (
      <span class="av" aria-hidden="true">
        {[...a.name][0]?.toUpperCase()}
      </span>
    );
  }
}

interface ComposerProps {
  v: View;
  streaming: boolean;
  /** The contact form comes first. */
  locked?: boolean;
}

class Composer extends Component<ComposerProps, { t: string }> {
  override state = { t: '' };
  ta?: HTMLTextAreaElement | null;
  h?: string;
  /** Auto-grow to the content (CSSOM writes, allowed under a strict CSP); only when the text changed. */
  override componentDidUpdate() {
    const el = this.ta!;
    if (this.h == this.state.t) return;
    this.h = this.state.t;
    el.style.height = '';
    if (el.scrollHeight) el.style.height = `${Math.min(el.scrollHeight, 140)}px`;
  }
  submit = () => {
    // Read the field itself: a key event may arrive before the re-render for the last input.
    const t = this.ta!.value;
    const { v, locked } = this.props;
    if (locked || (!t.trim() && !v.tray?.ready()) || t.length > v.max) return;
    v.send(t);
    this.setState({ t: '' });
  };
  override render({ v, streaming, locked }: ComposerProps, { t }: { t: string }) {
    const { s } = v;
    const over = t.length > v.max;
    const empty = !t.trim() && !v.tray?.ready();
    return (
      <>
        {over && (
          <div class="al" role="alert">
            {fmt(s.tooLong, v.max)}
          </div>
        )}
        <form
          class="c"
          part="composer"
          onSubmit={(e) => {
            e.preventDefault();
            this.submit();
          }}
        >
          {v.x && v.tray && <v.x.AttachButton tray={v.tray} s={s} disabled={locked} />}
          <textarea
            ref={(e) => void (this.ta = e)}
            rows={1}
            aria-label={s.message}
            placeholder={locked ? s.formFirst : s.placeholder}
            disabled={locked}
            onPaste={(e) => {
              const pasted = [...(e.clipboardData?.files || [])];
              if (!v.tray || !pasted.length) return;
              e.preventDefault();
              v.tray.add(pasted);
            }}
            enterkeyhint="send"
            value={t}
            onInput={(e) => {
              const t = e.currentTarget.value;
              this.setState({ t });
              v.typing(!!t);
            }}
            onKeyDown={(e) => {
              if (e.key == 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                this.submit();
              }
            }}
          />
          {streaming && btn('st', s.stop, v.stop, STOP, { type: 'button' })}
          {btn('sb', s.send, undefined, SEND, { type: 'submit', disabled: locked || empty || over })}
        </form>
      </>
    );
  }
}
