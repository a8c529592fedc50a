import { type ComponentChildren, h } from 'preact';
import type { Strings } from '../strings';
import { parseInline } from './parse-inline';

/** What renders tables and code blocks' copy buttons: their part of the window, loaded the first time an answer has one. */
export type RichBlocks = typeof import('./rich-blocks');

/** The columns' alignments if a table starts with these two lines, else null (see rich-blocks). */
export type TableAt = (header: string, delimiter: string | undefined) => string[] | null;

/** What a render of blocks is given besides the text. */
export interface BlockEnv {
  /** The tables' and copy buttons' part, once loaded; until then tables show as text and code has no button. */
  rich?: RichBlocks | undefined;
  /** The copy button's words. */
  strings?: Strings | undefined;
  /** Asks for `rich` (a block that needs it was shown without it). */
  need?(): void;
}

/** Counts block renders and the characters of a growing paragraph parsed; tests use it to check the work per render. */
export const stats = { blocks: 0, chars: 0 };

/** A code fence, at any indentation: answers put code inside list items, indented to the item's text. */
export const FENCE = /^ *(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const RULE = /^ {0,3}([-*_])(?: *\1){2,} *$/;
const QUOTE = /^ {0,3}> ?/;
/** A list item: its indent, and the number of an ordered one. */
const ITEM = /^( *)(?:[-*+]|(\d{1,9})[.)])(?:[ \t]+|$)/;
/** Blockquotes nested deeper than this render their content as plain paragraph text. */
const MAX_QUOTE_DEPTH = 5;

/** A line that reads as a table's delimiter row: a first cell of dashes, then a pipe. */
export const DELIMITER_ROW = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*\|/;

/** Separator lines; long runs (e.g. 50,000 `*`) stay text. */
const isRule = (line: string): boolean => line.length < 80 && RULE.test(line);
const closesFence = (line: string, fence: string): boolean => {
  const trimmed = line.trim();
  return trimmed[0] === fence[0] && trimmed.length >= fence.length && trimmed === fence[0]!.repeat(trimmed.length);
};

/** Lines that start a block of their own inside a run of lines (a paragraph ends before them). */
export const startsBlock = (line: string): boolean => HEADING.test(line) || isRule(line) || QUOTE.test(line) || ITEM.test(line);

/**
 * Where splitBlocks goes on when the text has grown: the start of the last block's last line, the start of that
 * block if it began before that line (else -1), and the fence open before that line.
 */
export interface Resume {
  line: number;
  block: number;
  fence: string;
  /** The start of the line before `line` in its block (-1: none), and whether that block is a table. */
  previous: number;
  table: boolean;
}

export const startResume = (): Resume => ({ line: 0, block: -1, fence: '', previous: -1, table: false });

/**
 * Splits text into blocks: runs of non-blank lines separated by blank lines, and fenced code
 * blocks (from the opening fence line through the closing one, or to the end of the text).
 * Once tables can be drawn (`env.rich`), a table is a block of its own once its delimiter row is
 * complete (a newline follows it), and it ends before a complete line that starts another block: so its
 * rows can be rendered as they come.
 * A block's extent depends only on the text up to the start of the next block, so every block
 * but the last is final while the text grows. With `resume`, the scan starts there (the blocks
 * before the last one it names are not returned again) and `resume` is moved to the new last line.
 */
export function splitBlocks(text: string, resume?: Resume, { rich, need }: BlockEnv = {}): string[] {
  // Until tables can be drawn, a line that reads as a delimiter row asks for the part that draws them.
  const tableAt: TableAt =
    rich?.tableAt ??
    ((_header, line) => {
      if (DELIMITER_ROW.test(line!)) need?.();
      return null;
    });
  const blocks: string[] = [];
  let blockStart = resume ? resume.block : -1;
  // A block open at `resume` holds the lines before it.
  let blockEnd = (resume?.line ?? 0) - 1;
  let fence = resume?.fence ?? '';
  let previous = resume ? resume.previous : -1;
  let table = !!resume?.table;
  const endBlock = (): void => {
    table = false;
    if (blockStart < 0) return;
    blocks.push(text.slice(blockStart, blockEnd));
    blockStart = -1;
  };
  for (let lineStart = resume?.line ?? 0, lineEnd = 0; lineStart <= text.length; lineStart = lineEnd + 1) {
    lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    const opening = fence ? null : FENCE.exec(line);
    const openBlock = blockStart;
    const openFence = fence;
    const openPrevious = previous;
    const openTable = table;
    const complete = lineEnd < text.length;
    if (fence) {
      blockEnd = lineEnd;
      if (closesFence(line, fence)) {
        endBlock();
        fence = '';
      }
    } else if (opening) {
      endBlock();
      blockStart = lineStart;
      blockEnd = lineEnd;
      fence = opening[1]!;
    } else if (!line.trim()) endBlock();
    else if (complete && (table ? startsBlock(line) : previous >= 0 && tableAt(text.slice(previous, lineStart - 1), line))) {
      // A table starts at the previous line, or a block after a table at this one.
      const start = table ? lineStart : previous;
      blockEnd = start - 1;
      if (blockStart < start) endBlock();
      table = !openTable;
      blockStart = start;
      blockEnd = lineEnd;
    } else {
      if (blockStart < 0) blockStart = lineStart;
      blockEnd = lineEnd;
    }
    if (resume && blockEnd === lineEnd)
      Object.assign(resume, {
        line: lineStart,
        // A closing fence keeps the block it ends; a table that starts at the line before keeps its own start.
        block: blockStart === lineStart ? -1 : blockStart < 0 ? openBlock : blockStart,
        fence: openFence,
        previous: openPrevious,
        table: openTable,
      });
    previous = blockStart >= 0 && !fence ? lineStart : -1;
  }
  endBlock();
  return blocks;
}

const inline = (lines: string[]): ComponentChildren[] => parseInline(lines.map((line) => line.trim()).join('\n'));

/**
 * A fenced code block: everything after the opening line, minus the closing fence line if it arrived, and
 * minus the opening fence's indentation on each line (as CommonMark does), so Copy code copies the code alone.
 */
function codeBlock(source: string, firstLine: string, fence: RegExpExecArray, { rich, strings, need }: BlockEnv): ComponentChildren {
  const language = firstLine.slice(fence[0].length).trim().split(/[\s`]/)[0];
  const newline = source.indexOf('\n');
  let body = newline < 0 ? '' : source.slice(newline + 1);
  const lastNewline = body.lastIndexOf('\n');
  if (closesFence(body.slice(lastNewline + 1), fence[1]!)) body = body.slice(0, Math.max(lastNewline, 0));
  body = body.replace(/\r(?=\n|$)/g, '');
  const indent = fence[0].length - fence[1]!.length;
  if (indent) body = body.replace(new RegExp(`^ {1,${indent}}`, 'gm'), '');
  const pre = h('pre', null, h('code', language ? { 'data-lang': language } : null, body));
  if (!rich) need?.();
  return rich && strings ? rich.code(pre, body, strings) : pre;
}

interface ListItem {
  lines: string[];
  /** Items indented 2+ spaces deeper: one sub-list of this item. */
  subItems: string[][];
  subOrdered: boolean;
  subStart: string | undefined;
}

/** One list from `lines[from]`; returns it and the index of the first line after it. */
function list(lines: string[], from: number, first: RegExpExecArray, breaks: (index: number) => boolean): [ComponentChildren, number] {
  const ordered = !!first[2];
  const indent = first[1]!.length;
  const items: ListItem[] = [];
  let index = from;
  for (; index < lines.length; index++) {
    const line = lines[index]!;
    const item = ITEM.exec(line);
    const current = items[items.length - 1];
    if (item && current && item[1]!.length >= indent + 2) {
      if (!current.subItems.length) {
        current.subOrdered = !!item[2];
        current.subStart = item[2];
      }
      current.subItems.push([line.slice(item[0].length)]);
    } else if (item && !!item[2] === ordered)
      items.push({ lines: [line.slice(item[0].length)], subItems: [], subOrdered: false, subStart: undefined });
    else if (item || !current || breaks(index)) break;
    else (current.subItems[current.subItems.length - 1] ?? current.lines).push(line);
  }
  const listOf = (isOrdered: boolean, start: string | undefined, children: ComponentChildren[]) =>
    h(isOrdered ? 'ol' : 'ul', isOrdered && start && +start !== 1 ? { start: +start } : null, children);
  const rendered = listOf(
    ordered,
    first[2],
    items.map((item) =>
      h(
        'li',
        null,
        inline(item.lines),
        item.subItems.length
          ? listOf(
              item.subOrdered,
              item.subStart,
              item.subItems.map((sub) => h('li', null, inline(sub))),
            )
          : null,
      ),
    ),
  );
  return [rendered, index];
}

/**
 * Renders one block (as produced by splitBlocks) to VNodes. `open`: its last line may still grow, so it
 * cannot complete a table's delimiter row, and a table row there waits.
 */
export function renderBlock(source: string, env: BlockEnv = {}, depth = 0, open = false): ComponentChildren {
  stats.blocks++;
  const newline = source.indexOf('\n');
  const firstLine = newline < 0 ? source : source.slice(0, newline);
  const fence = FENCE.exec(firstLine);
  if (fence) return codeBlock(source, firstLine, fence, env);
  const lines = source.split('\n').map((line) => line.replace(/\r$/, ''));
  const complete = open ? lines.length - 1 : lines.length;
  const tableHere = (index: number) => (index + 1 < complete && env.rich ? env.rich.tableAt(lines[index]!, lines[index + 1]) : null);
  const breaks = (index: number): boolean => startsBlock(lines[index]!) || !!tableHere(index);
  const out: ComponentChildren[] = [];
  for (let index = 0; index < lines.length; ) {
    const line = lines[index]!;
    const item = ITEM.exec(line);
    const align = tableHere(index);
    if (align) {
      const start = index;
      // A last line still arriving stays in the table (and waits), whatever it starts with.
      for (index += 2; index < lines.length && (!startsBlock(lines[index]!) || index === complete); index++);
      out.push(env.rich!.tableOf(lines.slice(start, index), align, open && index === lines.length));
    } else if (isRule(line)) {
      out.push(h('hr', null));
      index++;
    } else if (HEADING.test(line)) {
      out.push(h('p', null, h('strong', null, parseInline(line.trim().replace(/^#+/, '').trim()))));
      index++;
    } else if (QUOTE.test(line)) {
      const inner: string[] = [];
      for (; index < lines.length && QUOTE.test(lines[index]!); index++) inner.push(lines[index]!.replace(QUOTE, ''));
      const last = open && index === lines.length;
      const blocks = splitBlocks(inner.join('\n'), undefined, env);
      const content =
        depth < MAX_QUOTE_DEPTH
          ? blocks.map((block, at) => renderBlock(block, env, depth + 1, last && at === blocks.length - 1))
          : h('p', null, inline(inner));
      out.push(h('blockquote', null, content));
    } else if (item) {
      const [rendered, next] = list(lines, index, item, breaks);
      out.push(rendered);
      index = next;
    } else {
      const paragraph: string[] = [];
      for (; index < lines.length && (!paragraph.length || !breaks(index)); index++) paragraph.push(lines[index]!);
      out.push(h('p', null, inline(paragraph)));
    }
  }
  return out;
}
