// Is the visitor looking? The UI says whether the window is open and the page visible; answers that
// arrive while they are not are counted (the launcher's badge), and per chat while it is not the one
// in front of them (the conversation list's dot).
import type { Emitter } from './emitter';
import type { ChatStore } from './store';
import type { ChatClientEvents, ChatMessage, Presence } from './types';

export interface Attention {
  /** Until told otherwise: closed and visible. */
  presence(): Presence;
  setPresence(next: Presence): void;
  /** The window is open and the page visible. */
  attended(): boolean;
  /** Answers or agent messages arrived complete (or finished streaming) in a chat: counted in one change. */
  arrived(chatId: string, messages: readonly ChatMessage[]): void;
  /** The visitor read everything (markRead(), or the window shown): the badge and the current chat's dot go. */
  markRead(): void;
  setUnread(count: number): void;
}

export function createAttention(store: ChatStore, emitter: Emitter<ChatClientEvents>): Attention {
  let presence: Presence = { open: false, pageVisible: true };
  const attended = (): boolean => presence.open && presence.pageVisible;

  function setUnread(count: number): void {
    if (count === store.get('unread')) return;
    store.set({ unread: count });
    emitter.emit('unread', { count });
  }

  /** The current chat is in front of the visitor: its dot goes. */
  function seen(): void {
    const chatId = store.currentChatId();
    if (!store.chat(chatId)?.unread) return;
    store.updateChat(chatId, ({ unread: _seen, ...chat }) => chat);
    store.changed();
  }

  return {
    presence: () => presence,
    setPresence(next) {
      presence = { open: next.open === true, pageVisible: next.pageVisible !== false };
    },
    attended,
    arrived(chatId, messages) {
      const count = messages.filter((m) => m.author === 'assistant' || m.author === 'agent').length;
      if (!count) return;
      const away = !attended();
      if (away) setUnread(store.get('unread') + count);
      if (away || chatId !== store.currentChatId()) {
        store.updateChat(chatId, (chat) => ({ ...chat, unread: (chat.unread ?? 0) + count }));
        store.changed();
      }
    },
    markRead() {
      setUnread(0);
      seen();
    },
    setUnread,
  };
}
