/** @jsxRuntime classic */
/** @jsx h */
// Thumbs up / down under a complete answer; "Not helpful" asks for an optional comment before it is sent.
import { Component, h } from 'preact';
import type { ChatMessage, Feedback } from '../core/types';
import type { Strings } from './i18n';
import { icon } from './icons';

const UP = 'M7 10v10H4V10zM7 10l4-7c1.5 0 2.5 1 2.2 2.6L12.6 9H19a2 2 0 0 1 2 2.3l-1.3 7A2 2 0 0 1 17.7 20H7';

interface RateProps {
  m: ChatMessage;
  s: Strings;
  rate(id: string, rating: Feedback['rating'], comment?: string): Promise<void>;
}

export class Rate extends Component<RateProps, { asking?: boolean; busy?: boolean }> {
  note?: HTMLTextAreaElement | null;
  send = (rating: Feedback['rating'], comment?: string) => {
    this.setState({ busy: true });
    this.props.rate(this.props.m.id, rating, comment).finally(() => this.setState({ busy: false, asking: false }));
  };
  override render({ m, s }: RateProps, { asking, busy }: { asking?: boolean; busy?: boolean }) {
    const given = m.feedback?.rating;
    const thumb = (rating: Feedback['rating'], label: string) => (
      <button
        type="button"
        class={`fb ${rating}`}
        aria-label={label}
        title={label}
        aria-pressed={given == rating || (rating == 'down' && asking) ? 'true' : 'false'}
        disabled={!!given || busy}
        onClick={() => (rating == 'up' ? this.send('up') : this.setState({ asking: true }, () => this.note?.focus()))}
      >
        {icon(UP)}
      </button>
    );
    return (
      <div class="rate">
        {thumb('up', s.helpful)}
        {thumb('down', s.notHelpful)}
        {given && (
          <span class="meta" role="status">
            {s.thanks}
          </span>
        )}
        {asking && !given && (
          <form
            class="cm"
            onSubmit={(e) => {
              e.preventDefault();
              this.send('down', this.note?.value);
            }}
          >
            <textarea ref={(e) => void (this.note = e)} aria-label={s.comment} placeholder={s.comment} rows={2} maxLength={1000} />
            <button class="rt" type="submit" disabled={busy}>
              {s.sendFeedback}
            </button>
          </form>
        )}
      </div>
    );
  }
}
