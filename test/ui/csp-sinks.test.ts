// Trusted Types / strict CSP: the widget's own source never uses HTML-string or eval sinks.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

it('no innerHTML, string-built DOM, eval, inline handlers or style attributes in src/ui, src/widget, src/embed', () => {
  const sinks =
    /innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write|\beval\(|new Function|setAttribute\(\s*['"](style|on)|createElement\(\s*['"]script/;
  for (const dir of ['src/ui', 'src/widget', 'src/embed']) {
    for (const f of files(dir)) expect(readFileSync(f, 'utf8').match(sinks)?.[0], f).toBeUndefined();
  }
});
