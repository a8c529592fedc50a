// The conversation list: this tab's chats, newest activity first, each titled by its first visitor
// message, with the time of its last message, a dot for answers not seen yet, and "Ended" under a chat an
// agent ended (until the visitor's next message starts it again). Loaded when the visitor
// first opens it (fetched ahead when they point at or focus its button).
import type { Chat } from '../../core/types';
import type { Strings } from '../strings';
import { dayTime } from '../time';

/** The list's CSS, added when it first loads. .cl: the list, .ct: a chat's title. */
export const css = `.cl{flex:1;overflow-y:auto;padding:8px}
.cl ul{list-style:none;margin:0;padding:0}
.cl button{width:100%;grid-template-columns:minmax(0,1fr) auto auto;justify-items:start;gap:8px;text-align:start;padding:10px 12px;border-radius:10px}
.cl button:hover{background:#8882}
.cl [aria-current]{background:var(--u)}
.ct{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:100%}
.cl time,.ce{color:var(--m);font-size:12px}
.ce{grid-column:1}`;

const lastAt = (chat: Chat): string => chat.messages[chat.messages.length - 1]?.createdAt || chat.createdAt;

const LIST_TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
const LIST_DATE: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' };
/** Time today, else the date (in the widget's language). */
const when = (iso: string, locale: string): string => dayTime(iso, locale, LIST_TIME, LIST_DATE);

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
                {chat.endedAt && <span class="ce">{strings.endedMark}</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
