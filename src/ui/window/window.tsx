// The chat window: a dialog (inline: a region of the page) with the header, the log (or the conversation
// list), the alerts, the optional features' parts and the composer. Built on first open; the launcher is plain DOM.
import { CLOSE, LIST, NEW } from '../icons';
import { iconButton, reason, unreadElsewhere } from './common';
import { Composer } from './composer';
import { Log } from './log';
import type { WindowModel, WindowSetup } from './types';

/** Tab and Shift+Tab cycle inside the dialog while it fills a small screen; on desktop it stays non-modal. */
function trapFocus(event: KeyboardEvent, setup: WindowSetup): void {
  if (event.key !== 'Tab' || !setup.isSmallScreen()) return;
  const focusable = (event.currentTarget as HTMLElement).querySelectorAll<HTMLElement>(
    'a,button:not(:disabled),input:not(:disabled),textarea:not(:disabled),[tabindex]',
  );
  const edge = focusable[event.shiftKey ? 0 : focusable.length - 1];
  if (event.target === edge) {
    event.preventDefault();
    focusable[event.shiftKey ? focusable.length - 1 : 0]!.focus();
  }
}

/** The header: title, connection status, Chats, New chat, Close (a function, not a component: cheaper per frame). */
function header(setup: WindowSetup, model: WindowModel) {
  const { strings, state, showingList } = model;
  const { actions } = setup;
  const connection = state?.connection;
  const elsewhere = unreadElsewhere(state) > 0;
  return (
    <div class="h" part="header">
      <h2 class="t" id="t">
        {strings.title}
      </h2>
      {connection && connection !== 'online' && (
        <span class="cs">{connection === 'offline' ? strings.offlineShort : strings.reconnecting}</span>
      )}
      {iconButton({
        class: 'ib',
        label: elsewhere ? `${strings.chats}, ${strings.unreadDot}` : strings.chats,
        path: LIST,
        onClick: () => actions.showList(!showingList),
        onPointerOver: actions.prepareList,
        onFocus: actions.prepareList,
        'aria-expanded': showingList ? 'true' : 'false',
        'data-dot': elsewhere ? '' : undefined,
      })}
      {iconButton({ class: 'ib', label: strings.newChat, path: NEW, onClick: actions.newChat })}
      {!setup.inline && iconButton({ class: 'ib', label: strings.close, path: CLOSE, onClick: actions.close })}
    </div>
  );
}

export function Window({ setup, model }: { setup: WindowSetup; model: WindowModel }) {
  const { strings, state, features, tray, showingList, formFirst } = model;
  const ChatList = model.parts.chatList?.ChatList;
  const { actions } = setup;
  const messages = state ? state.messages : [];
  const streaming = messages.some((m) => m.status === 'streaming');
  const carriesFiles = (event: DragEvent): boolean => !!tray && !!event.dataTransfer?.types.includes('Files');
  return (
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole lint/a11y/noStaticElementInteractions: the role is a dialog or (inline) a region, both named by their title; the linter cannot read a role chosen at run time
    <div
      class="w"
      part="window"
      role={setup.inline ? 'region' : 'dialog'}
      aria-labelledby="t"
      dir={setup.rtl ? 'rtl' : 'ltr'}
      hidden={!model.open}
      data-dragging={model.dragging ? '' : undefined}
      onKeyDown={(event) => {
        // Inline, Escape leaves only the conversation list: the window is part of the page.
        if (event.key === 'Escape' && !event.isComposing && (showingList || !setup.inline)) {
          event.stopPropagation();
          if (showingList) actions.showList(false);
          else actions.close();
        }
        trapFocus(event, setup);
      }}
      onDragOver={(event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        if (!model.dragging) actions.drag(true);
      }}
      onDragLeave={(event) => {
        if (model.dragging && !(event.currentTarget as Node).contains(event.relatedTarget as Node | null)) actions.drag(false);
      }}
      onDrop={(event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        actions.drag(false);
        tray!.add([...event.dataTransfer!.files]);
      }}
    >
      {header(setup, model)}
      {showingList && ChatList ? (
        <ChatList
          strings={strings}
          locale={setup.locale}
          chats={state?.chats || []}
          current={state?.currentChatId || ''}
          pick={actions.pickChat}
        />
      ) : (
        <Log setup={setup} model={model} messages={messages} busy={streaming} />
      )}
      {model.dragging && (
        <div class="dz" aria-hidden="true">
          {strings.dropHere}
        </div>
      )}
      {state?.status === 'offline' && (
        <div class="al" role="status">
          {strings.offline}
        </div>
      )}
      <div class="sr" aria-live="polite" aria-atomic="true">
        {model.announcement?.text && <p key={model.announcement.count}>{model.announcement.text}</p>}
      </div>
      <div class="al" role="alert">
        {model.alert || (state?.error && reason(strings, state.error))}
      </div>
      {model.formSent && !formFirst && (
        <div class="al ok" role="status">
          {strings.saved}
        </div>
      )}
      {!showingList && formFirst && features && (
        <features.ContactForm strings={strings} fields={setup.contactFields} submit={actions.identify} inline={setup.inline} />
      )}
      {!showingList && features && tray && <features.TrayView tray={tray} strings={strings} />}
      {!showingList && <Composer setup={setup} model={model} streaming={streaming} />}
    </div>
  );
}
