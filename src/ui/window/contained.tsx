// The window's error boundary: a bug that throws while drawing never reaches the host page; the visitor
// gets a small dialog with Retry (a fresh view of the same chat) and the page an `error` event.
import { Component, type ComponentChildren } from 'preact';
import type { WindowModel } from './types';

interface ContainedProps {
  model: WindowModel;
  /** Inline, the window is a region of the page that cannot be closed. */
  inline: boolean;
  close(): void;
  failed(error: unknown): void;
  children: ComponentChildren;
}

/** The window, or (once it threw while drawing) a small dialog that says so and offers Retry: a fresh view of the same chat. */
export class Contained extends Component<ContainedProps, { broken?: boolean }> {
  /** One report per breakage: a bug often throws in several places of one draw. */
  reported = false;
  override componentDidCatch(error: unknown): void {
    this.setState({ broken: true });
    if (!this.reported) this.props.failed(error);
    this.reported = true;
  }
  override render({ model, inline, close, children }: ContainedProps) {
    if (!this.state.broken) return children;
    const { strings } = model;
    return (
      // biome-ignore lint/a11y/useAriaPropsSupportedByRole: a dialog or (inline) a region, both named by the title; the linter cannot read a role chosen at run time
      <div class="w" part="window" role={inline ? 'region' : 'dialog'} aria-label={strings.title} hidden={!model.open}>
        <p role="alert">{strings.error}</p>
        <button
          type="button"
          onClick={() => {
            this.reported = false;
            this.setState({ broken: false });
          }}
        >
          {strings.retry}
        </button>
        {!inline && (
          <button type="button" onClick={close}>
            {strings.close}
          </button>
        )}
      </div>
    );
  }
}
