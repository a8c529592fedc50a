/** Replace `{n}` (and `{m}`) in a string template: `fmt('{n} unread', 3)`. */
export const fmt = (template: string, n: number | string, m: number | string = ''): string =>
  template.replace('{n}', String(n)).replace('{m}', String(m));
