// @vitest-environment happy-dom
// Markdown tables (GitHub's pipe tables) and the code blocks' Copy code button: what the visitor sees once
// their part (markdown/rich-blocks) is loaded, what shows before it is, and a table that streams in (split at
// every chunk boundary, it must end as a one-shot render and never show a table before its delimiter row).
import { type ComponentChildren, render } from 'preact';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Markdown, renderMarkdown, stats } from '../../src/ui/markdown';
import * as rich from '../../src/ui/markdown/rich-blocks';
import { cells, tableAt } from '../../src/ui/markdown/rich-blocks';
import { loadStrings, type Strings } from '../../src/ui/strings';
import { markupOf as dom } from './helpers';

let strings: Strings;
beforeAll(async () => {
  strings = rich.withRichStrings(await loadStrings('en'), 'en');
});

let root: HTMLElement | undefined;
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  if (!root) return;
  render(null, root);
  root.remove();
  root = undefined;
});

const mount = (nodes: ComponentChildren): HTMLElement => {
  const el = document.createElement('div');
  render(nodes, el);
  return el;
};
/** A one-shot render with the part loaded. */
const shown = (text: string): HTMLElement => mount(renderMarkdown(text, { rich, strings }));
const oneShot = (text: string): string => dom(shown(text));
/** The rows of every table as cell texts, header row first. */
const tables = (el: Element): string[][][] =>
  [...el.querySelectorAll('table')].map((table) =>
    [...table.querySelectorAll('tr')].map((tr) => [...tr.children].map((cell) => cell.textContent!)),
  );

describe('the parser', () => {
  it('splits a row at pipes: outer pipes optional, cells trimmed, \\| is a pipe in a cell', () => {
    expect(cells('| a | b |')).toEqual(['a', 'b']);
    expect(cells('a | b')).toEqual(['a', 'b']);
    expect(cells('|a||')).toEqual(['a', '']);
    expect(cells('| `x \\| y` | \\\\ |')).toEqual(['`x | y`', '\\\\']);
    expect(cells('|')).toEqual(['']);
  });

  it('a table needs a header row with pipes and a delimiter row of as many cells, each dashes with optional colons', () => {
    expect(tableAt('| a | b | c | d |', '|:--|:-:|--:|---|')).toEqual(['left', 'center', 'right', '']);
    expect(tableAt('a | b', '--- | ---')).toEqual(['', '']);
    expect(tableAt('| a | b |', '|---|')).toBeNull();
    expect(tableAt('| a |', '|---|---|')).toBeNull();
    expect(tableAt('a', '---')).toBeNull();
    expect(tableAt('| a | b |', '|-x-|---|')).toBeNull();
    expect(tableAt('| a | b |', '| : | --- |')).toBeNull();
    expect(tableAt('- a | b', '--|--')).toBeNull();
    const wide = (n: number, cell: string) => `|${` ${cell} |`.repeat(n)}`;
    expect(tableAt(wide(64, 'a'), wide(64, '-'))).toHaveLength(64);
    expect(tableAt(wide(65, 'a'), wide(65, '-'))).toBeNull();
  });
});

describe('tables', () => {
  it('render as a table with column headers, alignment and inline Markdown in cells', () => {
    const el = shown(
      'Prices:\n| Model | *Size* | Price |\n|:--|:-:|--:|\n| **Trail** | M | `$1,200` |\n| [City](https://x.example) | L \\| XL | 900 |',
    );
    expect(el.querySelector('p')!.textContent).toBe('Prices:');
    expect(tables(el)).toEqual([
      [
        ['Model', 'Size', 'Price'],
        ['Trail', 'M', '$1,200'],
        ['City', 'L | XL', '900'],
      ],
    ]);
    const headers = [...el.querySelectorAll('th')];
    expect(headers.map((th) => th.getAttribute('scope'))).toEqual(['col', 'col', 'col']);
    expect(headers.map((th) => th.dataset.align)).toEqual(['left', 'center', 'right']);
    expect([...el.querySelectorAll('tr:last-child td')].map((td) => (td as HTMLElement).dataset.align)).toEqual([
      'left',
      'center',
      'right',
    ]);
    expect(el.querySelector('th em')!.textContent).toBe('Size');
    expect(el.querySelector('td strong')!.textContent).toBe('Trail');
    expect(el.querySelector('td code')!.textContent).toBe('$1,200');
    expect(el.querySelector('td a')!.getAttribute('href')).toBe('https://x.example');
    // A wide table scrolls inside its own box, which a keyboard can focus: a region named by the columns.
    const box = el.querySelector('table')!.parentElement!;
    expect(box.className).toBe('tw');
    expect([box.localName, box.tabIndex, box.getAttribute('aria-label')]).toEqual(['section', 0, 'Model, Size, Price']);
    // Empty header cells name nothing.
    expect(shown('| | x |\n|-|-|\n| 1 | 2 |').querySelector('section')!.getAttribute('aria-label')).toBe('x');
    expect(shown('| | |\n|-|-|\n| 1 | 2 |').querySelector('section')!.hasAttribute('aria-label')).toBe(false);
  });

  it('rows are padded or cut to the header width; a table ends at a blank line or a line that starts another block', () => {
    const el = shown('| a | b |\n|---|---|\n| 1 |\n| 1 | 2 | 3 |\nno pipes\n- item\n\nafter');
    expect(tables(el)).toEqual([
      [
        ['a', 'b'],
        ['1', ''],
        ['1', '2'],
        ['no pipes', ''],
      ],
    ]);
    expect(el.querySelector('ul')!.textContent).toBe('item');
    expect(el.lastElementChild!.textContent).toBe('after');
  });

  it('malformed tables stay text', () => {
    for (const text of ['| a | b |\n|---|', '| a | b |\n| x | y |', 'a\n|---|', '| a | b |\n|--|--|x', '# | a | b |\n|---|---|']) {
      const el = shown(text);
      expect(el.querySelector('table'), text).toBeNull();
      expect(el.textContent!.replace(/\s/g, ''), text).toBe(text.replace(/[#\s]/g, ''));
    }
  });

  it('after a paragraph line or a list item, also when the delimiter row ends the answer', () => {
    const el = shown('Intro\n| a | b |\n|---|---|');
    expect(el.querySelector('p')!.textContent).toBe('Intro');
    expect(tables(el)).toEqual([[['a', 'b']]]);
    const list = shown('- item\n| a |\n|---|');
    expect(list.querySelector('ul')!.textContent).toBe('item');
    expect(tables(list)).toEqual([[['a']]]);
  });

  it('inside a quote, and after a list', () => {
    expect(tables(shown('> | a |\n> |---|\n> | 1 |'))).toEqual([[['a'], ['1']]]);
    expect(tables(shown('- item\n| a |\n|---|\n| 1 |'))).toEqual([[['a'], ['1']]]);
  });

  it('stay safe: no HTML from the text, links only through the URL check', () => {
    const el = shown(
      '| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |\n|---|---|\n| <script>alert(1)</script> | https://ok.example |',
    );
    expect(el.querySelector('img, script, a[href^="javascript"]')).toBeNull();
    expect(tables(el)[0]![0]).toEqual(['<img src=x onerror=alert(1)>', 'x']);
    expect(el.querySelector('a')!.getAttribute('href')).toBe('https://ok.example');
  });

  it('before their part is loaded: text, and the part is asked for', () => {
    const need = vi.fn();
    const el = mount(<Markdown text={'| a | b |\n|---|---|\n| 1 | 2 |'} need={need} />);
    expect(el.querySelector('table')).toBeNull();
    expect(el.textContent).toBe('| a | b ||---|---|| 1 | 2 |');
    expect(need).toHaveBeenCalled();
    // Also for an answer that ends with the delimiter row; not for one with no table.
    const needed = vi.fn();
    mount(<Markdown text={'Intro\n| a | b |\n|---|---|'} need={needed} />);
    mount(<Markdown text={'- a | b\n\n--- | x\n\nno | table'} need={needed} />);
    expect(needed).toHaveBeenCalledTimes(1);
    // Once it is here, the same answer renders again, as a table.
    render(<Markdown text={'| a | b |\n|---|---|\n| 1 | 2 |'} need={need} rich={rich} strings={strings} />, el);
    expect(tables(el)).toEqual([
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ]);
  });
});

describe('a table that streams in', () => {
  const answer = [
    'Here are the bikes:',
    '| Model | Size | Price |',
    '|:------|:----:|------:|',
    '| Trail | M | **$1,200** |',
    '| City | `L` | $900 |',
    '',
    'And the parts:',
    '',
    'part | stock',
    '--- | ---',
    'chain | 3',
    '- a list item',
    '| x | y |',
    '|---|---|',
    '| 1 | 2 |',
    '',
    '> | q |',
    '> |---|',
    '> | r |',
  ].join('\n');

  /** How many delimiter rows, and body rows, have arrived whole (a newline after them, or the end of the answer). */
  function arrived(text: string, final: boolean): { tables: number; rows: number } {
    const lines = answer.split('\n');
    let at = 0;
    let tables = 0;
    let rows = 0;
    for (const line of lines) {
      at += line.length + 1;
      const whole = at <= text.length || (final && at - 1 === text.length);
      if (!whole) break;
      if (/^(> )?\|?:?-+:? *\|/.test(line)) tables++;
      else if (tables && /^\| (Trail|City|1)|^chain|^> \| r/.test(line)) rows++;
    }
    return { tables, rows };
  }

  it('with CRLF line endings, the same tables as with LF, streamed or not', () => {
    const crlf = answer.replaceAll('\n', '\r\n');
    root = document.createElement('div');
    render(<Markdown text={crlf} streaming rich={rich} strings={strings} />, root);
    render(<Markdown text={crlf} rich={rich} strings={strings} />, root);
    expect(tables(root)).toEqual(tables(shown(answer)));
    render(null, root);
  });

  it('split at every position: the end equals a one-shot render, and no table or row shows before it has arrived', () => {
    const expected = oneShot(answer);
    expect(tables(shown(answer)).map((table) => table.length)).toEqual([3, 2, 2, 2]);
    for (let split = 0; split <= answer.length; split++) {
      root = document.createElement('div');
      const first = answer.slice(0, split);
      render(<Markdown text={first} streaming rich={rich} strings={strings} />, root);
      const { tables: tablesIn, rows } = arrived(first, false);
      const seen = tables(root);
      expect(seen.length, JSON.stringify(first)).toBeLessThanOrEqual(tablesIn);
      expect(seen.flat().length - seen.length, JSON.stringify(first)).toBeLessThanOrEqual(rows);
      render(<Markdown text={answer} streaming rich={rich} strings={strings} />, root);
      render(<Markdown text={answer} rich={rich} strings={strings} />, root);
      expect(dom(root.firstElementChild!), JSON.stringify(first)).toBe(expected);
      render(null, root);
    }
  });

  it('a row appears as soon as it is complete, and the last one when the answer ends', () => {
    root = document.createElement('div');
    const show = (text: string, streaming = true) => {
      render(<Markdown text={text} streaming={streaming} rich={rich} strings={strings} />, root!);
      return tables(root!);
    };
    expect(show('| a | b |\n|---|-')).toEqual([]);
    expect(root.textContent).toBe('| a | b ||---|-');
    expect(show('| a | b |\n|---|---|\n')).toEqual([[['a', 'b']]]);
    expect(show('| a | b |\n|---|---|\n| 1 | 2')).toEqual([[['a', 'b']]]);
    expect(show('| a | b |\n|---|---|\n| 1 | 2 |\n')).toEqual([
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ]);
    expect(show('| a | b |\n|---|---|\n| 1 | 2 |\n| 3')).toHaveLength(1);
    expect(tables(root)[0]).toHaveLength(2);
    expect(show('| a | b |\n|---|---|\n| 1 | 2 |\n| 3', false)[0]).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', ''],
    ]);
  });

  it('the work per chunk stays flat however long the table gets', () => {
    root = document.createElement('div');
    let text = 'Intro words\n| n | square | note |\n|---|---|---|\n';
    let most = 0;
    let rows = 0;
    for (let n = 0; n < 3000; n++) {
      // Each row arrives in two chunks.
      for (const chunk of [`| ${n} | ${n * n}`, ` | *row* ${n} |\n`]) {
        text += chunk;
        const before = stats.chars;
        const renders = stats.blocks;
        render(<Markdown text={text} streaming rich={rich} strings={strings} />, root);
        most = Math.max(most, stats.chars - before);
        rows = Math.max(rows, stats.blocks - renders);
      }
    }
    // Only the rows that arrived and the one still arriving are read, and only the table's block renders (and
    // once, when the table is cut from the line before it, that line's).
    expect(most).toBeLessThan(80);
    expect(rows).toBeLessThanOrEqual(2);
    expect(root.querySelectorAll('tbody tr')).toHaveLength(3000);
    render(<Markdown text={text} rich={rich} strings={strings} />, root);
    expect(dom(root.firstElementChild!)).toBe(oneShot(text));
  });
});

describe('Copy code', () => {
  const code = '```js\nconst a = "<b>";\n\n  return a;\r\n```';
  const button = (el: Element) => el.querySelector<HTMLButtonElement>('.cb button')!;
  const status = (el: Element) => el.querySelector('.cb [role="status"]')!;
  /** Let promises and Preact's re-renders run without moving fake time (each call yields a real event-loop turn). */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
  };

  it('every code block has the button; it copies the code exactly, says Copied for two seconds', async () => {
    vi.useFakeTimers();
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    root = shown(`${code}\n\ntext\n\n~~~\nsecond\n~~~`);
    expect([...root.querySelectorAll('pre')].map((pre) => button(pre.parentElement!).textContent)).toEqual(['Copy code', 'Copy code']);
    button(root).click();
    // Not vi.waitFor: under fake timers it moves the clock, and a "Copied" that lasted too long would pass.
    await settle();
    expect(button(root).textContent).toBe('Copied');
    expect(writeText).toHaveBeenCalledWith('const a = "<b>";\n\n  return a;');
    expect(status(root).textContent).toBe('Copied');
    await vi.advanceTimersByTimeAsync(1999);
    await settle();
    expect(button(root).textContent).toBe('Copied');
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(button(root).textContent).toBe('Copy code');
    expect(status(root).textContent).toBe('');
  });

  it('says so when the browser has no Clipboard API or refuses it, until the next try', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    root = shown(code);
    button(root).click();
    await vi.waitFor(() => expect(status(root!).textContent).toBe('Could not copy: select the code and copy it yourself.'));
    expect(status(root).className).toBe('cq');
    expect(button(root).textContent).toBe('Copy code');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(status(root).textContent).toMatch(/^Could not copy/);

    vi.stubGlobal('navigator', {
      ...navigator,
      clipboard: { writeText: () => Promise.reject(new DOMException('Denied', 'NotAllowedError')) },
    });
    root = shown(code);
    button(root).click();
    await vi.waitFor(() => expect(status(root!).textContent).toMatch(/^Could not copy/));
  });

  it('before its part is loaded a code block has no button, and the part is asked for', () => {
    const need = vi.fn();
    const el = mount(<Markdown text={code} need={need} />);
    expect(el.querySelector('button')).toBeNull();
    expect(el.querySelector('pre')!.textContent).toBe('const a = "<b>";\n\n  return a;');
    expect(need).toHaveBeenCalled();
  });

  it('its words in Ukrainian and Russian; overrides stay', async () => {
    const uk = rich.withRichStrings(await loadStrings('uk'), 'uk');
    const ru = rich.withRichStrings(await loadStrings('ru', { copied: 'Готово' }), 'ru');
    expect([uk.copyCode, uk.copied]).toEqual(['Копіювати код', 'Скопійовано']);
    expect([ru.copyCode, ru.copied]).toEqual(['Копировать код', 'Готово']);
    expect(button(mount(renderMarkdown(code, { rich, strings: uk }))).textContent).toBe('Копіювати код');
  });
});
