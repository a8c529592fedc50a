// The composer: a textbox that grows with its text, Send (or Stop while an answer streams), the attach
// button where attachments are on. Enter sends, Shift+Enter is a new line; pasted files go to the tray.
import { Component } from 'preact';
import { SEND, STOP } from '../icons';
import { fmt } from '../strings';
import { iconButton } from './common';
import type { WindowModel, WindowSetup } from './types';

interface ComposerProps {
  setup: WindowSetup;
  model: WindowModel;
  streaming: boolean;
}

/** Tallest the textbox grows, in px, before it scrolls. */
const MAX_HEIGHT = 140;

export class Composer extends Component<ComposerProps, { text: string }> {
  override state = { text: '' };
  textarea?: HTMLTextAreaElement | null;
  /** The text the height was last fitted to. */
  fittedTo?: string;

  /** Auto-grow to the content (CSSOM writes, allowed under a strict CSP); only when the text changed. */
  override componentDidUpdate(): void {
    const textarea = this.textarea!;
    if (this.fittedTo === this.state.text) return;
    this.fittedTo = this.state.text;
    textarea.style.height = '';
    if (textarea.scrollHeight) textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_HEIGHT)}px`;
  }

  submit = (): void => {
    // Read the field itself: a key event may arrive before the re-render for the last input.
    const text = this.textarea!.value;
    const { setup, model } = this.props;
    if (model.formFirst || (!text.trim() && !model.tray?.ready()) || text.length > setup.maxMessageLength) return;
    setup.actions.send(text);
    // Emptied now, not at the next render: a second Enter or click in the same task finds nothing to send.
    this.textarea!.value = '';
    this.setState({ text: '' });
  };

  override render({ setup, model, streaming }: ComposerProps, { text }: { text: string }) {
    const { strings, features, tray, formFirst } = model;
    const { actions, maxMessageLength } = setup;
    const tooLong = text.length > maxMessageLength;
    const empty = !text.trim() && !tray?.ready();
    return (
      <>
        {tooLong && (
          <div class="al" role="alert">
            {fmt(strings.tooLong, maxMessageLength)}
          </div>
        )}
        <form
          class="c"
          part="composer"
          onSubmit={(event) => {
            event.preventDefault();
            this.submit();
          }}
        >
          {features && tray && <features.AttachButton tray={tray} strings={strings} disabled={formFirst} />}
          <textarea
            ref={(element) => {
              this.textarea = element;
            }}
            rows={1}
            aria-label={strings.message}
            placeholder={formFirst ? strings.formFirst : strings.placeholder}
            disabled={formFirst}
            onPaste={(event) => {
              const pasted = [...(event.clipboardData?.files || [])];
              if (!tray || !pasted.length) return;
              event.preventDefault();
              tray.add(pasted);
            }}
            enterkeyhint="send"
            value={text}
            onFocus={actions.engaged}
            onInput={(event) => {
              const value = event.currentTarget.value;
              this.setState({ text: value });
              actions.typing(!!value);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                // A held Enter repeats: it sent once.
                if (!event.repeat) this.submit();
              }
            }}
          />
          {streaming && iconButton({ class: 'st', label: strings.stop, path: STOP, onClick: actions.stop, type: 'button' })}
          {iconButton({ class: 'sb', label: strings.send, path: SEND, type: 'submit', disabled: formFirst || empty || tooLong })}
        </form>
      </>
    );
  }
}
