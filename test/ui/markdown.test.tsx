// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown, renderMarkdown, safeUrl, splitBlocks, stats } from '../../src/ui/markdown';
import { markupOf as dom } from './helpers';

let root: HTMLElement | undefined;
afterEach(() => {
  if (!root) return;
  render(null, root);
  root.remove();
  root = undefined;
});

/** Renders one-shot into a fresh container. */
function md(text: string): HTMLElement {
  const el = document.createElement('div');
  render(renderMarkdown(text), el);
  return el;
}
const html = (text: string) => dom(md(text));
const DANGEROUS = 'script, img, svg, iframe, form, input, style, object, embed, math, textarea, xmp, noscript, button, link, meta, base';

describe('blocks', () => {
  it('paragraphs split on blank lines, single newlines become <br>', () => {
    const el = md('one\ntwo\n\nthree');
    const ps = el.querySelectorAll('p');
    expect(ps).toHaveLength(2);
    expect(dom(ps[0]!)).toBe('one<br>two');
    expect(ps[1]!.textContent).toBe('three');
  });

  it('fenced code keeps content verbatim, with data-lang', () => {
    const el = md('before\n```js\nconst a = 1 < 2 && **x**;\n\n<b>y</b>\n```\nafter');
    const code = el.querySelector('pre > code')!;
    expect(code.getAttribute('data-lang')).toBe('js');
    expect(code.textContent).toBe('const a = 1 < 2 && **x**;\n\n<b>y</b>');
    expect(code.querySelector('*')).toBeNull();
    expect([...el.querySelectorAll('p')].map((p) => p.textContent)).toEqual(['before', 'after']);
  });

  it('fence without language has no data-lang; ~~~ fences work', () => {
    const el = md('```\nx\n```\n\n~~~py\ny\n~~~');
    const codes = el.querySelectorAll('pre code');
    expect(codes[0]!.hasAttribute('data-lang')).toBe(false);
    expect(codes[0]!.textContent).toBe('x');
    expect(codes[1]!.getAttribute('data-lang')).toBe('py');
  });

  it('a fence indented inside a list item is code without that indentation, so Copy code copies the code alone', () => {
    const step = md('1. Install:\n   ```bash\n   npm i chat-sdk \\\n     --save\n   ```\n2. Run it');
    expect(step.querySelector('pre code')!.textContent).toBe('npm i chat-sdk \\\n  --save');
    expect(step.querySelector('pre code')!.getAttribute('data-lang')).toBe('bash');
    const nested = md('- a\n  - b\n      ```py\n      if x:\n          y\n    short\n      ```');
    expect(nested.querySelector('pre code')!.textContent).toBe('if x:\n    y\nshort');
  });

  it('unterminated fence renders as code so far', () => {
    const el = md('```ts\nlet a = 1;\nlet b');
    expect(el.querySelector('pre code')!.textContent).toBe('let a = 1;\nlet b');
    expect(md('```').querySelector('pre code')!.textContent).toBe('');
  });

  it('bullet lists with -, *, +', () => {
    for (const b of ['-', '*', '+']) {
      const el = md(`${b} one\n${b} **two**`);
      const lis = el.querySelectorAll('ul > li');
      expect(lis).toHaveLength(2);
      expect(lis[1]!.querySelector('strong')!.textContent).toBe('two');
    }
  });

  it('numbered lists keep their start number', () => {
    expect(md('1. a\n2. b').querySelector('ol')!.hasAttribute('start')).toBe(false);
    const ol = md('3. c\n4. d').querySelector('ol')!;
    expect(ol.getAttribute('start')).toBe('3');
    expect(ol.querySelectorAll('li')).toHaveLength(2);
  });

  it('a list may follow a paragraph line; continuation lines and one nested level', () => {
    const el = md('Steps:\n- a\n  more a\n  - a1\n  - a2\n- b\n1. x');
    expect(el.querySelector('p')!.textContent).toBe('Steps:');
    const top = el.querySelectorAll('ul')[0]!;
    expect(top.children).toHaveLength(2);
    expect(top.children[0]!.querySelector('ul')!.children).toHaveLength(2);
    expect(dom(top.children[0]!).startsWith('a<br>more a')).toBe(true);
    expect(el.querySelector('ol')!.textContent).toBe('x');
  });

  it('headings render as bold paragraphs, hr, blockquotes', () => {
    const el = md('# Title\n## Sub *x*\ntext\n\n---\n\n> quoted\n> > deeper');
    const hs = el.querySelectorAll('p > strong');
    expect([...hs].map((x) => x.textContent)).toEqual(['Title', 'Sub x']);
    expect(el.querySelector('h1, h2')).toBeNull();
    expect(el.querySelector('hr')).not.toBeNull();
    const q = el.querySelector('blockquote')!;
    expect(q.querySelector('p')!.textContent).toBe('quoted');
    expect(q.querySelector('blockquote')!.textContent).toBe('deeper');
  });

  it('splitBlocks', () => {
    expect(splitBlocks('a\nb\n\n\nc\n```\nx\n\ny\n```\nd\n- e\n\n')).toEqual(['a\nb', 'c', '```\nx\n\ny\n```', 'd\n- e']);
    expect(splitBlocks('')).toEqual([]);
    expect(splitBlocks('x\n```js\nopen')).toEqual(['x', '```js\nopen']);
  });

  it('CRLF input', () => {
    expect(html('a\r\nb\r\n\r\n```js\r\nx\r\n```')).toBe('<p>a<br>b</p><pre><code data-lang="js">x</code></pre>');
  });
});

describe('inline', () => {
  it('bold, italic, both syntaxes, nesting', () => {
    expect(html('**b** __b__ *i* _i_')).toBe('<p><strong>b</strong> <strong>b</strong> <em>i</em> <em>i</em></p>');
    expect(html('***bi***')).toBe('<p><em><strong>bi</strong></em></p>');
    expect(html('**bold *it* bold**')).toBe('<p><strong>bold <em>it</em> bold</strong></p>');
  });

  it('does not italicise snake_case_words or lone stars', () => {
    expect(html('call snake_case_word and __init__ x_y')).toBe('<p>call snake_case_word and <strong>init</strong> x_y</p>');
    expect(md('a * b * c and 2*3').querySelector('em')).toBeNull();
    expect(md('**unclosed *also').textContent).toBe('**unclosed *also');
  });

  it('inline code is literal', () => {
    const el = md('use `a **b** <i>` and ``x ` y``');
    const codes = el.querySelectorAll('p code');
    expect([...codes].map((c) => c.textContent)).toEqual(['a **b** <i>', 'x ` y']);
    expect(el.querySelector('strong, i')).toBeNull();
    expect(md('a `b').textContent).toBe('a `b');
  });

  it('backslash escapes', () => {
    expect(md('\\*not\\* \\[x](https://a.b)').textContent).toBe('*not* [x](https://a.b)');
    expect(md('\\*not\\*').querySelector('em')).toBeNull();
  });

  it('links and autolinks get target and rel', () => {
    const el = md('[site](https://example.com/a_(b)) and https://x.org/p?q=1. Also [m](mailto:a@b.c "t") (see http://y.io/z)');
    const as = [...el.querySelectorAll('a')];
    expect(as.map((a) => a.getAttribute('href'))).toEqual([
      'https://example.com/a_(b)',
      'https://x.org/p?q=1',
      'mailto:a@b.c',
      'http://y.io/z',
    ]);
    expect(as.map((a) => a.textContent)).toEqual(['site', 'https://x.org/p?q=1', 'm', 'http://y.io/z']);
    for (const a of as) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    }
    expect(el.textContent).toContain('q=1. Also');
  });

  it('link text may hold emphasis; no nested links', () => {
    const el = md('[**b** https://in.side](https://out.side) [[a](https://a.a)](https://b.b)');
    expect(el.querySelectorAll('a a')).toHaveLength(0);
    const as = el.querySelectorAll('a');
    expect(as[0]!.getAttribute('href')).toBe('https://out.side');
    expect(as[0]!.querySelector('strong')!.textContent).toBe('b');
    expect(el.textContent).toBe('b https://in.side [a](https://b.b)');
  });

  it('images never become <img>: link if safe, alt text otherwise', () => {
    const el = md('![cat](https://x/cat.png) ![pix](javascript:alert(1)) ![svg](data:image/svg+xml,<svg/onload=alert(1)>)');
    expect(el.querySelector('img, svg')).toBeNull();
    const as = el.querySelectorAll('a');
    expect(as).toHaveLength(1);
    expect(as[0]!.textContent).toBe('cat');
    expect(el.textContent).toBe('cat pix svg');
  });

  it('<https://…> autolinks drop the angle brackets', () => {
    expect(html('x <https://a.b/c> y <b>')).toBe(
      '<p>x <a href="https://a.b/c" target="_blank" rel="noopener noreferrer nofollow">https://a.b/c</a> y &lt;b&gt;</p>',
    );
    expect(md('<https://a.b/c.>').textContent).toBe('<https://a.b/c.>');
  });

  it('relative links are text', () => {
    const el = md('[a](/path) [b](//evil.com) [c](page.html) [d]()');
    expect(el.querySelector('a')).toBeNull();
    expect(el.textContent).toBe('a b c d');
  });
});

describe('XSS', () => {
  const payloads = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<svg onload=alert(1)>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="https://evil"><input name=x><button>go</button></form>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<xmp><img src=x onerror=alert(1)></xmp>',
    '<textarea><img src=x onerror=alert(1)></textarea>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<style>@import "//evil"</style><link rel=stylesheet href=//evil><base href=//evil>',
    '<object data=x></object><embed src=x>',
  ];
  for (const p of payloads) {
    it(`renders as literal text: ${p.slice(0, 40)}`, () => {
      for (const text of [p, `**${p}**`, `- ${p}`, `> ${p}`, `# ${p}`, `[${p}](https://a.b)`]) {
        const el = md(text);
        expect(el.querySelector(DANGEROUS)).toBeNull();
        expect(el.textContent).toContain(p);
      }
    });
  }

  it('script tag is visible text', () => {
    expect(md('<script>alert(1)</script>').textContent).toBe('<script>alert(1)</script>');
  });

  const bad = [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    ' javascript:alert(1)',
    '\x01javascript:alert(1)',
    '\x00javascript:alert(1)',
    '&#106;avascript:alert(1)',
    '&#x6A;avascript:alert(1)',
    '%6Aavascript:alert(1)',
    'javascript&colon;alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'blob:https://a/b',
    'javascript://%0aalert(1)',
    '/relative',
    '',
  ];
  for (const u of bad) {
    it(`safeUrl rejects ${JSON.stringify(u)}`, () => {
      expect(safeUrl(u)).toBeNull();
    });
  }

  it('markdown links with unsafe URLs are not <a href>', () => {
    for (const u of bad.filter((x) => !x.includes('\n'))) {
      const text = u.includes(')') || u.includes(' ') ? `[x](<${u}>)` : `[x](${u})`;
      for (const t of [text, `[x](${encodeURI(u)})`, `![x](${u.replace(/[()]/g, '')})`]) {
        const el = md(t);
        expect(el.querySelector('a[href]'), t).toBeNull();
      }
    }
    const el = md('[x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [z](data:text/html,hi)');
    expect(el.querySelector('a')).toBeNull();
    expect(el.textContent).toBe('x y z');
  });

  it('safeUrl allows http(s)/mailto/tel and normalises the scheme', () => {
    expect(safeUrl('https://a.b/c?d#e')).toBe('https://a.b/c?d#e');
    expect(safeUrl(' HTTP://a.b ')).toBe('http://a.b');
    expect(safeUrl('ht\ttps://a.b')).toBe('https://a.b');
    expect(safeUrl('mailto:a@b.c')).toBe('mailto:a@b.c');
    expect(safeUrl('tel:+123')).toBe('tel:+123');
    expect(safeUrl(42 as unknown as string)).toBeNull();
  });

  it('user-style text shows exactly as typed (no HTML interpretation)', () => {
    expect(md('<b>hi</b>').textContent).toBe('<b>hi</b>');
    expect(md('<b>hi</b>').querySelector('b')).toBeNull();
  });
});

/** Renders `text` progressively through a single Markdown component; returns the container. */
function stream(text: string, step = 1): HTMLElement {
  root = document.createElement('div');
  document.body.append(root);
  for (let i = 0; i <= text.length; i += step) render(<Markdown text={text.slice(0, i)} streaming />, root);
  render(<Markdown text={text} />, root);
  return root;
}
function oneShot(text: string): string {
  const el = document.createElement('div');
  render(<Markdown text={text} />, el);
  return dom(el);
}

describe('streaming', () => {
  const doc = [
    '# Answer',
    '',
    'Here is **bold**, *it*, `code` and [a link](https://example.com/x_(y)).',
    'Second line https://auto.link/path.',
    '',
    '- one',
    '- two with __strong__',
    '  - nested',
    '',
    '3. three',
    '4. four',
    '',
    '```js',
    'const x = "<script>";',
    '',
    'done();',
    '```',
    '> quote *me*',
    '',
    '[x](javascript:alert(1)) <img src=x onerror=alert(1)>',
    'tail',
  ].join('\n');

  it('every prefix renders without throwing and the final DOM equals a one-shot render', () => {
    const el = stream(doc);
    expect(dom(el)).toBe(oneShot(doc));
    expect(el.querySelector('img, a[href^="javascript"]')).toBeNull();
  });

  it('every prefix matches a fresh render of that prefix', () => {
    root = document.createElement('div');
    for (let i = 0; i <= doc.length; i++) {
      const t = doc.slice(0, i);
      render(<Markdown text={t} />, root);
      expect(dom(root), JSON.stringify(t)).toBe(oneShot(t));
    }
  });

  it('random chunk sizes', () => {
    root = document.createElement('div');
    let seed = 7;
    for (let i = 0; i < doc.length; ) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      i = Math.min(doc.length, i + 1 + (seed % 9));
      render(<Markdown text={doc.slice(0, i)} streaming />, root);
    }
    render(<Markdown text={doc} />, root);
    expect(dom(root)).toBe(oneShot(doc));
  });

  it('the [x](javas | cript:alert(1)) split is still blocked', () => {
    root = document.createElement('div');
    render(<Markdown text="see [x](javas" streaming />, root);
    render(<Markdown text="see [x](javascript:alert(1))" streaming />, root);
    expect(root.querySelector('a')).toBeNull();
    expect(root.textContent).toBe('see x');
  });

  it('text that is replaced (not extended) re-renders correctly', () => {
    root = document.createElement('div');
    render(<Markdown text={'a\n\nb\n\nc'} />, root);
    render(<Markdown text={'x\n\ny'} />, root);
    expect(dom(root)).toBe(oneShot('x\n\ny'));
  });

  it('streaming class', () => {
    root = document.createElement('div');
    render(<Markdown text="a" streaming />, root);
    expect(root.firstElementChild!.className).toBe('md md-streaming');
    render(<Markdown text="a" />, root);
    expect(root.firstElementChild!.className).toBe('md');
  });

  it('completed blocks are not re-parsed (memoization)', () => {
    root = document.createElement('div');
    const blocks = Array.from({ length: 50 }, (_, i) => `para ${i} with **bold**`).join('\n\n');
    render(<Markdown text={blocks} streaming />, root);
    const before = stats.blocks;
    let text = `${blocks}\n\nlast`;
    render(<Markdown text={text} streaming />, root);
    for (let i = 0; i < 20; i++) {
      text += ' more';
      render(<Markdown text={text} streaming />, root);
    }
    // Each render parses only the growing block (plus, once, the block that just completed).
    expect(stats.blocks - before).toBeLessThanOrEqual(22);
    expect(root.querySelectorAll('p')).toHaveLength(51);
    expect(root.lastElementChild!.lastElementChild!.textContent).toBe(`last${' more'.repeat(20)}`);
  });

  it('rendering cost stays flat as the answer grows', () => {
    root = document.createElement('div');
    let text = '';
    let parses = 0;
    for (let i = 0; i < 400; i++) {
      text += i % 10 === 9 ? '\n\n' : `word${i} `;
      const b = stats.blocks;
      render(<Markdown text={text} streaming />, root);
      parses = Math.max(parses, stats.blocks - b);
    }
    expect(parses).toBeLessThanOrEqual(2);
  });
});

/** Element counts by tag and the text of a VNode tree, without rendering it. */
function vtree(node: unknown) {
  const tags: Record<string, number> = {};
  const text: string[] = [];
  let elements = 0;
  const walk = (n: any): void => {
    if (n == null || typeof n === 'boolean') return;
    if (typeof n !== 'object') {
      text.push(String(n));
      return;
    }
    if (Array.isArray(n)) {
      for (const child of n) walk(child);
      return;
    }
    if (typeof n.type === 'function') {
      walk(n.type.prototype?.render ? new n.type(n.props).render(n.props, {}) : n.type(n.props));
      return;
    }
    if (typeof n.type === 'string') {
      tags[n.type] = (tags[n.type] || 0) + 1;
      elements++;
    }
    walk(n.props?.children);
  };
  walk(node);
  return { tags, elements, text: text.join('') };
}

describe('hostile input', () => {
  // Prints parse (text -> VNodes) and mount (VNodes -> happy-dom) times; only asserts completion.
  const time = (label: string, text: string) => {
    let t0 = performance.now();
    const vnodes = renderMarkdown(text);
    const parse = performance.now() - t0;
    const el = document.createElement('div');
    t0 = performance.now();
    render(vnodes, el);
    const mount = performance.now() - t0;
    const kb = (text.length / 1024).toFixed(0);
    console.log(
      `${label}: ${kb} KB, parse ${parse.toFixed(1)} ms, happy-dom mount ${mount.toFixed(1)} ms, ${el.getElementsByTagName('*').length} elements`,
    );
    return el;
  };

  // 1 MB is parsed to VNodes and checked without a DOM (mounting 70,000 elements into happy-dom takes
  // seconds on a busy machine); 100 KB of the same text is mounted and checked in the DOM.
  it('1 MB mixed message', () => {
    const unit = 'Some **bold** and _it_ text with `code` and [l](https://a.b/c) https://x.y/z <b>x</b>\n';
    const para = `${unit.repeat(8)}\n`;
    const text = para.repeat(Math.ceil(1_000_000 / para.length));
    const units = (text.length / para.length) * 8;
    const t0 = performance.now();
    const tree = vtree(renderMarkdown(text));
    console.log(
      `1MB mixed: ${(text.length / 1024).toFixed(0)} KB, parse ${(performance.now() - t0).toFixed(1)} ms, ${tree.elements} elements`,
    );
    expect(tree.tags.p).toBeGreaterThan(1000);
    expect(tree.tags.b).toBeUndefined();
    expect(tree.text.split('<b>x</b>').length - 1).toBe(units); // raw HTML stays text
    expect(tree.text.split('https://x.y/z').length - 1).toBe(units);

    const small = para.repeat(Math.ceil(100_000 / para.length));
    const el = time('100KB mixed', small);
    expect(el.querySelectorAll('p').length).toBeGreaterThan(100);
    expect(el.querySelector('b')).toBeNull();
    expect(el.textContent!.split('<b>x</b>').length - 1).toBe(small.split('<b>x</b>').length - 1);
    expect(el.getElementsByTagName('*').length).toBe(vtree(renderMarkdown(small)).elements);
  });

  it('1 MB single paragraph of plain text', () => {
    const text = 'lorem ipsum dolor '.repeat(60_000);
    expect(time('1MB plain', text).textContent).toBe(text.trim());
  });

  const letters = (s: string) => s.replace(/[^a-z0-9]/gi, '');
  // [label, input, whether every letter/digit of the input must stay visible]
  const cases: [string, string, boolean][] = [
    ['10k >', `${'>'.repeat(10_000)} x`, true],
    ['10k [', `${'['.repeat(10_000)}x`, true],
    ['10k ]', `${']'.repeat(10_000)}x`, true],
    ['10k [a](', `${'[a]('.repeat(10_000)}x`, true],
    ['10k nested link parens', `${'[a]('.repeat(10_000)}x${')'.repeat(10_000)}`, false],
    ['10k nested brackets closed', `${'['.repeat(10_000)}x${']'.repeat(10_000)}(https://a.b)`, false],
    ['50k *', '*'.repeat(50_000), true],
    ['50k * inline', `a ${'*'.repeat(50_000)} b`, true],
    ['25k * a', '* a'.repeat(25_000), true],
    ['25k *a', '*a'.repeat(25_000), true],
    ['25k **a', '**a'.repeat(25_000), true],
    ['25k _a', ' _a'.repeat(25_000), true],
    ['10k ***a', '***a '.repeat(10_000), true],
    ['20k ` inline', `a ${'`'.repeat(20_000)}x`, true],
    ['backtick runs', Array.from({ length: 2000 }, (_, i) => `${'`'.repeat((i % 15) + 1)}a`).join(''), true],
    ['many urls', 'https://a.b/'.repeat(50_000), true],
    ['url + 50k )', `https://a.b/${')'.repeat(50_000)}`, true],
    ['10k quote lines', Array.from({ length: 10_000 }, (_, i) => `${'>'.repeat(i % 50)} q${i}`).join('\n'), true],
    ['10k list lines', Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i % 40)}- i${i}`).join('\n'), true],
    ['unclosed fence 1MB', `\`\`\`\n${'x\n'.repeat(500_000)}`, true],
  ];
  for (const [label, text, keep] of cases) {
    it(`${label}: finishes and keeps the text`, () => {
      const el = time(label, text);
      if (keep) expect(letters(el.textContent!)).toBe(letters(text));
      else expect(el.textContent!.length).toBeGreaterThan(0);
    });
  }

  it('50k * and 10k [ keep their exact text', () => {
    expect(md('*'.repeat(50_000)).textContent).toBe('*'.repeat(50_000));
    expect(md(`${'['.repeat(10_000)}x`).textContent).toBe(`${'['.repeat(10_000)}x`);
    expect(md(']'.repeat(10_000)).textContent).toBe(']'.repeat(10_000));
    expect(md('**a'.repeat(25_000)).textContent).toBe('a'.repeat(25_000));
    const q = md(`${'>'.repeat(10_000)} x`);
    expect(q.textContent).toBe(`${'>'.repeat(10_000 - 6)} x`);
    expect(q.querySelectorAll('blockquote').length).toBeLessThanOrEqual(6);
  });
});
