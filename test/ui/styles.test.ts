// Every part's CSS goes into the one shadow root, so a class one part styles must not be styled by another:
// a part loaded later would restyle what the first draws (a copy-status rule once turned the header's
// connection status red). Parts may still style their own elements inside another's (`.md table`).
import { describe, expect, it } from 'vitest';
import { css as features } from '../../src/ui/features/styles';
import { css as richBlocks } from '../../src/ui/markdown/rich-blocks';
import { launcherCss, windowCss } from '../../src/ui/styles';
import { css as chatList } from '../../src/ui/window/chat-list';
import { css as files } from '../../src/ui/window/files';
import { css as suggestions } from '../../src/ui/window/suggestions';

/** Split `text` at `separator` characters that are outside parentheses and brackets. */
function splitTopLevel(text: string, separator: RegExp): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '(' || char === '[') depth++;
    else if (char === ')' || char === ']') depth--;
    else if (depth === 0 && separator.test(char)) {
      out.push(text.slice(start, index));
      start = index + 1;
    }
  }
  return [...out, text.slice(start)];
}

/** The class a compound selector styles: its last one (`.al.ok` styles the `ok` kind of another part's `.al`). */
function subjectClasses(compound: string): string[] {
  const alternatives = [...compound.matchAll(/:(?:is|where)\(([^()]*)\)/g)].flatMap(([, list]) =>
    splitTopLevel(list!, /,/).flatMap((inner) => subjectClasses(inner.trim())),
  );
  const own = [...compound.replace(/:(?:is|where)\([^()]*\)/g, '').matchAll(/\.([a-zA-Z][\w-]*)/g)].at(-1)?.[1];
  return own ? [...alternatives, own] : alternatives;
}

/** The classes a style sheet styles itself: the subject of each selector (at-rules' preludes skipped). */
function styledClasses(sheet: string): Set<string> {
  const classes = new Set<string>();
  for (const [, prelude] of sheet.matchAll(/([^{}]*)\{/g)) {
    const selectors = prelude!.trim();
    if (!selectors || selectors.startsWith('@')) continue;
    for (const selector of splitTopLevel(selectors, /,/))
      for (const name of subjectClasses(splitTopLevel(selector.trim(), /[\s>+~]/).at(-1)!)) classes.add(name);
  }
  return classes;
}

describe('the parts’ CSS', () => {
  it('finds the classes a sheet styles', () => {
    const sheet = '.a{x:1}.b .c,.b>:is(.d,.e){y:2}@media (max-width:1.5px){.f{z:3}}.g:hover{}.al.ok{}';
    expect([...styledClasses(sheet)]).toEqual(['a', 'c', 'd', 'e', 'f', 'g', 'ok']);
  });

  it('no class is styled by two parts (they share one shadow root)', () => {
    const parts = { 'styles.ts': launcherCss() + windowCss, richBlocks, files, chatList, suggestions, features };
    const owners = new Map<string, string[]>();
    for (const [part, sheet] of Object.entries(parts))
      for (const name of styledClasses(sheet)) owners.set(name, [...(owners.get(name) ?? []), part]);
    const shared = [...owners].filter(([, where]) => where.length > 1).map(([name, where]) => `.${name}: ${where.join(', ')}`);
    expect(shared).toEqual([]);
  });
});
