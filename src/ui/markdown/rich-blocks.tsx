// What only some answers need, loaded (with its CSS and strings) the first time one has a table or a code
// block: tables, and the code blocks' "Copy code" button. Markdown shows tables as text and code without the
// button until then (window/parts.ts loads it).
import { Component, type ComponentChildren, type VNode } from 'preact';
import { fill, lang, type Strings } from '../strings';
import { type BlockEnv, renderBlock, startsBlock, stats } from './parse-blocks';
import { parseInline } from './parse-inline';
import { chomp, pile } from './render';

/**
 * This part's CSS. .tw: a table's box, which scrolls sideways when the table is wider than the bubble
 * (the window never does; a cell wraps its text past 15em); data-align: a column's alignment; .cb: a code
 * block with its .cp copy button and .cq, what copying said (not .cs: that is the header's connection status).
 */
export const css = `.tw{overflow-x:auto;max-width:100%}
.md table{border-collapse:collapse;font-size:14px;overflow-wrap:normal;width:max-content}
.md :is(th,td){border:1px solid var(--e);padding:4px 8px;text-align:start;vertical-align:top;max-width:15em}
.md th{font-weight:600;background:#8881}
.md [data-align=left]{text-align:left}.md [data-align=center]{text-align:center}.md [data-align=right]{text-align:right}
.cb{position:relative}
.cb pre{padding-top:30px}
.cp{position:absolute;inset-inline-end:6px;top:4px;font-size:12px;padding:3px 8px;border-radius:6px;color:var(--m)}
.cp:hover{color:inherit;background:#8882}
.cq{display:block;font-size:12px;color:var(--x)}`;

const KEYS = ['copyCode', 'copied', 'copyFailed'] as const;

const LOCALES: Record<string, string> = {
  en: 'Copy code|Copied|Could not copy: select the code and copy it yourself.',
  uk: 'Копіювати код|Скопійовано|Не вдалося скопіювати: виділіть код і скопіюйте його самі.',
  ru: 'Копировать код|Скопировано|Не удалось скопировать: выделите код и скопируйте его сами.',
};

/** `strings` with this part's words added where it has none (its overrides stay). */
export const withRichStrings = (strings: Strings, locale: string): Strings =>
  fill(strings, LOCALES[lang(locale)] ?? LOCALES.en!, KEYS as unknown as (keyof Strings)[]);

/** A table wider than this stays text (every row is padded to the header's width). */
const MAX_COLUMNS = 64;
const DELIMITER_LINE = /^[ \t|:-]+$/;
const DELIMITER_CELL = /^:?-+:?$/;

/** A table row's cells, trimmed: split at pipes, an outer pipe on either side dropped; `\|` is a pipe in a cell. */
export function cells(line: string): string[] {
  const row = line.trim();
  const out: string[] = [];
  let cell = '';
  let split = false;
  for (let index = row[0] === '|' ? 1 : 0; index < row.length; index++) {
    const char = row[index]!;
    split = char === '|';
    if (split) {
      out.push(cell.trim());
      cell = '';
    } else if (char === '\\' && index + 1 < row.length) cell += row[++index] === '|' ? '|' : char + row[index];
    else cell += char;
  }
  if (!split || !out.length) out.push(cell.trim());
  return out;
}

/**
 * The columns' alignments ('left', 'center', 'right' or '') if a table starts with the row `header` and the
 * delimiter row `delimiter` (`| :-- | :-: | --: |`, as many cells as the header), else null.
 */
export function tableAt(header: string, delimiter: string | undefined): string[] | null {
  // Lines may come with CRLF endings.
  header = chomp(header);
  delimiter = delimiter && chomp(delimiter);
  if (!delimiter || !DELIMITER_LINE.test(delimiter) || !delimiter.includes('|') || !header.includes('|') || startsBlock(header))
    return null;
  const columns = cells(delimiter);
  if (columns.length > MAX_COLUMNS || columns.length !== cells(header).length || !columns.every((cell) => DELIMITER_CELL.test(cell)))
    return null;
  return columns.map((cell) => (cell.endsWith(':') ? (cell[0] === ':' ? 'center' : 'right') : cell[0] === ':' ? 'left' : ''));
}

/** How long the button says "Copied" (a failure stays until the next try). */
const COPIED_MS = 2000;

interface CopyProps {
  text: string;
  strings: Strings;
}

/** Copies the code with the Clipboard API; says "Copied" for a while, or (API missing or refused) that it could not. */
class CopyCode extends Component<CopyProps, { said?: 'copied' | 'copyFailed' | undefined }> {
  private timer?: ReturnType<typeof setTimeout>;
  override componentWillUnmount() {
    clearTimeout(this.timer);
  }
  private say(said: 'copied' | 'copyFailed'): void {
    clearTimeout(this.timer);
    this.setState({ said });
    if (said === 'copied') this.timer = setTimeout(() => this.setState({ said: undefined }), COPIED_MS);
  }
  private copy = (): void => {
    // A page can leave the API out (an insecure origin) or refuse it (permissions policy, no focus): both are said.
    Promise.resolve()
      .then(() => navigator.clipboard.writeText(this.props.text))
      .then(
        () => this.say('copied'),
        () => this.say('copyFailed'),
      );
  };
  override render({ strings }: CopyProps) {
    const { said } = this.state;
    return [
      <button key="b" type="button" class="cp" onClick={this.copy}>
        {strings[said === 'copied' ? 'copied' : 'copyCode']}
      </button>,
      // Read out when it changes; the failure is shown too, "Copied" is on the button.
      <span key="s" role="status" class={said === 'copyFailed' ? 'cq' : 'sr'}>
        {said && strings[said]}
      </span>,
    ];
  }
}

/** A code block (`pre`, showing `text`) with its copy button. */
export const code = (pre: VNode, text: string, strings: Strings): VNode => (
  <div class="cb">
    <CopyCode text={text} strings={strings} />
    {pre}
  </div>
);

/** One body row: as many cells as the table has columns (missing ones empty, extra ones left out). */
export const row = (values: string[], align: string[]): VNode => (
  <tr>
    {align.map((alignment, index) => (
      <td data-align={alignment || undefined}>{parseInline(values[index] ?? '')}</td>
    ))}
  </tr>
);

/** A cell's words without Markdown's marks, for a name. */
const plain = (cell: string): string => cell.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_`~]/g, '');

/**
 * A table: header cells are column headers (`scope="col"`), so a screen reader names each cell's column. Its
 * box is a region named by the headers that takes the focus, so a keyboard scrolls a wide table sideways
 * (Safari does not focus a scrolling box by itself).
 */
const table = (header: string[], align: string[], rows: ComponentChildren): VNode => (
  <section
    class="tw"
    aria-label={header.map(plain).filter(Boolean).join(', ').slice(0, 100) || undefined}
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a wide table scrolls, and only focus lets a keyboard scroll it
    tabIndex={0}
  >
    <table>
      <thead>
        <tr>
          {align.map((alignment, index) => (
            <th scope="col" data-align={alignment || undefined}>
              {parseInline(header[index]!)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{rows}</tbody>
    </table>
  </section>
);

/**
 * Finds a table that starts a block: given the block's source as it grows, the renderer of its rows once its
 * first two lines (both complete) are a header and a delimiter row, null once they are not, undefined until
 * both are complete. Each character is looked at once.
 */
export function tableFinder(env: BlockEnv): (source: string) => ((source: string, open: boolean) => ComponentChildren) | null | undefined {
  /** The end of the block's first line (-1: not seen yet), and how far the search for line ends got. */
  let firstEnd = -1;
  let searched = 0;
  return (source) => {
    if (firstEnd < 0) {
      firstEnd = source.indexOf('\n', searched);
      searched = firstEnd < 0 ? source.length : firstEnd + 1;
      if (firstEnd < 0) return undefined;
    }
    const header = chomp(source.slice(0, firstEnd));
    if (!header.includes('|') || startsBlock(header)) return null;
    const secondEnd = source.indexOf('\n', searched);
    searched = source.length;
    if (secondEnd < 0) return undefined;
    const align = tableAt(header, chomp(source.slice(firstEnd + 1, secondEnd)));
    return align && growingTable(header, align, secondEnd + 1, env);
  };
}

/** A table from its lines (header, delimiter row, rows); with `open`, the last row is still arriving and waits. */
export const tableOf = (lines: string[], align: string[], open: boolean): VNode =>
  table(
    cells(lines[0]!),
    align,
    lines.slice(2, open ? -1 : undefined).map((line) => row(cells(line), align)),
  );

/**
 * Renders a table's rows as they come: `header` and `delimiter` are its first two lines (complete), its rows
 * start at `from`. Each complete row is rendered once and kept in frozen groups, so the work per render stays
 * flat however long the table grows; while `open`, the last line is still arriving and waits. A complete line
 * that starts another block ends the table (splitBlocks then puts that line in a block of its own).
 */
function growingTable(header: string, align: string[], from: number, env: BlockEnv): (source: string, open: boolean) => ComponentChildren {
  const head = cells(header);
  const rows = pile();
  /** Where the first line not yet a frozen row starts, where the table ended (-1: it goes on), the length seen. */
  let line = from;
  let end = -1;
  let length = 0;
  return (source, open) => {
    // The row still arriving is searched for its end only where it grew.
    const first = source.indexOf('\n', Math.max(line, length));
    length = source.length;
    for (let newline = first; end < 0 && newline >= 0; newline = source.indexOf('\n', line)) {
      const complete = chomp(source.slice(line, newline));
      stats.chars += complete.length;
      if (startsBlock(complete)) end = line;
      else {
        rows.add(row(cells(complete), align));
        line = newline + 1;
      }
    }
    const last = chomp(source.slice(line));
    stats.chars += last.length;
    const rest = end >= 0 ? source.slice(end) : !open && startsBlock(last) ? last : null;
    const lastRow = !open && !rest && row(cells(last), align);
    return [table(head, align, [rows.render(), lastRow]), rest && renderBlock(rest, env, 0, open)];
  };
}
