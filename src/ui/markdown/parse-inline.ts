import { type ComponentChildren, h, type VNode } from 'preact';
import { safeUrl } from './safe-url';

/** An open delimiter: its kind (`*`, `**`, `_`, `__`, `[`; '' for the root), its raw text, and the children collected so far. */
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
  return href ? h('a', { href, target: '_blank', rel: REL }, children, children !== url && destinationHint(href, children)) : children;
}

/** The plain text of inline VNodes. */
const textOf = (node: ComponentChildren): string =>
  typeof node === 'string'
    ? node
    : Array.isArray(node)
      ? node.map(textOf).join('')
      : node && typeof node === 'object'
        ? textOf((node as VNode<{ children?: ComponentChildren }>).props.children)
        : '';

/** Where a URL leads, for comparing: its host without `www.`, or the address of a mailto: or tel: URL. */
function destination(url: string): string {
  try {
    const { protocol, hostname, pathname } = new URL(url);
    const address = decodeURIComponent(pathname);
    return protocol === 'mailto:'
      ? address.toLowerCase()
      : protocol === 'tel:'
        ? address.replace(/[^\d+]/g, '')
        : hostname.replace(/^www\.|\.$/g, '');
  } catch {
    return url;
  }
}

/** Link text that reads as an address: a URL (scheme), an email address, a phone number or a host name. */
const ADDRESS = /^(https?:\/\/|mailto:|tel:)?(?:([^\s@/]+@[^\s@/]+)|(\+?[\d\s().-]{7,})|[^\s@/:]+\.\p{L}[^\s@/:]*([:/?#]\S*)?)$/iu;

/**
 * Link text that reads as an address (`https://bank.example`, `bank.example`, `a@bank.example`, `+1 555 0100`) of
 * somewhere else than the link goes gets the real destination after it, inside the link so its accessible name says it too.
 */
function destinationHint(href: string, children: ComponentChildren): ComponentChildren {
  const match = ADDRESS.exec(textOf(children).trim());
  if (!match) return null;
  const [text, scheme, email, phone] = match;
  const real = destination(href);
  const claimed = scheme ? text : email ? `mailto:${text}` : phone ? `tel:${text}` : `http://${text}`;
  return destination(claimed) !== real && h('span', { class: 'md-dest' }, ` (${real})`);
}

/**
 * Where the code span opened by `ticks` backticks ending at `end` closes (the start of an equal run), or
 * -1. Run lengths with no closer are remembered in `noCloser`, so each is searched for once.
 */
function codeSpanCloser(text: string, end: number, ticks: number, noCloser: boolean[]): number {
  if (ticks >= MAX_TICKS || noCloser[ticks]) return -1;
  const run = '`'.repeat(ticks);
  for (let from = end; ; ) {
    const closer = text.indexOf(run, from);
    if (closer < 0) {
      noCloser[ticks] = true;
      return -1;
    }
    for (from = closer + ticks; text[from] === '`'; ) from++;
    if (from - closer === ticks) return closer;
  }
}

/** `(` positions -> their matching `)`. */
function matchingParens(text: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const opens: number[] = [];
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '(') opens.push(index);
    else if (text[index] === ')' && opens.length) pairs.set(opens.pop()!, index);
  }
  return pairs;
}

/** The bare `http(s)://` URL at `pos` (trailing punctuation is the sentence's), or ''. Inside link text, `]` ends it. */
function bareUrlAt(text: string, pos: number, inLinkText: boolean): string {
  const scheme = text.startsWith('https://', pos) ? 8 : text.startsWith('http://', pos) ? 7 : 0;
  if (!scheme) return '';
  const stop = inLinkText ? '<>"`]' : '<>"`';
  let end = pos + 1;
  while (end < text.length && !isSpace(text[end]) && !stop.includes(text[end]!)) end++;
  let url = text.slice(pos, end);
  const hasParen = url.includes('(');
  while (url.length > scheme && TRAILING.includes(url[url.length - 1]!) && !(hasParen && url.endsWith(')'))) url = url.slice(0, -1);
  return url.length > scheme ? url : '';
}

/** Link text's children: autolinks in it unwrapped (no links inside links). */
const unwrapLinks = (children: ComponentChildren[]): ComponentChildren[] =>
  children.map((child) =>
    (child as VNode | null)?.type === 'a' ? (child as VNode<{ children?: ComponentChildren }>).props.children : child,
  );

/**
 * Filled by parseInline: `at` is the last position up to `limit` where what comes before is final, however the text
 * goes on (no open delimiter, no code span waiting for its closer, whitespace just before), `count` the number of
 * top-level children before it and `pending` the start of the text not yet in them (the one child that spans `at`).
 */
export interface SafePoint {
  limit: number;
  at: number;
  count: number;
  pending: number;
}

/**
 * Inline Markdown -> VNodes in one left-to-right pass. Delimiters live on a stack capped at
 * MAX_DEPTH, so closing one costs O(MAX_DEPTH); code-span closers that were not found are
 * remembered per run length, link destinations use a precomputed paren matching and a monotonic
 * whitespace pointer: linear time overall, no backtracking regexes.
 */
export function parseInline(text: string, safe?: SafePoint): ComponentChildren[] {
  const stack: Frame[] = [{ kind: '', raw: '', children: [] }];
  const noCloser: boolean[] = [];
  let parens: Map<number, number> | undefined;
  /** The first whitespace at or after the last position looked at (only moves forward). */
  let spaceAt = -1;
  let pos = 0;
  /** Start of the plain text not yet added. */
  let pending = 0;

  const add = (child: ComponentChildren): void => void stack[stack.length - 1]!.children.push(child);
  const flush = (): void => {
    if (pos > pending) add(text.slice(pending, pos));
  };
  /** The innermost open frame of this kind (0: none). */
  const find = (kind: string): number => {
    let index = stack.length;
    while (--index > 0 && stack[index]!.kind !== kind);
    return index;
  };
  /** Unclosed delimiters above frame `index` become literal text inside it; returns its children. */
  const close = (index: number): ComponentChildren[] => {
    const frame = stack[index]!;
    for (const open of stack.splice(index + 1)) {
      frame.children.push(open.raw);
      // One by one: a spread of a huge list would overflow the call stack.
      for (const child of open.children) frame.children.push(child);
    }
    return frame.children;
  };
  const pop = (index: number): ComponentChildren[] => {
    const children = close(index);
    stack.pop();
    return children;
  };
  /** Link text that can no longer become a link: its `[` and children go to the frame below, frames above it stay open. */
  const unframe = (index: number): void => {
    const [frame] = stack.splice(index, 1);
    const below = stack[index - 1]!.children;
    below.push(frame!.raw);
    for (const child of frame!.children) below.push(child);
  };
  /** Add `child` in place of the text from `pos`, and go on from `next`. */
  const replace = (child: ComponentChildren, next: number): number => {
    flush();
    add(child);
    pending = next;
    return next;
  };

  /** A run of `*` or `_`: it opens and/or closes emphasis (one) or strong (two), by what is around it. */
  function emphasis(char: string): number {
    let end = pos + 1;
    while (text[end] === char) end++;
    if (end - pos >= 4) return end;
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
    const parts = end - pos === 1 ? [char] : end - pos === 2 ? [double] : closes ? [double, char] : [char, double];
    // A run that can neither close nor open stays in the pending text.
    if (!(opens && stack.length <= MAX_DEPTH) && !(closes && parts.some(find))) return end;
    flush();
    for (const part of parts) {
      const open = closes ? find(part) : 0;
      if (open) add(h(part === char ? 'em' : 'strong', null, pop(open)));
      else if (opens && stack.length <= MAX_DEPTH) stack.push({ kind: part, raw: part, children: [] });
      else add(part);
    }
    pending = end;
    return end;
  }

  /** `](url)` or `](url "title")` after open link text: a link (the title is ignored); else -1. */
  function closeBracket(): number {
    const open = find('[');
    const paren = pos + 1;
    if (!open) return -1;
    if (text[paren] !== '(') {
      // `[1] and more`: the `[` stays text, and the text after it does not wait for a `](url)`.
      if (paren < text.length) unframe(open);
      return -1;
    }
    parens ??= matchingParens(text);
    const closer = parens.get(paren);
    if (closer === undefined) return -1;
    if (spaceAt < paren) for (spaceAt = paren; spaceAt < text.length && !isSpace(text[spaceAt]); ) spaceAt++;
    const titled = text[spaceAt] === ' ' && (text[spaceAt + 1] === '"' || text[spaceAt + 1] === "'");
    if (spaceAt <= closer && !titled) return -1;
    flush();
    add(link(text.slice(paren + 1, Math.min(spaceAt, closer)), unwrapLinks(pop(open))));
    // No links in links: outer link text is text.
    for (let index = stack.length; --index > 0; ) if (stack[index]!.kind === '[') unframe(index);
    pending = closer + 1;
    return pending;
  }

  /** One step at `pos`: where the next one starts, or -1 when the character is plain text. */
  function step(char: string): number {
    if (char === '\\') {
      // `\*`: the character itself, as text.
      if (!PUNCTUATION.test(text[pos + 1] ?? '')) return -1;
      flush();
      pending = pos + 1;
      return pos + 2;
    }
    if (char === '\n') return replace(h('br', null), pos + 1);
    if (char === '`') {
      let end = pos + 1;
      while (text[end] === '`') end++;
      const closer = codeSpanCloser(text, end, end - pos, noCloser);
      // No closer: the run is plain text.
      if (closer < 0) return end;
      let code = text.slice(end, closer).replace(/\n/g, ' ');
      if (code.length > 2 && code[0] === ' ' && code[code.length - 1] === ' ' && code.trim()) code = code.slice(1, -1);
      return replace(h('code', null, code), closer + end - pos);
    }
    if (char === '*' || char === '_') return emphasis(char);
    if (char === '[' || (char === '!' && text[pos + 1] === '[')) {
      // Link text starts (an image is a link to it).
      const end = pos + (char === '!' ? 2 : 1);
      if (stack.length > MAX_DEPTH) return end;
      flush();
      stack.push({ kind: '[', raw: text.slice(pos, end), children: [] });
      pending = end;
      return end;
    }
    if (char === ']') return closeBracket();
    if (char !== 'h' || isWordChar(text[pos - 1])) return -1;
    const url = bareUrlAt(text, pos, !!find('['));
    if (!url) return -1;
    // `<https://…>`: drop the angle brackets.
    const bracketed = text[pos - 1] === '<' && text[pos + url.length] === '>' ? 1 : 0;
    pos -= bracketed;
    return replace(link(url, url), pos + 2 * bracketed + url.length);
  }

  while (pos < text.length) {
    if (safe && pos <= safe.limit && !stack[1] && !noCloser.length && isSpace(text[pos - 1])) {
      safe.at = pos;
      safe.count = stack[0]!.children.length;
      safe.pending = pending;
    }
    const next = step(text[pos]!);
    pos = next >= 0 ? next : pos + 1;
  }
  flush();
  return close(0);
}
