// One message of the log: who wrote it (for screen readers, and agents by name and avatar), its text
// (Markdown for answers, plain for the visitor), files, rating, when it was sent, and its status with Retry
// when it failed.
import { Component } from 'preact';
import type { ChatMessage, MessageError } from '../../core/types';
import type { Features } from '../features';
import { Markdown } from '../markdown';
import type { Strings } from '../strings';
import { messageTime } from '../time';
import { reason, typingDots } from './common';
import type { LoadedParts } from './parts';
import type { WindowSetup } from './types';

interface MessageProps {
  message: ChatMessage;
  strings: Strings;
  /** The same object on every render (changes come through `message`, `strings` and `features`). */
  setup: WindowSetup;
  features: Features | undefined;
  parts: LoadedParts;
  /** Today's date (`toDateString()`) while the message shows its time; '' when the next one shows it for both. */
  day: string;
}

/** The line under a message: why it failed, that it waits or is on its way, or that it was stopped. */
function statusLine(message: ChatMessage, strings: Strings): string | false | undefined {
  const { status } = message;
  if (status === 'failed') {
    // No error recorded: the generic reason.
    const why = reason(strings, message.error || ({} as MessageError));
    return message.author === 'visitor' ? `${strings.failed} ${why}` : why;
  }
  // Waiting out a busy server or a failed attempt, online: why, and that it goes again by itself.
  const online = typeof navigator === 'undefined' || navigator.onLine !== false;
  if (status === 'queued' && message.error?.retryable && online) return `${reason(strings, message.error)} ${strings.retrying}`;
  if (status === 'queued' || status === 'sending') return strings[status];
  return message.stopped && strings.stopped;
}

/** Re-renders only when its snapshot changes (streaming touches only the last message). */
export class Message extends Component<MessageProps> {
  override shouldComponentUpdate(next: MessageProps): boolean {
    const { message, strings, features, parts, day } = this.props;
    return (
      next.message !== message ||
      next.strings !== strings ||
      next.features !== features ||
      next.parts.files !== parts.files ||
      next.day !== day ||
      next.parts.rich !== parts.rich
    );
  }

  override render({ message, strings, setup, features, parts, day }: MessageProps) {
    const { author, status, createdAt } = message;
    // The line where an agent ended the chat is the widget's own words, in its language.
    const text = message.notice ? strings.ended : message.text;
    const mine = author === 'visitor';
    const agent = author === 'agent' && (message.agent || { name: strings.agent });
    const line = statusLine(message, strings);
    const time = day && messageTime(createdAt, setup.locale);
    return (
      <div class="msg" data-author={author} data-status={status} data-stopped={message.stopped ? '' : undefined}>
        {agent ? (
          <div class="an">
            <Avatar agent={agent} showImage={setup.showImage} />
            {agent.name}
            <span class="sr">: </span>
          </div>
        ) : (
          author !== 'system' && <span class="sr">{mine ? strings.you : strings.bot}: </span>
        )}
        {status === 'streaming' && !text ? (
          <div class="bb">
            {typingDots()}
            <span class="sr">{strings.typing}</span>
          </div>
        ) : (
          text && (
            <div class="bb">
              {mine ? (
                text
              ) : (
                <Markdown
                  text={text}
                  streaming={status === 'streaming'}
                  rich={parts.rich}
                  strings={parts.rich && strings}
                  need={setup.needRich}
                />
              )}
            </div>
          )
        )}
        {message.attachments && parts.files && <parts.files.Files list={message.attachments} showImage={setup.showImage} />}
        {features && setup.feedback && author === 'assistant' && status === 'sent' && message.serverId && text && (
          <features.Rate message={message} strings={strings} rate={setup.actions.rate} />
        )}
        {(line || time) && (
          <div class="meta">
            {time && <time dateTime={createdAt}>{time}</time>}
            {line}
            {status === 'failed' && (
              <button type="button" class="rt" onClick={() => setup.actions.retry(message.id)}>
                {strings.retry}
              </button>
            )}
          </div>
        )}
      </div>
    );
  }
}

type Agent = NonNullable<ChatMessage['agent']>;

interface AvatarProps {
  agent: Agent;
  showImage(url: string): boolean;
}

/** An agent's avatar: the https image the core kept from an allowed origin, else (or when it fails to load) the name's initial. */
class Avatar extends Component<AvatarProps, { failed?: boolean }> {
  override render({ agent, showImage }: AvatarProps) {
    return agent.avatarUrl && showImage(agent.avatarUrl) && !this.state.failed ? (
      <img
        class="av"
        src={agent.avatarUrl}
        alt=""
        referrerpolicy="no-referrer"
        width={24}
        height={24}
        onError={() => this.setState({ failed: true })}
      />
    ) : (
      <span class="av" aria-hidden="true">
        {[...agent.name][0]?.toUpperCase()}
      </span>
    );
  }
}
