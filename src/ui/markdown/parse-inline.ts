import { type ComponentChildren, h, type VNode } from 'preact';
import { safeUrl } from './safe-url';

/** An open delimiter: its kind (`*`, `**`, `_`, `__`, `[`; '' = inactive), its raw text, and the children collected so far. */
interface Frame {
  kind: string;
  raw: string;
  children: ComponentChildren[];
}

/** Maximum number of simultaneously open emphasis/link delimiters; further openers stay literal text. */
const MAX_DEPTH = 10;
/** Longest backtick run that opens a code span. */
const MAX_TICKS = 16;
/** ASCII punctuation: what a backslash can escape. */
const PUNCTUATION = /[!-/:-@[-`{-~]/;
/** Characters a bare URL does not end with (the sentence's, not the link's). */
const TRAILING = '.,:;!?*_\'")]';
const REL = 'noopener noreferrer nofollow';

/** Undefined (outside the text) counts as whitespace. */
const isSpace = (char: string | undefined): boolean => !char || char <= ' ';
const isWordChar = (char: string | undefined): boolean => !!char && /[\p{L}\p{N}]/u.test(char);

/** A link if the URL is safe, else just its children (not clickable). */
export function link(url: string, children: ComponentChildren): ComponentChildren {
  const href = safeUrl(url);
  return href ? h('a', { href, target: '_blank', rel: REL }, children) : children;
}

/**
 * Inline Markdown -> VNodes in one left-to-right pass. Delimiters live on a stack capped at
 * MAX_DEPTH, so closing one costs O(MAX_DEPTH); code-span closers that were not found are
 * remembered per run length, link destinations use a precomputed paren matching and a monotonic
 * whitespace pointer: linear time overall, no backtracking regexes.
 */
export function parseInline(text: string): ComponentChildren[] {
  return new InlineParser(text).parse();
}

/** Each step reads at `pos` and returns where it stopped, or -1 when the character is plain text. */
class InlineParser {
  private readonly stack: Frame[] = [{ kind: '', raw: '', children: [] }];
  /** Backtick run lengths with no closer further on (not searched again). */
  private readonly noCloser: boolean[] = [];
  /** `(` positions -> their matching `)`, computed at the first link. */
  private parens: Map<number, number> | undefined;
  /** The first whitespace at or after the last position looked at (only moves forward). */
  private spaceAt = -1;
  private pos = 0;
  /** Start of the plain text not yet added. */
  private pending = 0;

  constructor(private readonly text: string) {}

  parse(): ComponentChildren[] {
    const { text } = this;
    while (this.pos < text.length) {
      const char = text[this.pos]!;
      let next = -1;
      if (char === '\\') next = this.escape();
      else if (char === '\n') next = this.lineBreak();
      else if (char === '`') next = this.codeSpan();
      else if (char === '*' || char === '_') next = this.emphasis(char);
      else if (char === '[' || (char === '!' && text[this.pos + 1] === '[')) next = this.openBracket(char);
      else if (char === ']') next = this.closeBracket();
      else if (char === 'h' && !isWordChar(text[this.pos - 1])) next = this.bareUrl();
      this.pos = next >= 0 ? next : this.pos + 1;
    }
    this.flush();
    return this.close(0);
  }

  private add(child: ComponentChildren): void {
    this.stack[this.stack.length - 1]!.children.push(child);
  }

  /** Add the plain text up to `pos`. */
  private flush(): void {
    if (this.pos > this.pending) this.add(this.text.slice(this.pending, this.pos));
  }

  /** The innermost open frame of this kind (0: none). */
  private find(kind: string): number {
    let index = this.stack.length;
    while (--index > 0 && this.stack[index]!.kind !== kind);
    return index;
  }

  /** Unclosed delimiters above frame `index` become literal text inside it; returns its children. */
  private close(index: number): ComponentChildren[] {
    const frame = this.stack[index]!;
    for (const open of this.stack.splice(index + 1)) {
      frame.children.push(open.raw);
      // One by one: a spread of a huge list would overflow the call stack.
      for (const child of open.children) frame.children.push(child);
    }
    return frame.children;
  }

  private pop(index: number): ComponentChildren[] {
    const children = this.close(index);
    this.stack.pop();
    return children;
  }

  /** `\*`: the character itself, as text. */
  private escape(): number {
    const escaped = this.pos + 1;
    if (escaped >= this.text.length || !PUNCTUATION.test(this.text[escaped]!)) return -1;
    this.flush();
    this.pending = escaped;
    return escaped + 1;
  }

  private lineBreak(): number {
    this.flush();
    this.add(h('br', null));
    this.pending = this.pos + 1;
    return this.pending;
  }

  /** `` `code` ``: a run of backticks up to the next run of the same length. */
  private codeSpan(): number {
    const { text, pos } = this;
    let end = pos + 1;
    while (text[end] === '`') end++;
    const ticks = end - pos;
    let closer = -1;
    if (ticks < MAX_TICKS && !this.noCloser[ticks]) {
      const run = '`'.repeat(ticks);
      for (let from = end; ; ) {
        closer = text.indexOf(run, from);
        if (closer < 0) {
          this.noCloser[ticks] = true;
          break;
        }
        for (from = closer + ticks; text[from] === '`'; ) from++;
        if (from - closer === ticks) break;
      }
    }
    // No closer: the run is plain text.
    if (closer < 0) return end;
    this.flush();
    let code = text.slice(end, closer).replace(/\n/g, ' ');
    if (code.length > 2 && code[0] === ' ' && code[code.length - 1] === ' ' && code.trim()) code = code.slice(1, -1);
    this.add(h('code', null, code));
    this.pending = closer + ticks;
    return this.pending;
  }

  /** A run of `*` or `_`: it opens and/or closes emphasis (one) or strong (two), by what is around it. */
  private emphasis(char: '*' | '_'): number {
    const { text, pos } = this;
    let end = pos + 1;
    while (text[end] === char) end++;
    const length = end - pos;
    if (length >= 4) return end;
    const before = text[pos - 1];
    const after = text[end];
    let opens = !isSpace(after);
    let closes = !isSpace(before);
    // `_` never opens or closes inside a word: snake_case_words stay as typed.
    if (char === '_') {
      opens &&= !isWordChar(before);
      closes &&= !isWordChar(after);
    }
    const double = char + char;
    const parts = length === 1 ? [char] : length === 2 ? [double] : closes ? [double, char] : [char, double];
    const room = (): boolean => this.stack.length <= MAX_DEPTH;
    // A run that can neither close nor open stays in the pending text.
    if (!(opens && room()) && !(closes && parts.some((part) => this.find(part)))) return end;
    this.flush();
    for (const part of parts) {
      const open = closes ? this.find(part) : 0;
      if (open) this.add(h(part === char ? 'em' : 'strong', null, this.pop(open)));
      else if (opens && room()) this.stack.push({ kind: part, raw: part, children: [] });
      else this.add(part);
    }
    this.pending = end;
    return end;
  }

  /** `[` or `![`: link text starts (an image is a link to it). */
  private openBracket(char: string): number {
    const end = this.pos + (char === '!' ? 2 : 1);
    if (this.stack.length <= MAX_DEPTH) {
      this.flush();
      this.stack.push({ kind: '[', raw: this.text.slice(this.pos, end), children: [] });
      this.pending = end;
    }
    return end;
  }

  /** `](url)` or `](url "title")` after open link text: a link (the title is ignored). */
  private closeBracket(): number {
    const { text } = this;
    const open = this.find('[');
    const paren = this.pos + 1;
    if (!open || text[paren] !== '(') return -1;
    const closer = this.matchingParens().get(paren);
    if (closer === undefined) return -1;
    if (this.spaceAt < paren) for (this.spaceAt = paren; this.spaceAt < text.length && !isSpace(text[this.spaceAt]); ) this.spaceAt++;
    const space = this.spaceAt;
    const titled = text[space] === ' ' && (text[space + 1] === '"' || text[space + 1] === "'");
    if (space <= closer && !titled) return -1;
    this.flush();
    // No links inside links: unwrap autolinks in the text, deactivate outer `[`.
    const children = this.pop(open).map((child) =>
      (child as VNode | null)?.type === 'a' ? (child as VNode<{ children?: ComponentChildren }>).props.children : child,
    );
    this.add(link(text.slice(paren + 1, Math.min(space, closer)), children));
    for (const frame of this.stack) if (frame.kind === '[') frame.kind = '';
    this.pending = closer + 1;
    return this.pending;
  }

  private matchingParens(): Map<number, number> {
    if (this.parens) return this.parens;
    const pairs = new Map<number, number>();
    const opens: number[] = [];
    for (let index = 0; index < this.text.length; index++) {
      if (this.text[index] === '(') opens.push(index);
      else if (this.text[index] === ')' && opens.length) pairs.set(opens.pop()!, index);
    }
    this.parens = pairs;
    return pairs;
  }

  /** `https://…` or `http://…` in the text: a link to itself (trailing punctuation is the sentence's). */
  private bareUrl(): number {
    const { text } = this;
    let pos = this.pos;
    const scheme = text.startsWith('https://', pos) ? 8 : text.startsWith('http://', pos) ? 7 : 0;
    if (!scheme) return -1;
    // Inside link text, `]` ends the URL: `[https://a](https://b)` links to b.
    const stop = this.find('[') ? '<>"`]' : '<>"`';
    let end = pos + 1;
    while (end < text.length && !isSpace(text[end]) && !stop.includes(text[end]!)) end++;
    let url = text.slice(pos, end);
    const hasParen = url.includes('(');
    while (url.length > scheme && TRAILING.includes(url[url.length - 1]!) && !(hasParen && url.endsWith(')'))) url = url.slice(0, -1);
    if (url.length <= scheme) return -1;
    // `<https://…>`: drop the angle brackets.
    const bracketed = text[pos - 1] === '<' && text[pos + url.length] === '>' ? 1 : 0;
    pos -= bracketed;
    this.pos = pos;
    this.flush();
    this.add(link(url, url));
    this.pending = pos + 2 * bracketed + url.length;
    return this.pending;
  }
}
