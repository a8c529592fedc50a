import { Component, type ComponentChildren, h, type VNode } from 'preact';
import type { Strings } from '../strings';
import {
  type BlockEnv,
  DELIMITER_ROW,
  FENCE,
  type RichBlocks,
  renderBlock,
  splitBlocks,
  startResume,
  startsBlock,
  stats,
} from './parse-blocks';
import { parseInline, type SafePoint } from './parse-inline';

/** One-shot render: Markdown text -> VNodes (no wrapper element). */
export function renderMarkdown(text: string, env: BlockEnv = {}): ComponentChildren {
  return splitBlocks(text, undefined, env).map((block) => renderBlock(block, env));
}

/** Nodes per frozen group of a Pile. */
const GROUP = 32;
/** Inline text a growing paragraph parses again on each render before what precedes its last safe point is frozen. */
const SEGMENT = 512;
/** Script time aimed at per task while a long text that arrived at once is shown slice by slice. */
const SLICE_MS = 20;

/** Renders its nodes once: rendered (and diffed) again only when given another array. */
class Frozen extends Component<{ nodes: ComponentChildren[] }> {
  override shouldComponentUpdate(next: { nodes: ComponentChildren[] }) {
    return next.nodes !== this.props.nodes;
  }
  override render() {
    return this.props.nodes;
  }
}

export interface Pile {
  /** Appends `node`, or with `replaceLast` puts it in place of the last one (always in the open group). */
  add(node: ComponentChildren, replaceLast?: boolean): void;
  render(): ComponentChildren[];
}

/**
 * A growing list of VNodes kept in frozen groups: a render diffs one component per group and the open group,
 * where Preact would otherwise walk every node again on each chunk of a long answer.
 */
export function pile(): Pile {
  const groups: ComponentChildren[] = [];
  let open: ComponentChildren[] = [];
  return {
    add(node, replaceLast) {
      if (replaceLast && open.length) open = open.slice(0, -1);
      else if (open.length >= GROUP) {
        groups.push(h(Frozen, { nodes: open }));
        open = [];
      }
      open = [...open, node];
    },
    render: () => groups.concat(h(Frozen, { nodes: open })),
  };
}

export const chomp = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

/**
 * Renders a block that may grow. While the block is one paragraph, it keeps between renders the paragraph's
 * frozen segments and its inline text after them; a render parses only that text (the lines trimmed and
 * joined by '\n', as renderBlock reads them) and freezes what comes before its last safe point once that is
 * SEGMENT characters in (see SafePoint), so script time per chunk stays flat however long the paragraph gets.
 * Any other block (a list, a quote, a heading, code) is rendered whole.
 */
function growing(env: BlockEnv): (source: string, open: boolean) => ComponentChildren {
  /** The source length seen, and where its last line (which may still grow) starts. */
  let length = 0;
  let line = 0;
  /** Set once a complete line starts a block of its own: this block is no plain paragraph. */
  let mixed = false;
  /** The paragraph's text after its frozen segments through its complete lines, and how much of the (trimmed)
   * last line is frozen when that text is empty. */
  let inline = '';
  let skip = 0;
  const segments = pile();
  const paragraph = (tail: ComponentChildren[]): VNode => h('p', null, segments.render(), tail);
  /** Decided once the block's first two lines are complete: the renderer of its rows if they start a table, else null. */
  let table: ((source: string, open: boolean) => ComponentChildren) | null | undefined;
  const findTable = env.rich?.tableFinder(env);

  return (source, open) => {
    if (FENCE.test(source)) return renderBlock(source, env, 0, open);
    if (table === undefined) table = findTable ? findTable(source) : null;
    if (table) return table(source, open);
    for (let newline = source.indexOf('\n', Math.max(line, length)); newline >= 0 && !mixed; newline = source.indexOf('\n', line)) {
      const complete = chomp(source.slice(line, newline));
      mixed = startsBlock(complete);
      inline += `${complete.trim().slice(skip)}\n`;
      skip = 0;
      line = newline + 1;
    }
    length = source.length;
    const last = chomp(source.slice(line));
    // An answer that ends with a table's delimiter row asks for the part that draws tables (splitBlocks asks
    // for the rest, as their lines complete).
    if (!open && line && !env.rich && DELIMITER_ROW.test(last)) env.need?.();
    // Lines that start another block, or a last line that completes a table's delimiter row.
    if (mixed || (env.rich && !open && line && DELIMITER_START.test(last))) return renderBlock(source, env, 0, open);
    // A short last line may read as a list item or a heading for now (`1.` before `1.5 kg`).
    if (startsBlock(last))
      return line ? [paragraph(parseInline(inline.slice(0, -1))), renderBlock(last)] : renderBlock(source, env, 0, open);
    const trimmed = last.trim();
    const text = inline + trimmed.slice(skip);
    // Until the last line is this long, more text could still make it a heading, a list item, a rule.
    const limit = last.length > 79 && trimmed.length > 10 ? text.length : inline.length - 1;
    const safe: SafePoint = { limit, at: 0, count: 0, pending: 0 };
    stats.chars += text.length;
    let tail = parseInline(text, safe);
    const { at, count, pending } = safe;
    if (at >= SEGMENT) {
      const frozen = tail.slice(0, count);
      tail = tail.slice(count);
      // The text child that spans the safe point is cut there.
      if (pending < at) {
        frozen.push(text.slice(pending, at));
        tail[0] = (tail[0] as string).slice(at - pending);
      }
      segments.add(h(Frozen, { nodes: frozen }));
      if (at > inline.length) skip += at - inline.length;
      inline = inline.slice(at);
    }
    return paragraph(tail);
  };
}

/** What may begin a table's delimiter row. */
const DELIMITER_START = /^[ \t|:-]*-/;

interface BlockProps {
  source: string;
  /** The last line may still grow (the block ends the text shown, and more is coming). */
  open: boolean;
  env: BlockEnv;
}

/**
 * A block renders again only when its source changes. Within one Markdown generation a block's source only
 * grows, or shrinks once when its last line turns out to start the next block, so a longer source extends
 * the one before it.
 */
class Block extends Component<BlockProps> {
  private grow = growing(this.props.env);
  private length = 0;
  override shouldComponentUpdate(next: BlockProps) {
    return next.source !== this.props.source || next.open !== this.props.open;
  }
  override render({ source, open, env }: BlockProps) {
    stats.blocks++;
    if (source.length < this.length) this.grow = growing(env);
    this.length = source.length;
    return this.grow(source, open);
  }
}

export interface MarkdownProps {
  text: string;
  /** True while the text is still growing; adds the `md-streaming` class. */
  streaming?: boolean;
  /** Tables and copy buttons, once their part is loaded (see BlockEnv). */
  rich?: RichBlocks | undefined;
  /** The copy button's words (with `rich`). */
  strings?: Strings | undefined;
  /** Asks for `rich`: called when a table or code block is shown without it. */
  need?(): void;
}

/**
 * Streaming-friendly Markdown. Completed blocks are memoized child components in frozen groups; if the new
 * text extends the previous one, splitting goes on from the last line, and the last block parses only its
 * newest text (see growing). A long text that arrives at once is shown a slice per task, the rest in the next
 * tasks, so that rendering it never blocks the page for long; a slice is sized to take about SLICE_MS (and
 * no more slices than that: each one lets the browser lay the growing text out again).
 */
export class Markdown extends Component<MarkdownProps> {
  /** The text shown: all of it, or the first slices of a long one. */
  private shown = '';
  /** Characters per slice, and when the render of the current one started. */
  private slice = 16384;
  private started = 0;
  private resume = startResume();
  private blocks = pile();
  private env: BlockEnv = {};
  /** Changes when the text is replaced rather than extended, so that the blocks mount afresh (see Block). */
  private generation = 0;
  private timer?: ReturnType<typeof setTimeout>;

  override componentWillUnmount() {
    clearTimeout(this.timer);
  }

  override componentDidUpdate() {
    const spent = performance.now() - this.started;
    if (this.timer) this.slice = spent < SLICE_MS / 2 ? this.slice * 2 : spent > SLICE_MS ? Math.max(this.slice / 2, 1024) : this.slice;
  }

  override render({ text, streaming, rich, strings, need }: MarkdownProps) {
    const { env } = this;
    // Its part arrived (or the words changed): every block renders again, once.
    if (rich !== env.rich || strings !== env.strings || need !== env.need || text.slice(0, this.shown.length) !== this.shown) {
      this.env = { rich, strings, need };
      this.shown = '';
      this.resume = startResume();
      this.blocks = pile();
      this.generation++;
    }
    const end = text.length - this.shown.length > this.slice ? this.shown.length + this.slice : text.length;
    clearTimeout(this.timer);
    this.timer = end < text.length ? setTimeout(() => this.forceUpdate()) : undefined;
    this.started = performance.now();
    this.shown = text.slice(0, end);
    // More is coming, and the last line has not ended: it may still grow.
    const open = (!!streaming || end < text.length) && !this.shown.endsWith('\n');
    // The first block is the last one shown before (if any), grown.
    const blocks = splitBlocks(this.shown, this.resume, this.env);
    blocks.forEach((source, index) => {
      this.blocks.add(h(Block, { source, open: open && index === blocks.length - 1, env: this.env }), !index);
    });
    return h('div', { key: this.generation, class: streaming ? 'md md-streaming' : 'md' }, this.blocks.render());
  }
}
