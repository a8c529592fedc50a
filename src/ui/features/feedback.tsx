// Thumbs up / down under a complete answer; "Not helpful" asks for an optional comment before it is sent.
import { Component } from 'preact';
import type { ChatMessage, Feedback } from '../../core/types';
import { icon } from '../icons';
import type { Strings } from '../strings';

const THUMB = 'M7 10v10H4V10zM7 10l4-7c1.5 0 2.5 1 2.2 2.6L12.6 9H19a2 2 0 0 1 2 2.3l-1.3 7A2 2 0 0 1 17.7 20H7';

interface RateProps {
  message: ChatMessage;
  strings: Strings;
  rate(messageId: string, rating: Feedback['rating'], comment?: string): Promise<void>;
}

interface RateState {
  /** "Not helpful" was pressed: the comment form shows. */
  asking?: boolean;
  busy?: boolean;
}

export class Rate extends Component<RateProps, RateState> {
  note?: HTMLTextAreaElement | null;

  send = (rating: Feedback['rating'], comment?: string): void => {
    this.setState({ busy: true });
    this.props.rate(this.props.message.id, rating, comment).finally(() => this.setState({ busy: false, asking: false }));
  };

  override render({ message, strings }: RateProps, { asking, busy }: RateState) {
    const given = message.feedback?.rating;
    const thumb = (rating: Feedback['rating'], label: string) => (
      <button
        type="button"
        class={`fb ${rating}`}
        aria-label={label}
        title={label}
        aria-pressed={given === rating || (rating === 'down' && asking) ? 'true' : 'false'}
        disabled={!!given || busy}
        onClick={() => (rating === 'up' ? this.send('up') : this.setState({ asking: true }, () => this.note?.focus()))}
      >
        {icon(THUMB)}
      </button>
    );
    return (
      <div class="rate">
        {thumb('up', strings.helpful)}
        {thumb('down', strings.notHelpful)}
        {given && (
          <span class="meta" role="status">
            {strings.thanks}
          </span>
        )}
        {asking && !given && (
          <form
            class="cm"
            onSubmit={(event) => {
              event.preventDefault();
              this.send('down', this.note?.value);
            }}
          >
            <textarea
              ref={(element) => {
                this.note = element;
              }}
              aria-label={strings.comment}
              placeholder={strings.comment}
              rows={2}
              maxLength={1000}
            />
            <button class="rt" type="submit" disabled={busy}>
              {strings.sendFeedback}
            </button>
          </form>
        )}
      </div>
    );
  }
}
