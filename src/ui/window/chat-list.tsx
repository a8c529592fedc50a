// The conversation list: this tab's chats, newest activity first, each titled by its first visitor
// message, with the time of its last message and a dot for answers not seen yet.
import type { Chat } from '../../core/types';
import type { Strings } from '../strings';

const lastAt = (chat: Chat): string => chat.messages[chat.messages.length - 1]?.createdAt || chat.createdAt;

/** Time today, else the date (in the widget's language). */
function when(iso: string, locale: string): string {
  const at = new Date(iso);
  if (Number.isNaN(+at)) return '';
  const today = at.toDateString() === new Date().toDateString();
  try {
    return at.toLocaleString(locale, today ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short' });
  } catch {
    return at.toLocaleString();
  }
}

interface ListProps {
  strings: Strings;
  locale: string;
  chats: readonly Chat[];
  current: string;
  pick(id: string): void;
}

export function ChatList({ strings, locale, chats, current, pick }: ListProps) {
  const sorted = [...chats].sort((a, b) => Date.parse(lastAt(b)) - Date.parse(lastAt(a)));
  return (
    <nav class="cl" aria-labelledby="clh">
      <h3 id="clh" class="sr">
        {strings.chats}
      </h3>
      <ul>
        {sorted.map((chat) => {
          const title = chat.messages.find((m) => m.author === 'visitor' && m.text)?.text || strings.untitled;
          return (
            <li key={chat.id}>
              <button type="button" aria-current={chat.id === current ? 'true' : undefined} onClick={() => pick(chat.id)}>
                <span class="ct">{title}</span>
                <time dateTime={lastAt(chat)}>{when(lastAt(chat), locale)}</time>
                {!!chat.unread && (
                  <span class="dot">
                    <span class="sr">{strings.unreadDot}</span>
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
