/** @jsxRuntime classic */
/** @jsx h */
// The conversation list: this tab's chats, newest activity first, each titled by its first visitor
// message, with the time of its last message and a dot for answers not seen yet.
import { h } from 'preact';
import type { Chat } from '../core/types';
import type { Strings } from './i18n';

const last = (c: Chat) => c.messages[c.messages.length - 1]?.createdAt || c.createdAt;

/** Time today, else the date (in the widget's language). */
function when(iso: string, locale: string): string {
  const at = new Date(iso);
  if (isNaN(+at)) return '';
  const today = at.toDateString() == new Date().toDateString();
  try {
    return at.toLocaleString(locale, today ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short' });
  } catch {
    return at.toLocaleString();
  }
}

interface ListProps {
  s: Strings;
  locale: string;
  chats: readonly Chat[];
  current: string;
  pick(id: string): void;
}

export function ChatList({ s, locale, chats, current, pick }: ListProps) {
  const sorted = [...chats].sort((a, b) => Date.parse(last(b)) - Date.parse(last(a)));
  return (
    <nav class="cl" aria-labelledby="clh">
      <h3 id="clh" class="sr">
        {s.chats}
      </h3>
      <ul>
        {sorted.map((c) => {
          const title = c.messages.find((m) => m.author == 'visitor' && m.text)?.text || s.untitled;
          return (
            <li key={c.id}>
              <button type="button" aria-current={c.id == current ? 'true' : undefined} onClick={() => pick(c.id)}>
                <span class="ct">{title}</span>
                <time dateTime={last(c)}>{when(last(c), locale)}</time>
                {!!c.unread && (
                  <span class="dot">
                    <span class="sr">{s.unreadDot}</span>
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
