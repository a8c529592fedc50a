// What the visitor's clicks and keys in the window do: ask the client, or change the window's own state
// and draw it again.
import { logWarning } from '../../core/log';
import type { ChatClient, MessageError } from '../../core/types';
import { fmt } from '../strings';
import { reason } from './common';
import type { WindowActions, WindowState } from './types';

export interface ActionNeeds {
  loadList(shown?: () => void): void;
  /** The visitor reached for the chat (the composer focused): create or validate the visitor. */
  engaged(): void;
  draw(): void;
  focus(): void;
  showAlert(text: string): void;
  setOpen(open: boolean): void;
  maxMessageLength: number;
}

/** What the visitor's clicks and keys do: ask the client, or change the window's own state and redraw. */
export function windowActions(client: () => ChatClient, own: WindowState, needs: ActionNeeds): WindowActions {
  const { draw, focus, showAlert } = needs;
  const actions: WindowActions = {
    close: () => needs.setOpen(false),
    engaged: needs.engaged,
    send(text) {
      own.alert = '';
      own.formSent = false;
      const attachments = own.tray?.take() || [];
      client()
        .send(text, attachments.length ? { attachments } : undefined)
        .catch((error: MessageError) =>
          showAlert(error?.code === 'invalid-input' ? fmt(own.strings.tooLong, needs.maxMessageLength) : own.strings.error),
        );
    },
    retry: (messageId) =>
      void client()
        .retry(messageId)
        .catch(() => undefined),
    stop: () => client().stop(),
    typing: (on) => client().setTyping(on),
    newChat() {
      own.alert = '';
      client()
        .newChat()
        .catch(() => undefined);
      focus();
    },
    showList(on) {
      own.showingList = on;
      const show = (): void => {
        if (own.showingList !== on) return;
        draw();
        focus();
      };
      // The list's part loads the first time (at once when it is here).
      if (on) needs.loadList(show);
      else show();
    },
    prepareList: () => needs.loadList(),
    pickChat(chatId) {
      client().switchChat(chatId);
      actions.showList(false);
    },
    rate: (messageId, rating, comment) =>
      client()
        .feedback(messageId, rating, comment)
        .catch((error: MessageError) => showAlert(reason(own.strings, error))),
    identify: (values) =>
      client()
        .identify(values)
        .then(
          () => {
            own.formSent = true;
            own.alert = '';
            draw();
            focus();
            return true;
          },
          (error: MessageError) => {
            // A backend without the endpoint cannot take the details: the form must not keep the
            // visitor from chatting. (404 here comes after the core replaced an unknown visitor once.)
            if ([404, 405, 501].includes(error?.status ?? 0)) {
              logWarning(`The backend has no PATCH /api/chats/visitors/{id}/ (${error.status}): the contact form is skipped.`);
              own.contactForm = undefined;
              draw();
            } else showAlert(reason(own.strings, error));
            return false;
          },
        ),
    drag(on) {
      own.dragging = on;
      draw();
    },
  };
  return actions;
}
