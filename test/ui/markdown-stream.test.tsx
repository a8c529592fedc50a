// @vitest-environment happy-dom
// The Markdown component while an answer streams in (the last paragraph is parsed again only from its last
// safe point), a long answer that arrives at once (shown slice by slice), and links whose text names another
// destination than their href. Whatever the chunking, the DOM must equal a one-shot render of the same text.
import { type ComponentChildren, render } from 'preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Markdown, renderMarkdown, stats } from '../../src/ui/markdown';
import { parseInline, type SafePoint } from '../../src/ui/markdown/parse-inline';
import { markupOf as dom } from './helpers';

let root: HTMLElement | undefined;
afterEach(() => {
  if (!root) return;
  render(null, root);
  root.remove();
  root = undefined;
});

const markup = (nodes: ComponentChildren): string => {
  const el = document.createElement('div');
  render(nodes, el);
  return dom(el);
};
const oneShot = (text: string): string => markup(renderMarkdown(text));
/** What the Markdown component in `root` shows (inside its wrapper). */
const shown = (): string => dom(root!.firstElementChild!);

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}
const pick = <T,>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)]!;

const INLINE = [
  'word',
  'other words',
  ' ',
  ' ',
  '  ',
  '*',
  '**',
  '***',
  '_',
  '__',
  '`',
  '``',
  '[',
  ']',
  '(',
  ')',
  '](https://x.example/p)',
  '\\',
  '\\*',
  '\n',
  'https://a.example/b',
  'http://c.example.',
  '<',
  '>',
  '!',
  '"',
  '.',
  '&amp;',
  'snake_case',
  'x*y',
  'é',
  '😀',
] as const;
/** Line starts and breaks that change how the lines around them read. */
const BLOCK = [
  '\n',
  '\r\n',
  '\n\n',
  '\n- ',
  '\n1. ',
  '\n1',
  '\n-',
  '\n# ',
  '\n> ',
  '\n---\n',
  '\n```js\n',
  '\n```\n',
  '\n   ',
  '\n***',
] as const;

/** Constructs that close, so that a paragraph of them has safe points. */
const BALANCED = [
  '*it*',
  '**bold**',
  '_em_',
  '__strong__',
  '`code`',
  '``a ` b``',
  '[text *x*](https://x.example/a_(b))',
  '![alt](https://x.example/i.png)',
  'https://a.example/b?c=1.',
  '<https://b.example>',
  '\\*',
  'snake_case',
  '&amp;',
  'é😀',
  '[1]',
];

/** Words and closed constructs, with stray tokens (`INLINE` and `extra`) at the rate `stray`. */
function words(next: () => number, length: number, stray: number, extra: readonly string[] = []): string {
  let text = '';
  while (text.length < length) {
    const roll = next();
    text +=
      roll < stray
        ? pick(next, [...INLINE, ...extra])
        : roll < stray + 0.2
          ? `${pick(next, BALANCED)} `
          : `${pick(next, ['lorem', 'ipsum', 'dolor', 'sit', 'amet'])} `;
  }
  return text;
}

/** Streams `text` into a Markdown component in chunks of 1..maxChunk characters; checks every `check`-th render against a one-shot render. */
function stream(text: string, next: () => number, maxChunk: number, check = 0): void {
  root ??= document.createElement('div');
  let renders = 0;
  for (let end = 0; end < text.length; ) {
    end = Math.min(text.length, end + 1 + Math.floor(next() * maxChunk));
    render(<Markdown text={text.slice(0, end)} streaming />, root);
    if (check && ++renders % check === 0) expect(shown(), JSON.stringify(text.slice(0, end))).toBe(oneShot(text.slice(0, end)));
  }
  render(<Markdown text={text} />, root);
  expect(shown()).toBe(oneShot(text));
}

describe('safe points', () => {
  it('what precedes a safe point renders the same however the text goes on', () => {
    const next = random(11);
    let checked = 0;
    for (let round = 0; round < 3000; round++) {
      const text = words(next, 5 + Math.floor(next() * 60), 0.5);
      const safe: SafePoint = { limit: text.length, at: 0, count: 0, pending: 0 };
      const nodes = parseInline(text, safe);
      if (!safe.at) continue;
      const { at, count, pending } = safe;
      const frozen = nodes.slice(0, count);
      if (pending < at) frozen.push(text.slice(pending, at));
      for (let more = 0; more < 3; more++) {
        const longer = text + words(next, Math.floor(next() * 30), 0.5);
        expect(markup([frozen, parseInline(longer.slice(at))]), JSON.stringify([text, longer])).toBe(markup(parseInline(longer)));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('none inside emphasis, a link text or an unmatched code span, nor past the limit', () => {
    const at = (text: string, limit = text.length) => {
      const safe: SafePoint = { limit, at: 0, count: 0, pending: 0 };
      parseInline(text, safe);
      return safe.at;
    };
    // Right before the delimiter, not after it.
    expect(at('a b *c d e')).toBe(4);
    expect(at('a b [c d e')).toBe(4);
    expect(at('a b `c d e')).toBe(4);
    expect(at('a b *c* d e')).toBe(10);
    expect(at('a [1] b c')).toBe(8);
    expect(at('a b c d', 3)).toBe(2);
  });
});

describe('streaming a long paragraph', () => {
  // Stray tokens at rates from rare (most of the text is frozen as it comes) to everywhere (little is).
  const rates = [0.003, 0.01, 0.03, 0.1, 0.4];
  it('random text, chunks and line starts: every checked prefix and the end equal a one-shot render', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      stream(words(next, 2500, rates[seed % 5]!, seed % 2 ? BLOCK : []), next, 1 + (seed % 7) * 15, 5);
    }
  }, 60_000);

  it('longer texts, checked at the end', () => {
    for (let seed = 100; seed < 105; seed++) {
      const next = random(seed);
      stream(words(next, 20_000, rates[seed % 5]!, seed % 2 ? BLOCK : []), next, 300);
    }
  }, 60_000);

  const filler = (length: number) => 'lorem ipsum dolor sit amet '.repeat(Math.ceil(length / 27)).slice(0, length);
  const cases: [string, string][] = [
    ['emphasis closed many chunks later', `start *${filler(3000)}* end ${filler(1000)}`],
    ['strong closed many chunks later', `start **${filler(3000)}** end ${filler(1000)}`],
    ['unclosed emphasis', `start *${filler(3000)}`],
    ['code span across chunks', `a \`${filler(2000)}\` b ${filler(1000)} \`\` x \` y\`\``],
    ['unmatched backtick', `a \` b ${filler(2500)}`],
    ['link text across chunks', `see [${filler(2000)}](https://x.example/a_(b)) and ${filler(800)}`],
    ['citations', `${filler(700)} [1] ${filler(700)} [2](https://x.example) ${filler(700)} [3]`],
    [
      'bare URLs at chunk ends',
      `${filler(600)} https://a.example/path?q=1. ${filler(600)} <https://b.example/c> ${filler(600)} http://c.example`,
    ],
    ['escapes and backslashes', `${filler(700)} \\* \\\\ \\[x\\] \\${filler(700)}\\`],
    ['CRLF lines', `${filler(700)}\r\n${filler(700)}\r\n- item\r\n${filler(700)}`],
    ['a line that reads as a list item for a while', `${filler(900)}\n1.5 kg ${filler(900)}\n- x ${filler(200)}\nmore`],
    ['heading, then a long paragraph', `# Title *x*\n${filler(3000)}`],
    ['quote, then a long paragraph', `> quoted\n> more\n${filler(3000)}`],
    ['list, then continuation lines', `- item\n${filler(1500)}\n# h\n${filler(1500)}`],
    ['a rule line, then text', `${filler(900)}\n---\n${filler(900)}\n***\n${filler(300)}`],
    ['a fence that starts late', `${filler(900)}\n\`\`\`js\nconst a = '*';\n\`\`\`\n${filler(900)}`],
    ['trailing spaces at the end of lines', `${filler(900)}   \n   ${filler(900)}  \n  x`],
    ['** runs', `${filler(600)} ****x**** ***y*** **z* *w** ${filler(600)}`],
    ['long words without spaces', `${'x'.repeat(3000)} ${filler(600)}`],
  ];
  for (const [label, text] of cases)
    it(label, () => {
      for (const [seed, maxChunk] of [
        [1, 1],
        [2, 7],
        [3, 64],
        [4, 400],
      ] as const)
        stream(text, random(seed), maxChunk, maxChunk === 1 ? 97 : 5);
    });

  it('parses only the newest text of a long paragraph on each render', () => {
    root = document.createElement('div');
    const text = 'lorem *ipsum* dolor `sit` amet [consectetur](https://x.example) '.repeat(3000);
    let most = 0;
    for (let end = 100; end <= text.length; end += 100) {
      const before = stats.chars;
      render(<Markdown text={text.slice(0, end)} streaming />, root);
      most = Math.max(most, stats.chars - before);
    }
    expect(most).toBeLessThan(1200);
    expect(shown()).toBe(oneShot(text));
  });
});

// Some 300 KB of DOM is built three times in a test (the slices, the one-shot render, the markup compared): about
// 3 s on an idle machine, so more than the default limit leaves room for a loaded one.
describe('a long answer that arrives at once', { timeout: 30_000 }, () => {
  // A slice is sized by how long the last one took (halved past 20 ms, down to 1,024 characters): on a loaded
  // machine the text below took some 300 tasks. With the clock stopped every slice looks quick, so the sizes
  // are the same on every machine (16, 32, 64 and 128 K characters, then the rest: five tasks).
  beforeEach(() => {
    vi.spyOn(performance, 'now').mockReturnValue(0);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const task = () => new Promise((done) => setTimeout(done, 0));
  /** A one-shot render of `text`, what the component must end as. */
  const whole = (text: string): HTMLElement => {
    const el = document.createElement('div');
    render(renderMarkdown(text), el);
    return el;
  };
  /** Let later tasks run until the component shows as much text as `want` (or give up after 1,000 tasks). */
  const settle = async (want: HTMLElement): Promise<void> => {
    const length = want.textContent!.length;
    for (let tasks = 0; tasks < 1000 && root!.textContent!.length !== length; tasks++) await task();
  };
  const long = 'The **answer** is `here` with [a link](https://x.example/a) and more text. '.repeat(4000);

  it('shows a first slice at once, the rest in later tasks, and ends as a one-shot render', async () => {
    root = document.createElement('div');
    render(<Markdown text={long} />, root);
    const first = root.textContent!.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(long.length / 2);
    const want = whole(long);
    await settle(want);
    expect(shown()).toBe(dom(want));
  });

  it('stops when unmounted', async () => {
    root = document.createElement('div');
    render(<Markdown text={long} />, root);
    render(null, root);
    const renders = stats.blocks;
    // Ten times the tasks the slices would take.
    for (let tasks = 0; tasks < 50; tasks++) await task();
    expect(stats.blocks).toBe(renders);
  });

  it('follows a text that changes meanwhile', async () => {
    root = document.createElement('div');
    render(<Markdown text={long} />, root);
    render(<Markdown text={`${long}\n\nand more`} />, root);
    const want = whole(`${long}\n\nand more`);
    await settle(want);
    expect(shown()).toBe(dom(want));
    render(<Markdown text={long.slice(10)} />, root);
    render(<Markdown text="short" />, root);
    const short = whole('short');
    await settle(short);
    expect(shown()).toBe(dom(short));
  });
});

describe('links whose text names another destination', () => {
  const link = (text: string) => {
    const el = document.createElement('div');
    render(renderMarkdown(text), el);
    return el.querySelector('a')!;
  };
  const hint = (text: string) => link(text).querySelector('span.md-dest')?.textContent ?? null;

  it('show where they really go, inside the link (its accessible name says it too)', () => {
    expect(hint('[https://bank.example](https://evil.example/login)')).toBe(' (evil.example)');
    expect(link('[https://bank.example](https://evil.example/login)').textContent).toBe('https://bank.example (evil.example)');
    expect(hint('[bank.example](https://evil.example)')).toBe(' (evil.example)');
    expect(hint('[**www.bank.example/login**](https://evil.example)')).toBe(' (evil.example)');
    expect(hint('[https://bank.example](https://bank.example@evil.example/)')).toBe(' (evil.example)');
    expect(hint('[bank.example](https://bank.example.evil.example)')).toBe(' (bank.example.evil.example)');
    expect(hint('[bаnk.example](https://bаnk.example)')).toBeNull();
    expect(hint('[bank.example](https://bаnk.example)')).toBe(' (xn--bnk-6cd.example)');
    expect(hint('[support@bank.example](mailto:support@evil.example)')).toBe(' (support@evil.example)');
    expect(hint('[https://bank.example](mailto:a@evil.example)')).toBe(' (a@evil.example)');
    expect(hint('[+1 555 0100](tel:+15550199)')).toBe(' (+15550199)');
    // Seven digits or more read as a phone number.
    expect(hint('[2019-2024](https://example.com/report)')).toBe(' (example.com)');
  });

  it('not when they go where the text says, or the text is no address', () => {
    for (const text of [
      '[https://Bank.example/](https://bank.example/login)',
      '[bank.example](https://www.bank.example)',
      '[www.bank.example](http://bank.example:8080/x)',
      '[mailto:Support@Bank.example](mailto:support@bank.example?subject=Hi)',
      '[support@bank.example](mailto:support@bank.example)',
      '[+1 (555) 010-0](tel:+15550100)',
      '[the bank](https://evil.example)',
      '[1](https://evil.example)',
      '[`code`](https://evil.example)',
      'https://bank.example/plain',
      '<https://bank.example/angle>',
    ])
      expect(hint(text), text).toBeNull();
  });

  it('unsafe hrefs stay text, with no hint', () => {
    const el = document.createElement('div');
    render(renderMarkdown('[https://bank.example](javascript:alert(1))'), el);
    expect(el.querySelector('a, span')).toBeNull();
    expect(el.textContent).toBe('https://bank.example');
  });
});
