// The layers import only downwards (embed -> widget -> ui -> core), and the core needs no UI library,
// so it runs headless and in tests. Type-only imports count too: a layer should not know the one above.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));

/** Every module specifier a file imports (static, dynamic and type-only). */
const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'([^']+)'/g)].map((match) => match[1]!);

const layers: [string, RegExp][] = [
  ['src/core', /^preact|(^|\/)(ui|widget|embed)\//],
  ['src/ui', /(^|\/)(widget|embed)\//],
  ['src/widget', /(^|\/)embed\//],
];

describe('layers', () => {
  for (const [dir, forbidden] of layers) {
    it(`${dir} imports nothing from the layers above it`, () => {
      const offending = files(dir).flatMap((file) =>
        importsOf(file)
          .filter((specifier) => forbidden.test(specifier))
          .map((specifier) => `${file}: ${specifier}`),
      );
      expect(offending).toEqual([]);
    });
  }

  it('finds the imports it checks (the check itself works)', () => {
    expect(importsOf('src/ui/window/attach.tsx')).toContain('../../core/log');
    expect(importsOf('src/core/client.ts')).toContain('./feedback');
  });
});
