import { type ComponentChildren, h } from 'preact';
import { parseInline } from './parse-inline';

/** Counts block renders and the characters of a growing paragraph parsed; tests use it to check the work per render. */
export const stats = { blocks: 0, chars: 0 };

export const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const RULE = /^ {0,3}([-*_])(?: *\1){2,} *$/;
const QUOTE = /^ {0,3}> ?/;
/** A list item: its indent, and the number of an ordered one. */
const ITEM = /^( *)(?:[-*+]|(\d{1,9})[.)])(?:[ \t]+|$)/;
/** Blockquotes nested deeper than this render their content as plain paragraph text. */
const MAX_QUOTE_DEPTH = 5;

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
}

/**
 * Splits text into blocks: runs of non-blank lines separated by blank lines, and fenced code
 * blocks (from the opening fence line through the closing one, or to the end of the text).
 * A block's extent depends only on the text up to the start of the next block, so every block
 * but the last is final while the text grows. With `resume`, the scan starts there (the blocks
 * before the last one it names are not returned again) and `resume` is moved to the new last line.
 */
export function splitBlocks(text: string, resume?: Resume): string[] {
  const blocks: string[] = [];
  let blockStart = resume ? resume.block : -1;
  // A block open at `resume` holds the lines before it.
  let blockEnd = (resume?.line ?? 0) - 1;
  let fence = resume?.fence ?? '';
  const endBlock = (): void => {
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
    else {
      if (blockStart < 0) blockStart = lineStart;
      blockEnd = lineEnd;
    }
    if (resume && blockEnd === lineEnd)
      Object.assign(resume, { line: lineStart, block: blockStart === lineStart ? -1 : openBlock, fence: openFence });
  }
  endBlock();
  return blocks;
}

const inline = (lines: string[]): ComponentChildren[] => parseInline(lines.map((line) => line.trim()).join('\n'));

/** A fenced code block: everything after the opening line, minus the closing fence line if it arrived. */
function codeBlock(source: string, firstLine: string, fence: RegExpExecArray): ComponentChildren {
  const language = firstLine.slice(fence[0].length).trim().split(/[\s`]/)[0];
  const newline = source.indexOf('\n');
  let body = newline < 0 ? '' : source.slice(newline + 1);
  const lastNewline = body.lastIndexOf('\n');
  if (closesFence(body.slice(lastNewline + 1), fence[1]!)) body = body.slice(0, Math.max(lastNewline, 0));
  return h('pre', null, h('code', language ? { 'data-lang': language } : null, body.replace(/\r(?=\n|$)/g, '')));
}

interface ListItem {
  lines: string[];
  /** Items indented 2+ spaces deeper: one sub-list of this item. */
  subItems: string[][];
  subOrdered: boolean;
  subStart: string | undefined;
}

/** One list from `lines[from]`; returns it and the index of the first line after it. */
function list(lines: string[], from: number, first: RegExpExecArray, startsBlock: (line: string) => boolean): [ComponentChildren, number] {
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
    else if (item || !current || startsBlock(line)) break;
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

/** Renders one block (as produced by splitBlocks) to VNodes. */
export function renderBlock(source: string, depth = 0): ComponentChildren {
  stats.blocks++;
  const newline = source.indexOf('\n');
  const firstLine = newline < 0 ? source : source.slice(0, newline);
  const fence = FENCE.exec(firstLine);
  if (fence) return codeBlock(source, firstLine, fence);
  const lines = source.split('\n').map((line) => line.replace(/\r$/, ''));
  const out: ComponentChildren[] = [];
  for (let index = 0; index < lines.length; ) {
    const line = lines[index]!;
    const item = ITEM.exec(line);
    if (isRule(line)) {
      out.push(h('hr', null));
      index++;
    } else if (HEADING.test(line)) {
      out.push(h('p', null, h('strong', null, parseInline(line.trim().replace(/^#+/, '').trim()))));
      index++;
    } else if (QUOTE.test(line)) {
      const inner: string[] = [];
      for (; index < lines.length && QUOTE.test(lines[index]!); index++) inner.push(lines[index]!.replace(QUOTE, ''));
      const content =
        depth < MAX_QUOTE_DEPTH ? splitBlocks(inner.join('\n')).map((block) => renderBlock(block, depth + 1)) : h('p', null, inline(inner));
      out.push(h('blockquote', null, content));
    } else if (item) {
      const [rendered, next] = list(lines, index, item, startsBlock);
      out.push(rendered);
      index = next;
    } else {
      const paragraph: string[] = [];
      for (; index < lines.length && (!paragraph.length || !startsBlock(lines[index]!)); index++) paragraph.push(lines[index]!);
      out.push(h('p', null, inline(paragraph)));
    }
  }
  return out;
}
