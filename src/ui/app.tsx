import { Component } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
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

function Log({ v, msgs, busy }: { v: View; msgs: readonly ChatMessage[]; busy: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const lastId = useRef<string | undefined>(undefined);
  const [pill, setPill] = useState(false);
  const last = msgs[msgs.length - 1];
  const sig = last ? `${msgs.length}|${last.id}|${last.status}|${last.text.length}` : '';
  const toEnd = () => {
    const el = ref.current!;
    el.scrollTop = el.scrollHeight;
    stick.current = true;
    setPill(false);
  };
  useLayoutEffect(() => {
    if (!v.open) return;
    // The visitor's own new message always brings the view down; otherwise follow only when at the end.
    const own = last && last.author === 'visitor' && last.id !== lastId.current;
    lastId.current = last?.id;
    if (own || stick.current) toEnd();
    else if (last) setPill(true);
  }, [sig, v.open]);
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
        ref={ref}
        onScroll={() => {
          stick.current = v.atBottom(ref.current!);
          if (stick.current) setPill(false);
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
      {pill && (
        <button class="pill" onClick={toEnd}>
          {v.s.newMessages} ↓
        </button>
      )}
    </div>
  );
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

function Composer({ v, streaming }: { v: View; streaming: boolean }) {
  const { s } = v;
  const [text, setText] = useState('');
  const ta = useRef<HTMLTextAreaElement>(null);
  const over = text.length > v.max;
  const blank = !text.trim();
  // Auto-grow: measure the content height (CSSOM write, allowed under a strict CSP).
  useLayoutEffect(() => {
    const el = ta.current!;
    el.style.height = '';
    if (el.scrollHeight) el.style.height = `${Math.min(el.scrollHeight, 140)}px`;
  }, [text]);
  const submit = () => {
    // Read the field itself: a key event may arrive before the re-render for the last input.
    const t = ta.current!.value;
    if (!t.trim() || t.length > v.max) return;
    v.send(t);
    setText('');
  };
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
          submit();
        }}
      >
        <textarea
          ref={ta}
          rows={1}
          aria-label={s.message}
          placeholder={s.placeholder}
          enterkeyhint="send"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        {streaming && (
          <button type="button" class="st" aria-label={s.stop} title={s.stop} onClick={v.stop}>
            <StopIcon />
          </button>
        )}
        <button type="submit" class="sb" aria-label={s.send} title={s.send} disabled={blank || over}>
          <SendIcon />
        </button>
      </form>
    </>
  );
}
