// What a new message does while the visitor is not looking at it: an agent's plays the tone while the
// window is closed or the page hidden (in any chat: live updates follow the others too), and an answer
// in a chat that is not shown is said while the window is open (the Chats button shows a dot too).
import type { ChatMessage, ChatState } from '../../core/types';
import { unreadElsewhere } from './common';

export interface NotifierOptions {
  sound: boolean;
  audio(): AudioContext | undefined;
  /** The window is open. */
  isOpen(): boolean;
  isPageShown(): boolean;
  /** Say "New message in another chat". */
  sayElsewhere(): void;
}

export function createNotifier(options: NotifierOptions) {
  const seenAgentMessages = new Set<string>();
  // The tone's code loads only where sound is on, as the window attaches: long before an agent answers.
  let playTone: ((audio: AudioContext | undefined) => void) | undefined;
  if (options.sound)
    import('../sound').then(
      (sound) => (playTone = sound.playTone),
      () => undefined,
    );
  /** The core replaces a chat's message list when it changes: a list already looked at is skipped. */
  const scanned = new WeakSet<readonly ChatMessage[]>();

  /** Agent messages not seen before, in any chat. */
  function newAgentMessages(state: ChatState): boolean {
    let found = false;
    for (const list of [state.messages, ...state.chats.map((chat) => chat.messages)]) {
      if (scanned.has(list)) continue;
      scanned.add(list);
      for (const message of list) {
        if (message.author !== 'agent' || seenAgentMessages.has(message.id)) continue;
        seenAgentMessages.add(message.id);
        found = true;
      }
    }
    return found;
  }

  /** A new state; `previous` is undefined for the first (nothing in it is news). */
  return (state: ChatState, previous: ChatState | undefined): void => {
    const sameChat = state.currentChatId === previous?.currentChatId;
    const arrived = newAgentMessages(state);
    if (playTone && arrived && sameChat && !(options.isOpen() && options.isPageShown())) playTone(options.audio());
    if (sameChat && options.isOpen() && unreadElsewhere(state) > unreadElsewhere(previous)) options.sayElsewhere();
  };
}
