import { Component } from 'preact';
import type { ChatMessage, ChatState } from '../core/types';
import { fmt, type Strings } from './i18n';
import { ChatIcon, CloseIcon, NewIcon, SendIcon, StopIcon } from './icons';
import { Markdown } from './markdown';

/** Everything the tree needs; rebuilt by mount.tsx on each render. */
export interface View {
  s: Strings;
  /** Window visible. */
  open: boolean;
  /** The window has been opened once (its tree is built lazily). */
  built: boolean;
  unread: number;
  state: ChatState | null;
  rtl: boolean;
  greeting?: string;
  max: number;
  /** Error not tied to one message (`state.error` or a refused send). */
  alert: string;
  toggle(open: boolean): void;
  send(text: string): void;
  retry(id: string): void;
  stop(): void;
  newChat(): void;
  /** Scroll position test: overridable because happy-dom has no layout. */
  atBottom(el: HTMLElement): boolean;
}

export const atBottom = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < 40;

export function App({ v }: { v: View }) {
  const { s, open, unread } = v;
  return (
    <>
      <button
        class="l"
        part="launcher"
        aria-label={unread ? `${s.open}, ${fmt(s.unread, unread)}` : s.open}
        aria-expanded="false"
        aria-haspopup="dialog"
        hidden={open}
        onClick={() => v.toggle(true)}
      >
        <ChatIcon />
        {unread > 0 && (
          <span class="b" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {v.built && <Window v={v} />}
    </>
  );
}

function Window({ v }: { v: View }) {
  const { s, state } = v;
  const msgs = state ? state.messages : [];
  const streaming = msgs.some((m) => m.status === 'streaming');
  return (
    <div
      class="w"
      part="window"
      role="dialog"
      aria-labelledby="cs-t"
      dir={v.rtl ? 'rtl' : 'ltr'}
      hidden={!v.open}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.isComposing) {
          e.stopPropagation();
          v.toggle(false);
        }
      }}
    >
      <div class="h" part="header">
        <h2 class="t" id="cs-t">
          {s.title}
        </h2>
        <button class="ib" aria-label={s.newChat} title={s.newChat} onClick={v.newChat}>
          <NewIcon />
        </button>
        <button class="ib" aria-label={s.close} title={s.close} onClick={() => v.toggle(false)}>
          <CloseIcon />
        </button>
      </div>
      <Log v={v} msgs={msgs} busy={streaming} />
      {state?.status === 'offline' && (
        <div class="al" role="status">
          {s.offline}
        </div>
      )}
      <div class="al" role="alert">
        {v.alert || null}
      </div>
      <Composer v={v} streaming={streaming} />
    </div>
  );
}

interface LogProps {
  v: View;
  msgs: readonly ChatMessage[];
  busy: boolean;
}

class Log extends Component<LogProps, { pill?: boolean }> {
  el?: HTMLDivElement | null;
  stick = true;
  sig = '';
  last?: string;
  toEnd = () => {
    const el = this.el!;
    el.scrollTop = el.scrollHeight;
    this.stick = true;
    if (this.state.pill) this.setState({ pill: false });
  };
  /** After a render: follow new content when at the end, else offer the pill. */
  follow() {
    const { v, msgs } = this.props;
    const last = msgs[msgs.length - 1];
    const sig = v.open && last ? `${msgs.length}|${last.id}|${last.status}|${last.text.length}` : '';
    if (sig === this.sig) return;
    this.sig = sig;
    if (!last || !sig) return;
    // The visitor's own new message always brings the view down.
    const own = last.author === 'visitor' && last.id !== this.last;
    this.last = last.id;
    if (own || this.stick) this.toEnd();
    else if (!this.state.pill) this.setState({ pill: true });
  }
  override componentDidMount() {
    this.follow();
  }
  override componentDidUpdate() {
    this.follow();
  }
  override render({ v, msgs, busy }: LogProps) {
    return (
      <div class="mw">
        <div
          class="m"
          part="messages"
          role="log"
          aria-live="polite"
          aria-busy={busy ? 'true' : undefined}
          aria-label={v.s.title}
          tabIndex={0}
          ref={(e) => void (this.el = e)}
          onScroll={() => {
            this.stick = v.atBottom(this.el!);
            if (this.stick && this.state.pill) this.setState({ pill: false });
          }}
        >
          {v.greeting && (
            <div class="msg" data-greeting="">
              <div class="bb">{v.greeting}</div>
            </div>
          )}
          {msgs.map((m) => (
            <Msg key={m.id} m={m} s={v.s} retry={v.retry} />
          ))}
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
  retry(id: string): void;
}

/** One message; re-renders only when its snapshot object changes (streaming touches only the last one). */
class Msg extends Component<MsgProps> {
  override shouldComponentUpdate(n: MsgProps) {
    return n.m !== this.props.m || n.s !== this.props.s;
  }
  override render({ m, s, retry }: MsgProps) {
    const mine = m.author === 'visitor';
    const st = m.status;
    const failed = st === 'failed';
    const meta = failed
      ? mine
        ? s.failed + (m.error?.message ? `: ${m.error.message}` : '')
        : s.interrupted
      : st === 'queued'
        ? s.queued
        : st === 'sending'
          ? s.sending
          : m.stopped
            ? s.stopped
            : '';
    return (
      <div class="msg" data-author={m.author} data-status={st} data-stopped={m.stopped ? '' : undefined}>
        <span class="sr">{mine ? s.you : s.bot}: </span>
        {st === 'streaming' && !m.text ? (
          <div class="bb">
            <div class="d" aria-hidden="true">
              <i />
              <i />
              <i />
            </div>
            <span class="sr">{s.typing}</span>
          </div>
        ) : (
          m.text && <div class="bb">{mine ? m.text : <Markdown text={m.text} streaming={st === 'streaming'} />}</div>
        )}
        {meta && (
          <div class="meta">
            {meta}
            {failed && (
              <button class="rt" onClick={() => retry(m.id)}>
                {s.retry}
              </button>
            )}
          </div>
        )}
      </div>
    );
  }
}

interface ComposerProps {
  v: View;
  streaming: boolean;
}

class Composer extends Component<ComposerProps, { t: string }> {
  override state = { t: '' };
  ta?: HTMLTextAreaElement | null;
  h?: string;
  /** Auto-grow to the content (CSSOM writes, allowed under a strict CSP); only when the text changed. */
  override componentDidUpdate() {
    const el = this.ta!;
    if (this.h === this.state.t) return;
    this.h = this.state.t;
    el.style.height = '';
    if (el.scrollHeight) el.style.height = `${Math.min(el.scrollHeight, 140)}px`;
  }
  submit = () => {
    // Read the field itself: a key event may arrive before the re-render for the last input.
    const t = this.ta!.value;
    const { v } = this.props;
    if (!t.trim() || t.length > v.max) return;
    v.send(t);
    this.setState({ t: '' });
  };
  override render({ v, streaming }: ComposerProps, { t }: { t: string }) {
    const { s } = v;
    const over = t.length > v.max;
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
          <textarea
            ref={(e) => void (this.ta = e)}
            rows={1}
            aria-label={s.message}
            placeholder={s.placeholder}
            enterkeyhint="send"
            value={t}
            onInput={(e) => this.setState({ t: e.currentTarget.value })}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                this.submit();
              }
            }}
          />
          {streaming && (
            <button type="button" class="st" aria-label={s.stop} title={s.stop} onClick={v.stop}>
              <StopIcon />
            </button>
          )}
          <button type="submit" class="sb" aria-label={s.send} title={s.send} disabled={!t.trim() || over}>
            <SendIcon />
          </button>
        </form>
      </>
    );
  }
}
