import { h, type ComponentChildren, type VNode } from 'preact';
import { safeUrl } from './safe-url';

/** An open delimiter: kind (`*`, `**`, `_`, `__`, `[`; '' = inactive), its raw text, and the children collected so far. */
interface Frame {
  k: string;
  r: string;
  c: ComponentChildren[];
}

/** Maximum number of simultaneously open emphasis/link delimiters; further openers stay literal text. */
const MAX_DEPTH = 10;
/** ASCII punctuation: what a backslash can escape. */
const PUNCT = /[!-/:-@[-`{-~]/;
const TRAIL = '.,:;!?*_\'")]';
const REL = 'noopener noreferrer nofollow';

/** Undefined (outside the text) counts as whitespace. */
const isWs = (c: string | undefined) => !c || c <= ' ';
const isWord = (c: string | undefined) => !!c && /[\p{L}\p{N}]/u.test(c);

/** A link if the URL is safe, else just its children (not clickable). */
export function link(url: string, kids: ComponentChildren): ComponentChildren {
  const href = safeUrl(url);
  return href ? h('a', { href, target: '_blank', rel: REL }, kids) : kids;
}

/**
 * Inline Markdown -> VNodes in one left-to-right pass. Delimiters live on a stack capped at
 * MAX_DEPTH, so closing one costs O(MAX_DEPTH); code-span closers that were not found are
 * remembered per run length, link destinations use a precomputed paren matching and a monotonic
 * whitespace pointer: linear time overall, no backtracking regexes.
 */
export function parseInline(s: string): ComponentChildren[] {
  const n = s.length;
  const st: Frame[] = [{ k: '', r: '', c: [] }];
  const noCloser: boolean[] = [];
  let parens: Map<number, number> | undefined;
  let ws = -1;
  let i = 0;
  let t = 0; // start of pending plain text
  const out = (x: ComponentChildren) => st[st.length - 1]!.c.push(x);
  const flush = () => i > t && out(s.slice(t, i));
  const find = (k: string) => {
    let j = st.length;
    while (--j > 0 && st[j]!.k !== k);
    return j;
  };
  // Unclosed delimiters above frame j become literal text inside it.
  const close = (j: number) => {
    const f = st[j]!;
    for (const g of st.splice(j + 1)) {
      f.c.push(g.r);
      for (const x of g.c) f.c.push(x);
    }
    return f.c;
  };
  const pop = (j: number) => {
    const c = close(j);
    st.pop();
    return c;
  };

  while (i < n) {
    const c = s[i]!;
    let e = i + 1;
    if (c == '\\') {
      if (e < n && PUNCT.test(s[e]!)) {
        flush();
        t = e;
        i = e + 1;
        continue;
      }
    } else if (c == '\n') {
      flush();
      out(h('br', null));
      i = t = e;
      continue;
    } else if (c == '`') {
      while (s[e] == '`') e++;
      const k = e - i;
      let q = -1;
      if (k < 16 && !noCloser[k]) {
        const tick = '`'.repeat(k);
        for (let p = e; ; ) {
          q = s.indexOf(tick, p);
          if (q < 0) {
            noCloser[k] = true;
            break;
          }
          for (p = q + k; s[p] == '`'; ) p++;
          if (p - q == k) break;
        }
      }
      if (q >= 0) {
        flush();
        let code = s.slice(e, q).replace(/\n/g, ' ');
        if (code.length > 2 && code[0] == ' ' && code[code.length - 1] == ' ' && code.trim()) code = code.slice(1, -1);
        out(h('code', null, code));
        i = t = q + k;
      } else i = e;
      continue;
    } else if (c == '*' || c == '_') {
      while (s[e] == c) e++;
      if (e - i < 4) {
        const prev = s[i - 1];
        const next = s[e];
        let open = !isWs(next);
        let shut = !isWs(prev);
        // `_` never opens or closes inside a word: snake_case_words stay as typed.
        if (c == '_') {
          open &&= !isWord(prev);
          shut &&= !isWord(next);
        }
        const cc = c + c;
        const parts = e - i == 1 ? [c] : e - i == 2 ? [cc] : shut ? [cc, c] : [c, cc];
        // A run that can neither close nor open stays in the pending text.
        if ((open && st.length <= MAX_DEPTH) || (shut && parts.some(find))) {
          flush();
          for (const p of parts) {
            const j = shut ? find(p) : 0;
            if (j) out(h(p == c ? 'em' : 'strong', null, pop(j)));
            else if (open && st.length <= MAX_DEPTH) st.push({ k: p, r: p, c: [] });
            else out(p);
          }
          t = e;
        }
      }
      i = e;
      continue;
    } else if (c == '[' || (c == '!' && s[e] == '[')) {
      if (c == '!') e++;
      if (st.length <= MAX_DEPTH) {
        flush();
        st.push({ k: '[', r: s.slice(i, e), c: [] });
        t = e;
      }
      i = e;
      continue;
    } else if (c == ']') {
      const j = find('[');
      if (j && s[e] == '(') {
        if (!parens) {
          parens = new Map();
          const open: number[] = [];
          for (let x = 0; x < n; x++)
            if (s[x] == '(') open.push(x);
            else if (s[x] == ')' && open.length) parens.set(open.pop()!, x);
        }
        const m = parens.get(e);
        if (m !== undefined) {
          if (ws < e) for (ws = e; ws < n && !isWs(s[ws]); ) ws++;
          // `(url)` or `(url "title")`; the title is ignored.
          if (ws > m || (s[ws] == ' ' && (s[ws + 1] == '"' || s[ws + 1] == "'"))) {
            flush();
            // No links inside links: unwrap autolinks in the text, deactivate outer `[`.
            const kids = pop(j).map((x) => ((x as VNode | null)?.type == 'a' ? (x as VNode<{ children?: ComponentChildren }>).props.children : x));
            out(link(s.slice(e + 1, Math.min(ws, m)), kids));
            for (const f of st) if (f.k == '[') f.k = '';
            i = t = m + 1;
            continue;
          }
        }
      }
    } else if (c == 'h' && !isWord(s[i - 1])) {
      const p = s.startsWith('https://', i) ? 8 : s.startsWith('http://', i) ? 7 : 0;
      if (p) {
        // Inside link text, `]` ends the URL: `[https://a](https://b)` links to b.
        const stop = find('[') ? '<>"`]' : '<>"`';
        while (e < n && !isWs(s[e]) && !stop.includes(s[e]!)) e++;
        let url = s.slice(i, e);
        const paren = url.includes('(');
        while (url.length > p && TRAIL.includes(url[url.length - 1]!) && !(paren && url.endsWith(')'))) url = url.slice(0, -1);
        if (url.length > p) {
          // `<https://…>`: drop the angle brackets.
          const a = +(s[i - 1] == '<' && s[i + url.length] == '>');
          i -= a;
          flush();
          out(link(url, url));
          i = t = i + 2 * a + url.length;
          continue;
        }
      }
    }
    i = e;
  }
  flush();
  return close(0);
}
