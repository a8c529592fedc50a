// Small pieces the window's parts share.
import type { ChatState, MessageError } from '../../core/types';
import { icon } from '../icons';
import type { Strings } from '../strings';

/** Answers not seen yet in the chats that are not shown. */
export const unreadElsewhere = (state?: ChatState): number =>
  state?.chats.reduce((count, chat) => count + ((chat.id !== state.currentChatId && chat.unread) || 0), 0) || 0;

/** A localized reason for a failure, by error code (the core's `message` is for developers). */
export const reason = (strings: Strings, error: MessageError): string => {
  const busy = error.code === 'http' && (error.status === 429 || error.status === 503);
  const key = error.code === 'aborted' ? 'stopped' : busy ? 'busy' : error.code;
  return (strings as unknown as Record<string, string | undefined>)[key] || strings.error;
};

/**
 * A button named by its label (also its tooltip), showing an icon. A function that returns the element,
 * not a component: the window renders many, on every frame of a streamed answer.
 */
export const iconButton = ({ label, path, ...rest }: { label: string; path: string; class: string } & Record<string, unknown>) => (
  <button aria-label={label} title={label} {...rest}>
    {icon(path)}
  </button>
);

export const typingDots = () => (
  <div class="d" aria-hidden="true">
    <i />
    <i />
    <i />
  </div>
);
