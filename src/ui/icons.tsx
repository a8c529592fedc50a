// Inline SVG icons as VNodes: no data: URLs, no external assets (CSP `img-src` untouched). Stroke and
// fill come from the stylesheet.

export const icon = (d: string) => (
  <svg viewBox="0 0 24 24" aria-hidden="true">
    <path d={d} />
  </svg>
);

export const CHAT = 'M21 12a8 8 0 0 1-11.8 7L4 20l1.1-4.6A8 8 0 1 1 21 12z';
export const CLOSE = 'M6 6l12 12M18 6L6 18';
export const NEW = 'M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z';
export const SEND = 'M5 12h14M13 6l6 6-6 6';
export const STOP = 'M8 8h8v8H8z';
export const ATTACH = 'M21 11.5l-8.6 8.6a5 5 0 0 1-7-7l8.5-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.3-2.3l8-8';
export const LIST = 'M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01';
