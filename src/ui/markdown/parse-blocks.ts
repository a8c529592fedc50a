import { h, type ComponentChildren } from 'preact';
import { parseInline } from './parse-inline';

/** Counts block parses; tests use it to check that completed blocks are not re-parsed. */
export const stats = { blocks: 0 };

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEAD = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const HR = /^ {0,3}([-*_])(?: *\1){2,} *$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( *)(?:[-*+]|(\d{1,9})[.)])(?:[ \t]+|$)/;
/** Blockquotes nested deeper than this render their content as plain paragraph text. */
const MAX_QUOTE = 5;

/** Separator lines; long runs (e.g. 50,000 `*`) stay text. */
const isHr = (l: string) => l.length < 80 && HR.test(l);
const isClose = (line: string, fence: string) => {
  const t = line.trim();
  return t[0] == fence[0] && t.length >= fence.length && t == fence[0]!.repeat(t.length);
};

/**
 * Splits text into blocks: runs of non-blank lines separated by blank lines, and fenced code
 * blocks (from the opening fence line through the closing one, or to the end of the text).
 * A block's extent depends only on the text up to the start of the next block, so every block
 * but the last is final while the text grows. Start offsets are pushed to `at` if given.
 */
export function splitBlocks(text: string, at?: number[]): string[] {
  const out: string[] = [];
  let start = -1;
  let last = 0;
  let fence = '';
  const emit = () => {
    if (start >= 0) {
      at?.push(start);
      out.push(text.slice(start, last));
      start = -1;
    }
  };
  for (let p = 0, e = 0; p <= text.length; p = e + 1) {
    e = text.indexOf('\n', p);
    if (e < 0) e = text.length;
    const line = text.slice(p, e);
    let m: RegExpExecArray | null;
    if (fence) {
      last = e;
      if (isClose(line, fence)) {
        emit();
        fence = '';
      }
    } else if ((m = FENCE.exec(line))) {
      emit();
      start = p;
      last = e;
      fence = m[1]!;
    } else if (!line.trim()) emit();
    else {
      if (start < 0) start = p;
      last = e;
    }
  }
  emit();
  return out;
}

const inline = (lines: string[]) => parseInline(lines.map((l) => l.trim()).join('\n'));

/** Renders one block (as produced by splitBlocks) to VNodes. */
export function renderBlock(src: string, depth = 0): ComponentChildren {
  stats.blocks++;
  const nl = src.indexOf('\n');
  const first = nl < 0 ? src : src.slice(0, nl);
  const f = FENCE.exec(first);
  if (f) {
    // Code: everything after the opening line, minus the closing fence line if it arrived.
    const lang = first.slice(f[0].length).trim().split(/[\s`]/)[0];
    let body = nl < 0 ? '' : src.slice(nl + 1);
    const ln = body.lastIndexOf('\n');
    if (isClose(body.slice(ln + 1), f[1]!)) body = body.slice(0, Math.max(ln, 0));
    return h('pre', null, h('code', lang ? { 'data-lang': lang } : null, body.replace(/\r(?=\n|$)/g, '')));
  }
  const lines = src.split('\n').map((l) => l.replace(/\r$/, ''));
  const out: ComponentChildren[] = [];
  const starts = (l: string) => HEAD.test(l) || isHr(l) || QUOTE.test(l) || ITEM.test(l);
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if (isHr(line)) {
      out.push(h('hr', null));
      i++;
    } else if (HEAD.test(line)) {
      out.push(h('p', null, h('strong', null, parseInline(line.trim().replace(/^#+/, '').trim()))));
      i++;
    } else if (QUOTE.test(line)) {
      const inner: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]!); i++) inner.push(lines[i]!.replace(QUOTE, ''));
      out.push(
        h(
          'blockquote',
          null,
          depth < MAX_QUOTE ? splitBlocks(inner.join('\n')).map((b) => renderBlock(b, depth + 1)) : h('p', null, inline(inner)),
        ),
      );
    } else if ((m = ITEM.exec(line))) {
      // One list; items indented 2+ spaces deeper go into one sub-list of the previous item.
      const ordered = !!m[2];
      const base = m[1]!.length;
      const items: { t: string[]; sub: string[][]; o: boolean; n: string | undefined }[] = [];
      for (; i < lines.length; i++) {
        const l = lines[i]!;
        const it = ITEM.exec(l);
        const cur = items[items.length - 1];
        if (it && cur && it[1]!.length >= base + 2) {
          if (!cur.sub.length) (cur.o = !!it[2]), (cur.n = it[2]);
          cur.sub.push([l.slice(it[0].length)]);
        } else if (it && !!it[2] == ordered) items.push({ t: [l.slice(it[0].length)], sub: [], o: false, n: undefined });
        else if (it || !cur || starts(l)) break;
        else (cur.sub[cur.sub.length - 1] ?? cur.t).push(l);
      }
      const list = (o: boolean, n: string | undefined, kids: ComponentChildren[]) =>
        h(o ? 'ol' : 'ul', o && n && +n != 1 ? { start: +n } : null, kids);
      out.push(
        list(
          ordered,
          m[2],
          items.map((it) => h('li', null, inline(it.t), it.sub.length ? list(it.o, it.n, it.sub.map((s) => h('li', null, inline(s)))) : null)),
        ),
      );
    } else {
      const para: string[] = [];
      for (; i < lines.length && (!para.length || !starts(lines[i]!)); i++) para.push(lines[i]!);
      out.push(h('p', null, inline(para)));
    }
  }
  return out;
}
