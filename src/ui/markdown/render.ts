import { Component, type ComponentChildren, h } from 'preact';
import { renderBlock, splitBlocks } from './parse-blocks';

/** One-shot render: Markdown text -> VNodes (no wrapper element). */
export function renderMarkdown(text: string): ComponentChildren {
  return splitBlocks(text).map((block) => renderBlock(block));
}

interface BlockProps {
  source: string;
}

/** A block re-renders (and re-parses) only when its source text changes. */
class Block extends Component<BlockProps> {
  override shouldComponentUpdate(next: BlockProps) {
    return next.source !== this.props.source;
  }
  override render() {
    return renderBlock(this.props.source);
  }
}

export interface MarkdownProps {
  text: string;
  /** True while the text is still growing; adds the `md-streaming` class. */
  streaming?: boolean;
}

/**
 * Streaming-friendly Markdown. Completed blocks are memoized child components; if the new text
 * extends the previous one, only the text from the start of the last block is split again.
 */
export class Markdown extends Component<MarkdownProps> {
  /** Text up to the start of the last block, and the (final) blocks it holds. */
  private head = '';
  private done: string[] = [];

  override render({ text, streaming }: MarkdownProps) {
    if (!text.startsWith(this.head)) {
      this.head = '';
      this.done = [];
    }
    const starts: number[] = [];
    const tail = splitBlocks(text.slice(this.head.length), starts);
    const blocks = this.done.concat(tail);
    if (tail.length > 1) {
      this.done = blocks.slice(0, -1);
      this.head = text.slice(0, this.head.length + starts[starts.length - 1]!);
    }
    return h(
      'div',
      { class: streaming ? 'md md-streaming' : 'md' },
      blocks.map((source, index) => h(Block, { key: index, source })),
    );
  }
}
